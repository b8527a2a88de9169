// A complete world for end-to-end runs: an LDIF export (or a slapd serving the same entries over
// ldaps://), a data.yaml served by a gitiles-shaped server, the GrowthBook emulator, and a
// configuration file pointing at them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';
import { type GitilesServer, startGitiles } from './gitiles-server.js';
import { type CliResult, runCli } from './run-cli.js';
import { type Slapd, startSlapd } from './slapd.js';
import { type Emulator, type EmulatorOptions, type SeedMember, startEmulator } from './test-emulator.js';

export const PROJECT = 'prj_2wikimedia0test';
/** A second project some worlds manage too, with its own policy. */
export const WMDE_PROJECT = 'prj_2wmde0test';
export const WMDE_ADMIN = 'wmde-growthbook-admin';
export const WMDE_GATE = 'analytics-wmde-users';
/** A project no world manages: writes must leave its entries exactly as they were. */
export const OTHER_PROJECT = 'prj_19g61other';
export const GATE = 'analytics-privatedata-users';
export const ADMIN = 'growthbook-admin';
export const ELEVATED = 'growthbook-customelevatedaccess';
export const READONLY = 'growthbook-readonly';
export const ELEVATED_ROLE = 'CustomElevatedAccess';
/** The API key every world uses; tests assert it never appears in any output. */
export const CANARY_KEY = 'secret_admin_CANARY7f3a9c1e5b';

// LDAP spelling differs from the policy's on purpose: group names compare case-insensitively.
const LDAP_CN: Record<string, string> = {
  [ADMIN]: 'GrowthBook-Admin',
  [ELEVATED]: 'GrowthBook-CustomElevatedAccess',
  [READONLY]: 'growthbook-readonly',
  [WMDE_ADMIN]: 'WMDE-GrowthBook-Admin',
};

/** The Wikimedia policy every world manages its first project with. */
export const WIKIMEDIA_POLICY = {
  gate: [GATE],
  rules: [
    { id: '1', ldapGroup: ADMIN, role: 'admin' },
    {
      id: '2',
      ldapGroup: ELEVATED,
      posixAnyOf: ['analytics-product-users', 'analytics-wmde-users', 'deployment'],
      role: ELEVATED_ROLE,
    },
    { id: '3', ldapGroup: ELEVATED, role: 'readonly' },
    { id: '4', ldapGroup: READONLY, role: 'readonly' },
  ],
  rank: ['noaccess', 'readonly', ELEVATED_ROLE, 'admin'],
};

/** A different policy for the second project: its own gate, its own admin group, another rank. */
export const WMDE_POLICY = {
  gate: [WMDE_GATE],
  rules: [
    { id: 'w1', ldapGroup: WMDE_ADMIN, role: 'admin' },
    { id: 'w2', ldapGroup: READONLY, role: 'readonly' },
  ],
  rank: ['noaccess', 'readonly', 'admin'],
};

export interface PersonSpec {
  uid: string;
  mail?: string | null;
  ldap?: string[];
  posix?: string[];
  /** data.yaml `ensure: absent`. */
  absent?: boolean;
  /** Named in LDAP groups, but no person entry exists (an unresolvable member DN). */
  noEntry?: boolean;
}

/** Where a world's LDAP data comes from: an LDIF export, or a slapd serving the same entries. */
export type LdapKind = 'ldif' | 'slapd';
export const LDAP_KINDS: LdapKind[] = ['ldif', 'slapd'];

export interface WorldSpec {
  people: PersonSpec[];
  members: SeedMember[];
  /** Extra keys merged into the config's sections. */
  growthbook?: Record<string, unknown>;
  safety?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** Omit LDAP groups from the export (to test a missing group). */
  omitLdapGroups?: string[];
  /** Raw member DNs added to LDAP groups (e.g. outside ou=people). */
  extraGroupMembers?: Partial<Record<string, string[]>>;
  /** Extra LDIF entries appended to the directory (e.g. an entry without a uid). */
  extraLdif?: string;
  /** `ldap.strictMembers` in either kind of world. */
  strictMembers?: boolean;
  /** Default 'ldif'. A slapd world is reached over ldaps:// with LDAP_CA_CERT_PATH set. */
  ldap?: LdapKind;
  /** Keys merged into the `ldap:` section of a slapd world (startTls, bindDn, url…). */
  ldapConfig?: Record<string, unknown>;
  /** Omit POSIX groups from data.yaml (to test a missing gate). */
  omitPosixGroups?: string[];
  emulator?: Partial<EmulatorOptions>;
  /** Manage these projects with a `projects:` list instead of the one-project form. */
  projects?: { id: string; policy: unknown }[];
}

