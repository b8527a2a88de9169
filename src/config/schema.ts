// The configuration file's schema (docs/configuration.md). Every object is strict: an unknown key
// is an error naming its path. Secrets never live here; they come from the environment or a file.
import { z } from 'zod';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
/** Plain-text protocols are accepted only to this machine (tests, the demo, a local tunnel). */
export const isLoopbackHost = (host: string) => LOOPBACK.test(host);

/**
 * The URL, or null when it does not parse. Refinements still run after a failed format check, and
 * must then add nothing (the format issue says it) rather than throw.
 */
function urlOf(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** An http(s) URL without credentials in it (they would end up in logs and errors). */
const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).refine((u) => {
  const url = urlOf(u);
  return url === null || (url.username === '' && url.password === '');
}, 'must not carry credentials (user:password@); secrets come from the environment or a file');
/** The same, and https unless the host is a loopback address: API keys and access data travel here. */
const secureUrl = webUrl.refine((u) => {
  const url = urlOf(u);
  return url === null || url.protocol === 'https:' || isLoopbackHost(url.hostname);
}, 'must use https:// (plain http:// is accepted only for a loopback address)');
const roleId = z.string().regex(/^[A-Za-z0-9_]+$/, 'a GrowthBook role id: letters, digits and underscores');

/** Roles that would hand out cross-project or organization-wide power if pinned on every write. */
const UNPINNABLE = ['admin', 'gbDefault_projectAdmin'];

/** The API base: a query or fragment would be glued onto every request path and send it elsewhere. */
const apiBaseUrl = secureUrl.refine(
  (u) => !u.includes('?') && !u.includes('#'),
  'must be the API base URL alone, without a query or fragment (`?…`, `#…`)',
);

const growthbook = z.strictObject({
  url: apiBaseUrl,
  // The one-project form; `projects` (top level) lists several.
  project: nonEmpty.optional(),
  globalRole: roleId
    // Whatever the spelling: a role id that differs only in case must never slip past this guard.
    .refine((r) => !UNPINNABLE.some((u) => u.toLowerCase() === r.toLowerCase()), {
      message: 'is pinned on every write; admin or project admin there would grant organization-wide access',
    })
    .default('noaccess'),
  emailDomains: z.array(nonEmpty).default([]),
  protectedEmails: z.array(nonEmpty).default([]),
  // No upper bound: a self-hosted GrowthBook's API_RATE_LIMIT_MAX can be any number.
  requestsPerMinute: z.number().int().positive().default(60),
  apiKeyFile: nonEmpty.optional(),
  authScheme: z.enum(['bearer', 'basic']).default('bearer'),
  maxRetries: z.number().int().min(0).max(20).default(5),
  maxSeats: z.number().int().min(0).optional(),
});

const ldapUrl = z
  .string()
  .regex(/^ldaps?:\/\/[^\s/]+(:\d+)?\/?$/i, 'must look like ldaps://host:636 or ldap://host:389');

const ldapNetwork = z
  .strictObject({
    url: ldapUrl,
    startTls: z.boolean().default(false),
    peopleBase: nonEmpty,
    groupBase: nonEmpty,
    bindDn: nonEmpty.optional(),
    strictMembers: z.boolean().optional(),
    timeoutSeconds: z.number().positive().max(600).default(30),
  })
  .superRefine((l, ctx) => {
    // Group membership read in clear text can be altered on the way, and membership grants access.
    const url = urlOf(l.url.replace(/^ldaps?:/i, 'http:'));
    if (url && /^ldap:/i.test(l.url) && !l.startTls && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'plain ldap:// would read group membership unencrypted; use ldaps:// or set startTls: true',
      });
    }
  });

const ldapFile = z.strictObject({
  file: nonEmpty,
  peopleBase: nonEmpty,
  groupBase: nonEmpty,
  strictMembers: z.boolean().optional(),
});

const posixUrl = z.strictObject({ url: secureUrl });
const posixFile = z.strictObject({ file: nonEmpty });

const rule = z.strictObject({
  id: nonEmpty,
  ldapGroup: nonEmpty,
  posixAnyOf: z.array(nonEmpty).optional(),
  role: roleId,
});

export const DEFAULT_POLICY = {
  gate: ['analytics-privatedata-users'],
  rules: [
    { id: '1', ldapGroup: 'growthbook-admin', role: 'admin' },
    {
      id: '2',
      ldapGroup: 'growthbook-customelevatedaccess',
      posixAnyOf: ['analytics-product-users', 'analytics-wmde-users', 'deployment'],
      role: 'CustomElevatedAccess',
    },
    { id: '3', ldapGroup: 'growthbook-customelevatedaccess', role: 'readonly' },
    { id: '4', ldapGroup: 'growthbook-readonly', role: 'readonly' },
  ],
  rank: ['noaccess', 'readonly', 'CustomElevatedAccess', 'admin'],
};

const policy = z
  .strictObject({
    gate: z.array(nonEmpty).min(1, 'name at least one gate POSIX group'),
    rules: z.array(rule).min(1, 'name at least one rule'),
    rank: z.array(roleId).min(2),
  })
  .superRefine((p, ctx) => {
    if (p.rank[0] !== 'noaccess') {
      ctx.addIssue({ code: 'custom', path: ['rank', 0], message: 'rank must start with noaccess' });
    }
    if (new Set(p.rank).size !== p.rank.length) {
      ctx.addIssue({ code: 'custom', path: ['rank'], message: 'rank lists a role twice' });
    }
    const ids = new Set<string>();
    p.rules.forEach((r, i) => {
      if (ids.has(r.id)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      }
      ids.add(r.id);
      if (!p.rank.includes(r.role)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'role'],
          message: `role "${r.role}" is not listed in policy.rank`,
        });
      }
    });
  });

