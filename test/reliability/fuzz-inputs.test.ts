// Generated hostile input for every reader of outside data: the configuration loader, data.yaml, LDIF
// and GrowthBook's member pages. Whatever the input, the reader either returns a value or throws its
// own failure class (exit 3 for the configuration, exit 4 for a source) with a message naming where
// the input came from: never another exception (which would be exit 1, "internal error"). Inputs are
// small and bounded, so the test timeout is the bound on any hang; iteration counts keep it fast.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/load-config.js';
import { ConfigError, SourceReadError } from '../../src/errors.js';
import { createGrowthBookClient } from '../../src/growthbook/client.js';
import { GrowthBookError } from '../../src/growthbook/errors.js';
import { buildDirectory } from '../../src/sources/ldap/build-directory.js';
import { parseLdif } from '../../src/sources/ldap/parse-ldif.js';
import { parseDataYaml } from '../../src/sources/posix/parse-data-yaml.js';
import { fakeClock, listedMember } from '../growthbook/helpers.js';

/** Iterations per property; together about 2,000 generated inputs. Raise locally for a deeper run. */
const FUZZ_RUNS = { config: 300, configBytes: 150, dataYaml: 400, ldif: 400, growthbook: 300 };
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

const dir = mkdtempSync(join(tmpdir(), 'gbsync-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `read`; any throw must be `kind` with a message naming `origin`. */
function failsCleanly(read: () => unknown, kind: new (...args: never[]) => Error, origin: string): void {
  try {
    read();
  } catch (error) {
    if (!(error instanceof kind)) throw new Error(`not a ${kind.name}: ${String(error)}`);
    expect(error.message).toContain(origin);
    expect(error.message.length).toBeLessThan(4000);
  }
}

// Pieces real files are made of, recombined: most generated inputs get past the first syntax check.
const yamlToken = fc.constantFrom(
  'groups:',
  'users:',
  'members:',
  ' ',
  '  ',
  '\n',
  '- ',
  ': ',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '---',
  '...',
  '!!str ',
  '!!binary ',
  '<<: ',
  '? ',
  '|',
  '>',
  'null',
  '~',
  'true',
  '0x1F',
  '1e309',
  'analytics-privatedata-users',
  'jexample',
  'gid: 731',
  'ensure: absent',
  '\t',
  '\r',
  '\u0000',
  '\uFEFF',
  'é',
  '\uD800',
);
const yamlish = fc.array(yamlToken, { maxLength: 80 }).map((parts) => parts.join(''));

const VALID_CONFIG = `growthbook:
  url: https://growthbook-api.example.org
  project: prj_abc
ldap:
  url: ldaps://ldap.example.org:636
  peopleBase: ou=people,dc=wikimedia,dc=org
  groupBase: ou=groups,dc=wikimedia,dc=org
posix:
  file: /tmp/data.yaml
`;

/** The valid file with a slice replaced by generated text: near-misses reach the schema. */
const mutatedConfig = fc
  .tuple(fc.nat(VALID_CONFIG.length), fc.nat(40), fc.oneof(yamlish, fc.string({ maxLength: 40 })))
  .map(([at, cut, insert]) => VALID_CONFIG.slice(0, at) + insert + VALID_CONFIG.slice(at + cut));

describe('fuzz: configuration', () => {
  test(`parseConfigText: config or ConfigError (${FUZZ_RUNS.config} inputs)`, () => {
    fc.assert(
      fc.property(fc.oneof(mutatedConfig, yamlish, fc.string({ maxLength: 200 })), (text) =>
        failsCleanly(() => parseConfigText(text, 'fuzz.yaml'), ConfigError, 'fuzz.yaml'),
      ),
      { numRuns: FUZZ_RUNS.config, seed: SEED },
    );
  });

  test(`loadConfigFile on raw bytes: config or ConfigError (${FUZZ_RUNS.configBytes} inputs)`, () => {
    const path = join(dir, 'bytes.yaml');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          mutatedConfig.map((t) => new Uint8Array(Buffer.from(t, 'latin1'))),
        ),
        (bytes) => {
          writeFileSync(path, bytes);
          failsCleanly(() => loadConfigFile(path), ConfigError, path);
        },
      ),
      { numRuns: FUZZ_RUNS.configBytes, seed: SEED },
    );
  });
});

