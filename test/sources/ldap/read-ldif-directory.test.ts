import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { SourceReadError } from '../../../src/errors.js';
import { createLdifDirectorySource } from '../../../src/sources/ldap/directory-source.js';
import { readLdifDirectory } from '../../../src/sources/ldap/read-ldif-directory.js';

const FIXTURE_PATH = fileURLToPath(new URL('../../fixtures/directory.ldif', import.meta.url));
const config = (file: string) => ({
  file,
  peopleBase: 'ou=people,dc=wikimedia,dc=org',
  groupBase: 'ou=groups,dc=wikimedia,dc=org',
});
const NAMES = ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'];

async function sourceError(promise: Promise<unknown>): Promise<SourceReadError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SourceReadError);
    expect((error as SourceReadError).source).toBe('ldap');
    return error as SourceReadError;
  }
  throw new Error('expected a SourceReadError');
}

describe('readLdifDirectory', () => {
  test('reads the fixture file into a directory and counts its entries', async () => {
    const result = await readLdifDirectory(config(FIXTURE_PATH), NAMES);
    expect(result.origin).toBe(FIXTURE_PATH);
    expect(result.entries).toBe(8);
    expect(result.directory.groups.map((g) => g.name)).toEqual(NAMES);
    expect(result.directory.people.map((p) => p.uid)).toEqual(['jexample', 'qtester', 'zformer']);
  });

  test('a missing file is an error naming it', async () => {
    const error = await sourceError(readLdifDirectory(config('/nonexistent/export.ldif'), NAMES));
    expect(error.message).toBe('ldap: cannot read LDIF file /nonexistent/export.ldif: no such file');
  });

  test('parse errors name the file and line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gbsync-ldif-')), 'bad.ldif');
    writeFileSync(file, 'dn: cn=a,dc=x\nchangetype: add\n');
    expect((await sourceError(readLdifDirectory(config(file), NAMES))).message).toMatch(
      new RegExp(`^ldap: ${file}:2: "changetype:"`),
    );
  });

  test('a missing group is an error naming the file', async () => {
    const error = await sourceError(readLdifDirectory(config(FIXTURE_PATH), ['growthbook-admin', 'nope']));
    expect(error.message).toBe(
      `ldap: ${FIXTURE_PATH}: no groupOfNames "nope" under ou=groups,dc=wikimedia,dc=org`,
    );
  });
});

describe('createLdifDirectorySource', () => {
  test('describes itself and reads the file on each call, ignoring mails', async () => {
    const source = createLdifDirectorySource(config(FIXTURE_PATH));
    expect(source.description).toBe(`LDIF file ${FIXTURE_PATH}`);
    const directory = await source.read({ groupNames: ['GrowthBook-Admin'], mails: ['nobody@example.org'] });
    expect(directory.groups).toEqual([
      {
        dn: 'cn=GrowthBook-Admin,ou=groups,dc=wikimedia,dc=org',
        name: 'GrowthBook-Admin',
        memberDns: ['uid=jexample,ou=people,dc=wikimedia,dc=org'],
      },
    ]);
    expect(directory.people).toHaveLength(3);
  });
});