/** One managed project of the list form: its id and its own policy. */
const managedProject = z.strictObject({ id: nonEmpty, policy });

const projects = z
  .array(managedProject, { error: 'projects must be a list of {id, policy}' })
  .min(1, 'list at least one managed project')
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((p, i) => {
      const first = seen.get(p.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `duplicate project id "${p.id}" (also projects.${first}.id): one entry per project`,
        });
      } else {
        seen.set(p.id, i);
      }
    });
  });

const safety = z.strictObject({
  threshold: z
    .strictObject({
      min: z.number().int().min(0).default(5),
      percent: z.number().min(0).max(100).default(10),
    })
    .default({ min: 5, percent: 10 }),
  maxPlanAgeSeconds: z.number().int().positive().default(3600),
});

const metrics = z.strictObject({
  textfile: nonEmpty.optional(),
  pushgatewayUrl: webUrl.optional(),
  /** Added to the Pushgateway grouping key after the project (e.g. `dry-run` for a plan deployment). */
  instance: nonEmpty.optional(),
});

const baseSchema = z.strictObject({
  growthbook,
  // ldap and posix each have two shapes; the shape is chosen by its keys below so that an error
  // names the exact key instead of "no union member matched".
  ldap: z.record(z.string(), z.unknown(), { error: 'ldap must be a mapping' }),
  posix: z.record(z.string(), z.unknown(), { error: 'posix must be a mapping' }),
  policy: policy.optional(),
  projects: projects.optional(),
  safety: safety.default({ threshold: { min: 5, percent: 10 }, maxPlanAgeSeconds: 3600 }),
  metrics: metrics.default({}),
  logging: z.strictObject({ format: z.enum(['json', 'ecs']).optional() }).default({}),
});

export type LdapNetworkConfig = z.infer<typeof ldapNetwork>;
export type LdapFileConfig = z.infer<typeof ldapFile>;
export type LdapConfig = LdapNetworkConfig | LdapFileConfig;
export type PosixConfig = { url: string } | { file: string };
export type PolicyConfig = z.infer<typeof policy>;
/** A managed project and the policy that decides roles in it. */
export interface ProjectConfig {
  id: string;
  policy: PolicyConfig;
}
type BaseConfig = z.infer<typeof baseSchema>;
/**
 * The validated configuration. Both ways of naming managed projects end up in `projects`: the
 * one-project form (`growthbook.project` + `policy`) is a list of one.
 */
export type Config = Omit<BaseConfig, 'ldap' | 'posix' | 'policy' | 'projects' | 'growthbook'> & {
  growthbook: Omit<BaseConfig['growthbook'], 'project'>;
  projects: ProjectConfig[];
  ldap: LdapConfig;
  posix: PosixConfig;
};

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  /** For an object with keys the schema does not know: those keys. */
  unknownKeys?: string[];
}

export type ParsedConfig = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

const issuesOf = (error: z.ZodError, prefix: (string | number)[] = []): ConfigIssue[] =>
  error.issues.map((i) => ({
    path: [...prefix, ...i.path.filter((p) => typeof p !== 'symbol')],
    message: i.message,
    ...(i.code === 'unrecognized_keys' ? { unknownKeys: i.keys } : {}),
  }));

export function parseConfig(raw: unknown): ParsedConfig {
  const base = baseSchema.safeParse(raw);
  if (!base.success) return { ok: false, issues: issuesOf(base.error) };
  const issues: ConfigIssue[] = [];

  const rawLdap = base.data.ldap;
  const ldapResult = ('file' in rawLdap ? ldapFile : ldapNetwork).safeParse(rawLdap);
  if (!ldapResult.success) issues.push(...issuesOf(ldapResult.error, ['ldap']));

  const rawPosix = base.data.posix;
  const hasUrl = 'url' in rawPosix;
  const hasFile = 'file' in rawPosix;
  let posixConfig: PosixConfig | undefined;
  if (hasUrl === hasFile) {
    issues.push({
      path: ['posix'],
      message: 'give exactly one of `url` (gitiles ?format=TEXT) or `file` (plain YAML)',
    });
  } else {
    const r = (hasUrl ? posixUrl : posixFile).safeParse(rawPosix);
    if (r.success) posixConfig = r.data;
    else issues.push(...issuesOf(r.error, ['posix']));
  }
  const managed = managedProjectsOf(base.data, issues);
  if (issues.length > 0 || !ldapResult.success || !posixConfig || !managed) return { ok: false, issues };
  const { project: _oneProject, ...growthbookRest } = base.data.growthbook;
  const { policy: _onePolicy, projects: _list, ...rest } = base.data;
  return {
    ok: true,
    config: {
      ...rest,
      growthbook: growthbookRest,
      projects: managed,
      ldap: ldapResult.data,
      posix: posixConfig,
    },
  };
}

/** The managed projects: the `projects` list, or the one-project form as a list of one. */
function managedProjectsOf(data: BaseConfig, issues: ConfigIssue[]): ProjectConfig[] | undefined {
  const one = data.growthbook.project;
  if (data.projects !== undefined) {
    const both = 'with a projects list, each project carries its own id and policy; move it into the list';
    if (one !== undefined) issues.push({ path: ['growthbook', 'project'], message: both });
    if (data.policy !== undefined) issues.push({ path: ['policy'], message: both });
    return one === undefined && data.policy === undefined ? data.projects : undefined;
  }
  if (one === undefined) {
    issues.push({
      path: ['growthbook', 'project'],
      message: 'name the managed project: growthbook.project (one project) or a top-level projects list',
    });
    return undefined;
  }
  return [{ id: one, policy: data.policy ?? DEFAULT_POLICY }];
}