export interface World {
  dir: string;
  configPath: string;
  emulator: Emulator;
  gitiles: GitilesServer;
  /** The directory server of a slapd world. */
  slapd?: Slapd;
  run(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** `plan`/`apply` with --output json, parsed. */
  runJson(
    command: 'plan' | 'apply',
    extra?: string[],
    env?: Record<string, string | undefined>,
  ): Promise<CliResult & { doc: RunDoc }>;
  writes(): { id: string; body: unknown }[];
  close(): Promise<void>;
}

export interface RunDoc {
  runId: string;
  project: string;
  mode: string;
  summary: Record<string, number>;
  safety: { tripped: boolean; threshold: number; revoke: number; downgrade: number; exceededIn: string[] };
  projects: {
    id: string;
    name?: string;
    summary: Record<string, number>;
    safety: { tripped: boolean; threshold: number; population: number; revoke: number; downgrade: number };
  }[];
  apply?: { applied: number; failed: number; notAttempted: number; writes: number };
  actions: {
    kind: string;
    project: string;
    email: string;
    memberId: string | null;
    uid: string | null;
    from: string | null;
    to: string | null;
    rule: string | null;
    reason: string;
    result: string;
    detail?: string;
  }[];
}

const dn = (uid: string) => `uid=${uid},ou=people,dc=wikimedia,dc=org`;

/** The people and groups in the real Wikimedia shape (loadable into slapd as well as read as a file). */
export function buildLdif(
  people: PersonSpec[],
  omit: string[] = [],
  extraMembers: Partial<Record<string, string[]>> = {},
): string {
  const lines = ['version: 1', ''];
  for (const ou of ['people', 'groups']) {
    lines.push(`dn: ou=${ou},dc=wikimedia,dc=org`, 'objectClass: organizationalUnit', `ou: ${ou}`, '');
  }
  people.forEach((p, i) => {
    if (p.noEntry) return;
    lines.push(
      `dn: ${dn(p.uid)}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      'objectClass: wikimediaPerson',
      'objectClass: ldapPublicKey',
      `uid: ${p.uid}`,
      `cn: ${p.uid}`,
      `sn: ${p.uid}`,
      `uidNumber: ${41000 + i}`,
      'gidNumber: 500',
      `homeDirectory: /home/${p.uid}`,
      'loginShell: /bin/bash',
    );
    const mail = p.mail === undefined ? `${p.uid}@wikimedia.org` : p.mail;
    if (mail !== null) lines.push(`mail: ${mail}`);
    lines.push('');
  });
  [ADMIN, ELEVATED, READONLY, WMDE_ADMIN].forEach((group, i) => {
    if (omit.includes(group)) return;
    const cn = LDAP_CN[group] as string;
    lines.push(
      `dn: cn=${cn},ou=groups,dc=wikimedia,dc=org`,
      'objectClass: groupOfNames',
      'objectClass: posixGroup',
      'objectClass: top',
      `cn: ${cn}`,
      `gidNumber: ${55001 + i}`,
    );
    const members = [
      ...people
        .filter((p) => p.ldap?.includes(group))
        .map((p) => dn(p.uid).replace('ou=people', 'ou=People')),
      ...(extraMembers[group] ?? []),
    ];
    // groupOfNames needs a value; an empty string is what a rewrite briefly leaves and must be tolerated.
    if (members.length === 0) lines.push('member: ');
    for (const member of members) lines.push(`member: ${member}`);
    lines.push('');
  });
  return lines.join('\n');
}

export function buildDataYaml(people: PersonSpec[], omit: string[] = []): string {
  const groups: Record<string, unknown> = {};
  for (const g of [GATE, 'analytics-product-users', 'analytics-wmde-users', 'deployment', 'wheel']) {
    if (omit.includes(g)) continue;
    groups[g] = {
      gid: 700,
      description: `${g} (test)`,
      members: people.filter((p) => p.posix?.includes(g)).map((p) => p.uid),
    };
  }
  const users: Record<string, unknown> = {};
  people.forEach((p, i) => {
    users[p.uid] = {
      ensure: p.absent ? 'absent' : 'present',
      uid: 41000 + i,
      gid: 500,
      realname: p.uid,
      ssh_keys: [],
    };
  });
  return stringify({ groups, users });
}

export async function createWorld(spec: WorldSpec): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'gbsync-e2e-'));
  const ldifPath = join(dir, 'directory.ldif');
  const ldif = `${buildLdif(spec.people, spec.omitLdapGroups, spec.extraGroupMembers)}${spec.extraLdif ? `\n${spec.extraLdif}\n` : ''}`;
  writeFileSync(ldifPath, ldif);
  let slapd: Slapd | undefined;
  try {
    slapd = spec.ldap === 'slapd' ? await startSlapd({ ldif }) : undefined;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const gitiles = await startGitiles(buildDataYaml(spec.people, spec.omitPosixGroups));
  const emulator = await startEmulator({
    seed: {
      apiKeys: [
        { key: CANARY_KEY, role: 'admin' },
        { key: 'secret_readonly_key', role: 'readonly' },
      ],
      members: spec.members,
      projects: [
        { id: PROJECT, name: 'Wikimedia' },
        { id: WMDE_PROJECT, name: 'WMDE' },
        { id: OTHER_PROJECT, name: 'Other' },
      ],
      environments: [{ id: 'dev' }, { id: 'staging' }, { id: 'production' }],
      customRoles: [{ id: ELEVATED_ROLE }],
    },
    rateLimit: { max: 10_000, windowMs: 60_000 },
    ...spec.emulator,
  });
  const config = {
    growthbook: {
      url: emulator.url,
      ...(spec.projects ? {} : { project: PROJECT }),
      emailDomains: ['wikimedia.org'],
      requestsPerMinute: 6000,
      maxRetries: 1,
      ...spec.growthbook,
    },
    ldap: {
      ...(slapd ? { url: slapd.ldapsUrl, timeoutSeconds: 5, ...spec.ldapConfig } : { file: ldifPath }),
      peopleBase: 'ou=people,dc=wikimedia,dc=org',
      groupBase: 'ou=groups,dc=wikimedia,dc=org',
      ...(spec.strictMembers !== undefined ? { strictMembers: spec.strictMembers } : {}),
    },
    posix: { url: gitiles.url },
    ...(spec.projects ? { projects: spec.projects } : { policy: WIKIMEDIA_POLICY }),
    ...(spec.safety ? { safety: spec.safety } : {}),
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
  };
  const configPath = join(dir, 'sync.yaml');
  writeFileSync(configPath, stringify(config));

  const ldapEnv = slapd ? { LDAP_CA_CERT_PATH: slapd.certs.caPath } : {};
  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli([...args, '--config', configPath], {
      GROWTHBOOK_LDAP_SYNC_API_KEY: CANARY_KEY,
      ...ldapEnv,
      ...env,
    });
  return {
    dir,
    configPath,
    emulator,
    gitiles,
    ...(slapd ? { slapd } : {}),
    run,
    async runJson(command, extra = [], env = {}) {
      const result = await run([command, '--output', 'json', ...extra], env);
      let doc: RunDoc;
      try {
        doc = JSON.parse(result.stdout) as RunDoc;
      } catch {
        throw new Error(
          `no JSON document on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
        );
      }
      return { ...result, doc };
    },
    writes: () =>
      emulator.requests
        .filter((r) => r.method === 'POST')
        .map((r) => ({ id: decodeURIComponent(r.path.split('/')[4] ?? ''), body: r.body })),
    async close() {
      try {
        await emulator.close();
        await gitiles.close();
      } finally {
        await slapd?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A member seed in the shape the emulator takes. */
export function seedMember(uid: string, overrides: Partial<SeedMember> = {}): SeedMember {
  return { id: `u_${uid}`, email: `${uid}@wikimedia.org`, name: uid, globalRole: 'noaccess', ...overrides };
}

/** One world per test: `given(spec)` starts it, and it is closed after the test, pass or fail. */
export function worldPerTest(defaults: Partial<WorldSpec> = {}): (spec: WorldSpec) => Promise<World> {
  let current: World | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (spec) => {
    current = await createWorld({ ...defaults, ...spec });
    return current;
  };
}

/**
 * The small organization many end-to-end tests share: `a` is in the admin group, `b` in the readonly
 * group, `c` in neither but holds `cRole` in the project, so its revoke is due.
 */
export const THREE_PEOPLE = [
  { uid: 'a', ldap: [ADMIN], posix: [GATE] },
  { uid: 'b', ldap: [READONLY], posix: [GATE] },
  { uid: 'c', ldap: [], posix: [GATE] },
];
export const threeMembers = (cRole = 'readonly'): SeedMember[] => [
  seedMember('a'),
  seedMember('b'),
  seedMember('c', { projectRoles: [{ project: PROJECT, role: cRole }] }),
];
