// Source files and answers are bounded where they are read, and what an error quotes from them is
// capped: a path pointing at /dev/zero, a data.yaml that is not one, or an LDIF with old Mac line
// endings ends in a short, clear source error (exit 4), not in memory exhaustion or a megabyte
// message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { SourceReadError } from '../../src/errors.js';
import { parseLdif } from '../../src/sources/ldap/parse-ldif.js';
import { LDIF_MAX_BYTES, readLdifDirectory } from '../../src/sources/ldap/read-ldif-directory.js';
import { DATA_YAML_MAX_BYTES, readPosixGroups } from '../../src/sources/posix/read-posix-groups.js';
import { noDeadline } from '../../src/util/deadline.js';
import { type GitilesServer, startGitiles } from '../helpers/gitiles-server.js';

const dir = mkdtempSync(join(tmpdir(), 'gbsync-source-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let gitiles: GitilesServer | undefined;
afterEach(async () => {
  await gitiles?.close();
  gitiles = undefined;
});

const sourceErrorOf = async (read: () => Promise<unknown>): Promise<string> => {
  const error = await read().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceReadError);
  return (error as Error).message;
};

const LDIF = {
  peopleBase: 'ou=people,dc=wikimedia,dc=org',
  groupBase: 'ou=groups,dc=wikimedia,dc=org',
};

describe('size limits where each source is read', () => {
  test('a data.yaml file that never ends (/dev/zero) stops at the limit', async () => {
    const msg = await sourceErrorOf(() => readPosixGroups({ file: '/dev/zero' }, { deadline: noDeadline }));
    expect(msg).toContain('/dev/zero');
    expect(msg).toContain(`larger than the limit of ${DATA_YAML_MAX_BYTES} bytes`);
  });

  test('an LDIF file that never ends (/dev/zero) stops at the limit', async () => {
    const msg = await sourceErrorOf(() => readLdifDirectory({ file: '/dev/zero', ...LDIF }, ['g']));
    expect(msg).toContain('/dev/zero');
    expect(msg).toContain(`larger than the limit of ${LDIF_MAX_BYTES} bytes`);
  });

  test('data.yaml from gitiles larger than the limit once decoded is refused', async () => {
    gitiles = await startGitiles(`# ${'x'.repeat(DATA_YAML_MAX_BYTES)}\ngroups: {}\n`);
    const msg = await sourceErrorOf(() =>
      readPosixGroups({ url: gitiles?.url ?? '' }, { deadline: noDeadline }),
    );
    expect(msg).toContain(`larger than the limit of ${DATA_YAML_MAX_BYTES} bytes`);
  });
});

describe('excerpts in LDIF errors are capped', () => {
  test('CR-only line endings: a short error naming the cause, not the whole file', async () => {
    const entry = (i: number) =>
      [`dn: uid=p${i},ou=people,dc=wikimedia,dc=org`, `uid: p${i}`, `mail: p${i}@wikimedia.org`, ''].join(
        '\r',
      );
    const path = join(dir, 'mac.ldif');
    writeFileSync(path, Array.from({ length: 2000 }, (_, i) => entry(i)).join('\r'));
    const msg = await sourceErrorOf(() => readLdifDirectory({ file: path, ...LDIF }, ['g']));
    expect(msg.length).toBeLessThan(400);
    expect(msg).toMatch(/carriage return/);
  });

  test('a huge attribute name is quoted only in part', () => {
    const text = `dn: cn=x,dc=org\n${'a'.repeat(100_000)}!: value\n`;
    let msg = '';
    try {
      parseLdif(text, 'long.ldif');
    } catch (error) {
      msg = (error as Error).message;
    }
    expect(msg).toContain('long.ldif:2');
    expect(msg.length).toBeLessThan(400);
  });
});
