// Server limits: a slapd whose size limit is far below the result still gives every entry through
// the paged-results control; a limit that paging cannot lift is an error, never a short list. Batched
// searches keep the operation count proportional to batches, not people.
import type { Socket } from 'node:net';
import { Client, SizeLimitExceededError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LdapNetworkConfig } from '../../../src/config/schema.js';
import { SourceReadError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observe/logger.js';
import {
  createNetworkDirectorySource,
  type NetworkSourceTuning,
} from '../../../src/sources/ldap/network-directory-source.js';
import { noDeadline } from '../../../src/util/deadline.js';
import { type ScriptedLdapServer, startScriptedLdapServer } from '../../helpers/scripted-ldap-server.js';
import { GROUP_BASE, PEOPLE_BASE, type Slapd, startSlapd } from '../../helpers/slapd.js';

const silent = createLogger({ runId: 'test', level: 'silent' });

/** `count` people (u0…), all members of one group `big`. */
function population(count: number): string {
  const lines: string[] = [];
  for (const ou of ['people', 'groups'])
    lines.push(`dn: ou=${ou},dc=wikimedia,dc=org`, 'objectClass: organizationalUnit', `ou: ${ou}`, '');
  for (let i = 0; i < count; i++) {
    lines.push(
      `dn: uid=u${i},${PEOPLE_BASE}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      `uid: u${i}`,
      `cn: u${i}`,
      `sn: u${i}`,
      `uidNumber: ${50000 + i}`,
      'gidNumber: 500',
      `homeDirectory: /home/u${i}`,
      `mail: u${i}@wikimedia.org`,
      '',
    );
  }
  lines.push(
    `dn: cn=big,${GROUP_BASE}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: big',
    'gidNumber: 55100',
  );
  for (let i = 0; i < count; i++) lines.push(`member: uid=u${i},${PEOPLE_BASE}`);
  return `${lines.join('\n')}\n`;
}

function source(url: string, tuning: NetworkSourceTuning = {}, config: Partial<LdapNetworkConfig> = {}) {
  const sockets: Socket[] = [];
  const src = createNetworkDirectorySource(
    { url, startTls: false, peopleBase: PEOPLE_BASE, groupBase: GROUP_BASE, timeoutSeconds: 5, ...config },
    { env: {}, deadline: noDeadline, logger: silent },
    { onSocket: (s) => sockets.push(s), ...tuning },
  );
  return { src, sockets };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

describe('a server that caps results at 5 entries, paged results unlimited', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({
      ldif: population(12),
      sizeLimit: 'size.soft=5 size.hard=5 size.prtotal=unlimited',
    });
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  test('the cap is real: a search without paging is cut at 5 with sizeLimitExceeded', async () => {
    const client = new Client({ url: slapd.url });
    try {
      await expect(client.search(PEOPLE_BASE, { scope: 'one', filter: '(uid=*)' })).rejects.toBeInstanceOf(
        SizeLimitExceededError,
      );
    } finally {
      await client.unbind();
    }
  });

  test('paged reads still get all 12 people, page by page', async () => {
    const { src, sockets } = source(slapd.url, { pageSize: 4 });
    const directory = await src.read({ groupNames: ['big'], mails: [] });
    expect(directory.groups[0]?.memberDns).toHaveLength(12);
    expect(directory.people).toHaveLength(12);
    // bind + groups (1 page) + members by DN (12 entries in pages of 4) + unbind
    expect(src.details?.()).toMatchObject({ operations: 1 + 1 + 3 + 1, searches: 2, entries: 13 });
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('searches of several pages run at once, each on its own connection', async () => {
    // OpenLDAP keeps one paged-results state per connection: two paged searches interleaved on one
    // connection would invalidate each other's cookie.
    const { src, sockets } = source(slapd.url, { pageSize: 2, batchSize: 4, concurrency: 3 });
    const directory = await src.read({ groupNames: ['big'], mails: [] });
    expect(directory.people).toHaveLength(12);
    // groups (1 page), then 3 batches of 4 members at once, 2 pages each, on 3 connections
    expect(src.details?.()).toMatchObject({ searches: 4, connections: 3, operations: 3 * 2 + 1 + 3 * 2 });
    expect(sockets).toHaveLength(3);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });

  test('with the production page size, one page per search', async () => {
    const { src } = source(slapd.url);
    const directory = await src.read({
      groupNames: ['big'],
      mails: ['u1@wikimedia.org', 'u2@wikimedia.org'],
    });
    expect(directory.people).toHaveLength(12);
    // bind, groups, the 2 mails in one batch, the other 10 members in one batch, unbind
    expect(src.details?.()).toMatchObject({ operations: 5, connections: 1, searches: 3 });
  });

  test('people are looked up in batches: operations grow with batches, not people', async () => {
    const { src } = source(slapd.url, { batchSize: 5 });
    await src.read({ groupNames: ['big'], mails: [] });
    // groups, then 3 batches at once on 3 connections
    expect(src.details?.()).toMatchObject({ searches: 1 + 3, connections: 3, operations: 3 * 2 + 1 + 3 });
  });
});

describe('a server whose limit paging cannot lift (Wikimedia: size.prtotal = size.hard)', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({ ldif: population(12), sizeLimit: 'size.soft=5 size.hard=5' });
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  test('size limit exceeded is an error naming the server and the search, never a short list', async () => {
    const { src, sockets } = source(slapd.url, { pageSize: 4 });
    const error = await failure(src.read({ groupNames: ['big'], mails: [] }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toMatch(
      new RegExp(
        `^ldap: ${slapd.url}: search people by group member DN \\(batch 1 of 1\\) .*: size limit exceeded`,
      ),
    );
    expect(sockets.every((s) => s.destroyed)).toBe(true);
  });
});

describe('results slapd cannot be made to give on demand', () => {
  let server: ScriptedLdapServer | undefined;
  afterAll(async () => {
    await server?.close();
  });

  test('time limit exceeded is an error', async () => {
    server = await startScriptedLdapServer({ resultCode: 3, message: 'timelimit reached' });
    const { src, sockets } = source(server.url);
    const error = await failure(src.read({ groupNames: ['big'], mails: [] }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toContain(
      `${server.url}: read groups big under ${GROUP_BASE}: time limit exceeded`,
    );
    expect(error.message).toContain('LDAP result 3; server said: timelimit reached');
    // The unbind goes out as the socket closes; give the server a moment to read it.
    for (let i = 0; i < 50 && server.received.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.received).toEqual(['bind', 'search', 'unbind']);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    await server.close();
    server = undefined;
  });

  test('a referral is an error: part of the directory would be elsewhere', async () => {
    server = await startScriptedLdapServer({
      referral: 'ldap://elsewhere.example/ou=groups,dc=wikimedia,dc=org',
    });
    const { src } = source(server.url);
    const error = await failure(src.read({ groupNames: ['big'], mails: [] }));
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error.message).toMatch(
      /referrals \(ldap:\/\/elsewhere\.example\/.*\), which this tool does not follow/,
    );
    await server.close();
    server = undefined;
  });
});
