import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readApiKey, readDeadlineSeconds } from '../../src/config/environment.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { DEFAULT_POLICY } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';

const VALID = `growthbook:
  url: https://growthbook-api.example.org
  project: prj_abc
ldap:
  url: ldaps://ldap.example.org:636
  peopleBase: ou=people,dc=wikimedia,dc=org
  groupBase: ou=groups,dc=wikimedia,dc=org
posix:
  file: /tmp/data.yaml
`;

const errorOf = (text: string): string => {
  try {
    parseConfigText(text, 'sync.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfigText', () => {
  test('a minimal file gets the documented defaults', () => {
    const c = parseConfigText(VALID, 'sync.yaml');
    expect(c.growthbook).toMatchObject({ globalRole: 'noaccess', requestsPerMinute: 60, emailDomains: [] });
    expect(c.projects).toEqual([{ id: 'prj_abc', policy: DEFAULT_POLICY }]);
    expect(c.safety.threshold).toEqual({ min: 5, percent: 10 });
    expect(c.ldap).toMatchObject({ startTls: false });
  });

  test('an unknown key is named with its path and line', () => {
    const msg = errorOf(VALID.replace('  project: prj_abc', '  project: prj_abc\n  globalrole: admin'));
    expect(msg).toContain('growthbook.globalrole (line 4): unknown key');
  });

  test('an unknown key under the LDAP file shape is named too', () => {
    const msg = errorOf(
      VALID.replace('  url: ldaps://ldap.example.org:636', '  file: x.ldif\n  startTls: true'),
    );
    expect(msg).toContain('ldap.startTls');
  });

  test('a wrong type names the key', () => {
    const msg = errorOf(VALID.replace('  project: prj_abc', '  project: prj_abc\n  requestsPerMinute: lots'));
    expect(msg).toMatch(/growthbook\.requestsPerMinute \(line 4\): .*number/);
  });

  test('a missing section is named', () => {
    expect(errorOf(VALID.replace(/posix:\n {2}file: \/tmp\/data.yaml\n/, ''))).toContain('posix');
  });

  test('posix needs exactly one of url or file', () => {
    expect(errorOf(VALID.replace('  file: /tmp/data.yaml', '  file: a\n  url: https://x.org/y'))).toContain(
      'exactly one',
    );
  });

  test('a policy role missing from rank is rejected', () => {
    const msg = errorOf(
      `${VALID}policy:\n  gate: [g]\n  rules:\n    - {id: "1", ldapGroup: a, role: superuser}\n  rank: [noaccess, admin]\n`,
    );
    expect(msg).toContain('policy.rules.0.role');
  });

  test('invalid YAML reports the line', () => {
    expect(errorOf('growthbook:\n  url: [unclosed\n')).toMatch(/sync\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('several managed projects', () => {
  const LIST = VALID.replace('  project: prj_abc\n', '').concat(`projects:
  - id: prj_wikimedia
    policy:
      gate: [analytics-privatedata-users]
      rules:
        - {id: "1", ldapGroup: growthbook-admin, role: admin}
      rank: [noaccess, readonly, admin]
  - id: prj_wmde
    policy:
      gate: [analytics-wmde-users]
      rules:
        - {id: "w1", ldapGroup: wmde-growthbook, role: experimenter}
      rank: [noaccess, experimenter]
`);

  test('a projects list gives each project its own policy', () => {
    const c = parseConfigText(LIST, 'sync.yaml');
    expect(c.projects.map((p) => [p.id, p.policy.gate, p.policy.rank])).toEqual([
      ['prj_wikimedia', ['analytics-privatedata-users'], ['noaccess', 'readonly', 'admin']],
      ['prj_wmde', ['analytics-wmde-users'], ['noaccess', 'experimenter']],
    ]);
  });

  test('the one-project form is a list of one, with its policy', () => {
    const c = parseConfigText(
      `${VALID}policy:\n  gate: [g]\n  rules:\n    - {id: "1", ldapGroup: a, role: readonly}\n  rank: [noaccess, readonly]\n`,
      'sync.yaml',
    );
    expect(c.projects).toEqual([
      {
        id: 'prj_abc',
        policy: {
          gate: ['g'],
          rules: [{ id: '1', ldapGroup: 'a', role: 'readonly' }],
          rank: ['noaccess', 'readonly'],
        },
      },
    ]);
  });

  test('both forms at once name the keys to move', () => {
    const both = LIST.replace(
      '  url: https://growthbook-api.example.org',
      '  url: https://growthbook-api.example.org\n  project: prj_abc',
    );
    expect(errorOf(both)).toMatch(/growthbook\.project \(line 3\): with a projects list/);
    const withPolicy = `${LIST}policy:\n  gate: [g]\n  rules:\n    - {id: "1", ldapGroup: a, role: readonly}\n  rank: [noaccess, readonly]\n`;
    expect(errorOf(withPolicy)).toMatch(/^ {2}policy \(line \d+\): with a projects list/m);
  });

  test('a duplicate project id is named with both places', () => {
    expect(errorOf(LIST.replace('id: prj_wmde', 'id: prj_wikimedia'))).toMatch(
      /projects\.1\.id \(line \d+\): duplicate project id "prj_wikimedia" \(also projects\.0\.id\)/,
    );
  });

  test('an empty list is refused', () => {
    const empty = `${VALID.replace('  project: prj_abc\n', '')}projects: []\n`;
    expect(errorOf(empty)).toMatch(/projects \(line \d+\): list at least one managed project/);
  });

  test('no project named at all says how to name one', () => {
    expect(errorOf(VALID.replace('  project: prj_abc\n', ''))).toContain(
      'growthbook.project (line 1): name the managed project',
    );
  });

  test("role ids are checked against each project's own rank", () => {
    const msg = errorOf(LIST.replace('role: experimenter}', 'role: admin}'));
    expect(msg).toContain('projects.1.policy.rules.0.role');
    expect(msg).toContain('role "admin" is not listed in policy.rank');
  });

  test('a project needs its policy, and unknown keys in an entry are named', () => {
    expect(errorOf(`${VALID.replace('  project: prj_abc\n', '')}projects:\n  - id: prj_x\n`)).toContain(
      'projects.0.policy',
    );
    expect(errorOf(LIST.replace('  - id: prj_wmde', '  - id: prj_wmde\n    name: WMDE'))).toContain(
      'projects.1.name (line',
    );
  });
});

describe('safety rules in the configuration', () => {
  const withLine = (from: string, to: string) => errorOf(VALID.replace(from, to));
  test.each([
    ['admin', 'organization-wide'],
    ['gbDefault_projectAdmin', 'organization-wide'],
  ])('globalRole %s cannot be pinned', (role, words) => {
    expect(withLine('  project: prj_abc', `  project: prj_abc\n  globalRole: ${role}`)).toMatch(
      new RegExp(`growthbook.globalRole \\(line 4\\): .*${words}`),
    );
  });
  test('credentials inside a URL are refused', () => {
    expect(
      withLine('https://growthbook-api.example.org', 'https://user:t0ken@growthbook-api.example.org'),
    ).toMatch(/growthbook.url.*credentials/);
    expect(withLine('  file: /tmp/data.yaml', '  url: https://u:p@gerrit.example.org/x?format=TEXT')).toMatch(
      /posix.url.*credentials/,
    );
  });
  test('plain http is refused for GrowthBook and gitiles unless the host is loopback', () => {
    expect(withLine('https://growthbook-api.example.org', 'http://growthbook-api.example.org')).toMatch(
      /growthbook.url.*https/,
    );
    expect(() =>
      parseConfigText(
        VALID.replace('https://growthbook-api.example.org', 'http://127.0.0.1:8080'),
        'sync.yaml',
      ),
    ).not.toThrow();
  });
  test('requestsPerMinute has no upper bound, only sanity: a positive integer', () => {
    const rpm = (v: string) =>
      VALID.replace('  project: prj_abc', `  project: prj_abc\n  requestsPerMinute: ${v}`);
    expect(parseConfigText(rpm('1000000'), 'sync.yaml').growthbook.requestsPerMinute).toBe(1_000_000);
    for (const bad of ['0', '-5', '1.5']) {
      expect(errorOf(rpm(bad))).toMatch(/growthbook\.requestsPerMinute \(line 4\)/);
    }
  });
  test('plain ldap:// needs startTls unless the host is loopback', () => {
    expect(withLine('ldaps://ldap.example.org:636', 'ldap://ldap.example.org:389')).toMatch(
      /ldap.url.*startTls/,
    );
    expect(() =>
      parseConfigText(
        VALID.replace('ldaps://ldap.example.org:636', 'ldap://ldap.example.org:389').replace(
          '  peopleBase',
          '  startTls: true\n  peopleBase',
        ),
        'sync.yaml',
      ),
    ).not.toThrow();
    expect(() =>
      parseConfigText(VALID.replace('ldaps://ldap.example.org:636', 'ldap://127.0.0.1:3890'), 'sync.yaml'),
    ).not.toThrow();
  });
});

describe('environment', () => {
  test('API key from the environment, trimmed; missing key says how to fix it', () => {
    expect(readApiKey(undefined, { GROWTHBOOK_LDAP_SYNC_API_KEY: ' secret_x \n' })).toBe('secret_x');
    expect(() => readApiKey(undefined, {})).toThrow(/GROWTHBOOK_LDAP_SYNC_API_KEY/);
  });
  test('API key precedence: GROWTHBOOK_LDAP_SYNC_API_KEY, then growthbook.apiKeyFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gbsync-key-'));
    const file = join(dir, 'key');
    writeFileSync(file, 'secret_from_file\n');
    try {
      expect(readApiKey(file, { GROWTHBOOK_LDAP_SYNC_API_KEY: 'secret_from_env' })).toBe('secret_from_env');
      expect(readApiKey(file, { GROWTHBOOK_LDAP_SYNC_API_KEY: '  ' })).toBe('secret_from_file');
      expect(readApiKey(file, {})).toBe('secret_from_file');
      // The environment wins, so a configured file that is absent is not read when it is set.
      expect(readApiKey(join(dir, 'absent'), { GROWTHBOOK_LDAP_SYNC_API_KEY: 'secret_from_env' })).toBe(
        'secret_from_env',
      );
      expect(() => readApiKey(join(dir, 'absent'), {})).toThrow(
        /cannot read growthbook.apiKeyFile .*absent \(ENOENT\), and GROWTHBOOK_LDAP_SYNC_API_KEY is not set/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('SYNC_DEADLINE_SECONDS must be positive', () => {
    expect(readDeadlineSeconds({ SYNC_DEADLINE_SECONDS: '90' })).toBe(90);
    expect(readDeadlineSeconds({})).toBeUndefined();
    expect(() => readDeadlineSeconds({ SYNC_DEADLINE_SECONDS: '-1' })).toThrow(ConfigError);
  });
});

test("the README's configuration example is valid", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('```yaml\ngrowthbook:');
  const end = readme.indexOf('```', start + 7);
  expect(start).toBeGreaterThan(0);
  const config = parseConfigText(readme.slice(start + 8, end), 'README.md');
  expect(config.growthbook.maxSeats).toBe(150);
  expect(config.metrics.pushgatewayUrl).toBe('http://prometheus-pushgateway:9091');
});

test("the README's several-projects example is valid and keeps each policy", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('```yaml\nprojects:');
  const end = readme.indexOf('```', start + 7);
  expect(start).toBeGreaterThan(0);
  const config = parseConfigText(
    `${VALID.replace('  project: prj_abc\n', '')}${readme.slice(start + 8, end)}`,
    'README.md',
  );
  expect(config.projects.map((p) => [p.id, p.policy.gate[0]])).toEqual([
    ['prj_wikimedia', 'analytics-privatedata-users'],
    ['prj_wmde', 'analytics-wmde-users'],
  ]);
});
