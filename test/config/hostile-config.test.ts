// Configuration input that must be refused, clearly, with exit 3: the loader is as strict as the
// sources it configures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readApiKey } from '../../src/config/environment.js';
import { CONFIG_MAX_BYTES, loadConfigFile, parseConfigText } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { createGrowthBookClient } from '../../src/growthbook/client.js';

const VALID = `growthbook:
  url: https://growthbook-api.example.org
  project: prj_abc
  protectedEmails: [boss@wikimedia.org]
ldap:
  url: ldaps://ldap.example.org:636
  peopleBase: ou=people,dc=wikimedia,dc=org
  groupBase: ou=groups,dc=wikimedia,dc=org
posix:
  file: /tmp/data.yaml
`;

const dir = mkdtempSync(join(tmpdir(), 'gbsync-hostile-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the configuration file', () => {
  test('more than 100 YAML aliases is a configuration error, not a crash', () => {
    const anchors = `x: &a [1]\ny: [${Array.from({ length: 150 }, () => '*a').join(', ')}]\n`;
    const msg = configErrorOf(() => parseConfigText(VALID + anchors, 'sync.yaml'));
    expect(msg).toMatch(/sync\.yaml: .*aliases/);
  });

  test('bytes that are not UTF-8 are refused, naming the line', () => {
    const text = Buffer.from(VALID.replace('boss@wikimedia.org', 'bo\u0000ss@wikimedia.org'));
    const at = text.indexOf(0);
    const bad = Buffer.concat([text.subarray(0, at), Buffer.from([0xfe]), text.subarray(at + 1)]);
    const msg = configErrorOf(() => loadConfigFile(fileWith('latin1.yaml', bad)));
    expect(msg).toContain('latin1.yaml');
    expect(msg).toContain('line 4');
    expect(msg).toMatch(/not valid UTF-8/);
  });

  test('a file larger than the limit is refused, naming the limit', () => {
    const big = `${VALID}# ${'x'.repeat(CONFIG_MAX_BYTES)}\n`;
    const msg = configErrorOf(() => loadConfigFile(fileWith('big.yaml', big)));
    expect(msg).toContain('big.yaml');
    expect(msg).toContain(`${CONFIG_MAX_BYTES} bytes`);
  });

  test('an endless file (/dev/zero) is refused at the limit instead of read forever', () => {
    const msg = configErrorOf(() => loadConfigFile('/dev/zero'));
    expect(msg).toContain('/dev/zero');
    expect(msg).toContain(`${CONFIG_MAX_BYTES} bytes`);
  });
});

describe('growthbook settings', () => {
  for (const url of [
    'https://growthbook-api.example.org/?redirect=https://evil.example',
    'https://growthbook-api.example.org#fragment',
    'https://growthbook-api.example.org/?',
  ]) {
    test(`growthbook.url with a query or fragment is refused: ${url}`, () => {
      const msg = configErrorOf(() =>
        parseConfigText(VALID.replace('https://growthbook-api.example.org', url), 'sync.yaml'),
      );
      expect(msg).toMatch(/growthbook\.url \(line 2\): .*query or fragment/);
    });
  }

  for (const role of ['Admin', 'ADMIN', 'aDmIn', 'GBDEFAULT_PROJECTADMIN', 'gbdefault_projectadmin']) {
    test(`globalRole ${role} is refused as the admin it would be`, () => {
      const msg = configErrorOf(() =>
        parseConfigText(
          VALID.replace('  project: prj_abc', `  project: prj_abc\n  globalRole: ${role}`),
          's.yaml',
        ),
      );
      expect(msg).toContain('growthbook.globalRole');
      expect(msg).toContain('organization-wide access');
    });
  }
});

describe('the API key', () => {
  const SECRET = 'secret_admin_K3y';
  const bad: Array<[what: string, key: string, says: string]> = [
    ['a line feed', `${SECRET}\nX-Injected: 1`, 'a line break'],
    ['a carriage return', `${SECRET}\rmore`, 'a line break'],
    ['a character outside Latin-1', `${SECRET}\u2603`, 'a character that cannot be sent in an HTTP header'],
    ['a control character', `${SECRET}\u0007`, 'a control character'],
  ];
  for (const [what, key, says] of bad) {
    test(`a key containing ${what} is refused at once, without printing it`, () => {
      const fromEnv = configErrorOf(() => readApiKey(undefined, { GROWTHBOOK_LDAP_SYNC_API_KEY: key }));
      expect(fromEnv).toContain(`the key contains ${says}`);
      expect(fromEnv).not.toContain(SECRET);
      const fromFile = configErrorOf(() => readApiKey(fileWith('key', key), {}));
      expect(fromFile).toContain(`contains ${says}`);
      expect(fromFile).not.toContain(SECRET);
      const fromClient = configErrorOf(() =>
        createGrowthBookClient({ baseUrl: 'https://growthbook-api.example.org', apiKey: key }),
      );
      expect(fromClient).not.toContain(SECRET);
    });
  }

  test('a key file ending in a newline is fine (the line break is trimmed)', () => {
    expect(readApiKey(fileWith('key-nl', `${SECRET}\n`), {})).toBe(SECRET);
  });
});