describe('fuzz: data.yaml', () => {
  const VALID = `groups:
  analytics-privatedata-users:
    gid: 731
    members: &p [jexample, qtester]
  deployment:
    gid: 705
    members: [*p, other]
users:
  jexample: {ensure: present, uid: 1}
  qtester: {ensure: absent, uid: 2}
`;
  const mutated = fc
    .tuple(fc.nat(VALID.length), fc.nat(30), yamlish)
    .map(([at, cut, insert]) => VALID.slice(0, at) + insert + VALID.slice(at + cut));
  test(`parseDataYaml: groups or SourceReadError (${FUZZ_RUNS.dataYaml} inputs)`, () => {
    fc.assert(
      fc.property(fc.oneof(mutated, yamlish, fc.string({ maxLength: 200 })), (text) =>
        failsCleanly(() => parseDataYaml(text, 'fuzz-data.yaml'), SourceReadError, 'fuzz-data.yaml'),
      ),
      { numRuns: FUZZ_RUNS.dataYaml, seed: SEED },
    );
  });
});

describe('fuzz: LDIF', () => {
  const ldifToken = fc.constantFrom(
    'dn: ',
    'dn:: ',
    'uid=a,ou=people,dc=wikimedia,dc=org',
    'cn=growthbook-admin,ou=groups,dc=wikimedia,dc=org',
    'member: ',
    'mail: ',
    'uid: ',
    'cn: ',
    'objectClass: ',
    'version: 1',
    'changetype: add',
    ':: ',
    ':< ',
    'dW5p',
    '====',
    '\n',
    '\r\n',
    '\r',
    ' ',
    '#',
    'ou=People',
    '\\,',
    '+',
    '=',
    ',',
    'a;lang-de: ',
    '\u0000',
    'é',
    '\uFEFF',
  );
  const ldif = fc.array(ldifToken, { maxLength: 80 }).map((parts) => parts.join(''));
  test(`parseLdif and buildDirectory: a directory or SourceReadError (${FUZZ_RUNS.ldif} inputs)`, () => {
    fc.assert(
      fc.property(fc.oneof(ldif, fc.string({ maxLength: 200 })), (text) =>
        failsCleanly(
          () =>
            buildDirectory(
              parseLdif(text, 'fuzz.ldif'),
              {
                peopleBase: 'ou=people,dc=wikimedia,dc=org',
                groupBase: 'ou=groups,dc=wikimedia,dc=org',
                groupNames: ['growthbook-admin'],
              },
              'fuzz.ldif',
            ),
          SourceReadError,
          'fuzz.ldif',
        ),
      ),
      { numRuns: FUZZ_RUNS.ldif, seed: SEED },
    );
  });
});

describe('fuzz: GrowthBook member pages', () => {
  // A page is mostly right, then one field is replaced by something else: the shapes a proxy, a
  // version change or a bug could produce.
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const page = fc
    .record({
      count: fc.nat(3),
      field: fc.constantFrom(
        'members',
        'limit',
        'offset',
        'count',
        'total',
        'hasMore',
        'nextOffset',
        'id',
        'email',
        'globalRole',
        'projectRoles',
        'environments',
        'managedbyIdp',
        'none',
      ),
      value: anyJson,
    })
    .map(({ count, field, value }) => {
      const members = Array.from({ length: count }, (_, i) => listedMember(i + 1)) as Record<
        string,
        unknown
      >[];
      const body: Record<string, unknown> = {
        members,
        limit: 100,
        offset: 0,
        count,
        total: count,
        hasMore: false,
        nextOffset: null,
      };
      if (field in body) body[field] = value;
      else if (field !== 'none' && members[0]) members[0][field] = value;
      return JSON.stringify(body);
    });
  const body = fc.oneof(
    page,
    fc.string({ maxLength: 120 }),
    anyJson.map((v) => JSON.stringify(v)),
  );

  test(`listMembers: members or a GrowthBookError (${FUZZ_RUNS.growthbook} inputs)`, async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(200, 200, 200, 400, 500), async (text, status) => {
        const client = createGrowthBookClient({
          baseUrl: 'https://growthbook.example.org',
          apiKey: 'secret_admin_fuzz',
          maxRetries: 0,
          clock: fakeClock(),
          fetch: async () => new Response(text, { status, headers: { 'Content-Type': 'application/json' } }),
        });
        try {
          await client.listMembers();
        } catch (error) {
          if (!(error instanceof GrowthBookError)) throw new Error(`not a GrowthBookError: ${String(error)}`);
          expect(error.message).toContain('/api/v1/members');
          expect(error.message).not.toContain('secret_admin_fuzz');
        }
      }),
      { numRuns: FUZZ_RUNS.growthbook, seed: SEED, timeout: 5000 },
    );
  });
});
