// The cost of a production-sized read against slapd: 3 groups and 2,000 people. The count of LDAP
// operations is asserted exactly and printed, so a change that adds a search per person fails here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../../src/observe/logger.js';
import { createNetworkDirectorySource } from '../../../src/sources/ldap/network-directory-source.js';
import { noDeadline } from '../../../src/util/deadline.js';
import { GROUP_BASE, PEOPLE_BASE, type Slapd, startSlapd } from '../../helpers/slapd.js';

const PEOPLE = 2000;
const GROUPS = {
  'growthbook-admin': 20,
  'growthbook-customelevatedaccess': 180,
  'growthbook-readonly': 1800,
};

function fixture(): string {
  const lines: string[] = [];
  for (const ou of ['people', 'groups']) {
    lines.push(`dn: ou=${ou},dc=wikimedia,dc=org`, 'objectClass: organizationalUnit', `ou: ${ou}`, '');
  }
  for (let i = 0; i < PEOPLE; i++) {
    lines.push(
      `dn: uid=p${i},${PEOPLE_BASE}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      `uid: p${i}`,
      `cn: P${i}`,
      `sn: P${i}`,
      `uidNumber: ${60000 + i}`,
      'gidNumber: 500',
      `homeDirectory: /home/p${i}`,
      `mail: p${i}@wikimedia.org`,
      '',
    );
  }
  let next = 0;
  Object.entries(GROUPS).forEach(([cn, size], g) => {
    lines.push(`dn: cn=${cn},${GROUP_BASE}`, 'objectClass: groupOfNames', 'objectClass: posixGroup');
    lines.push(`cn: ${cn}`, `gidNumber: ${55001 + g}`);
    for (let i = 0; i < size; i++) lines.push(`member: uid=p${next++},${PEOPLE_BASE}`);
    lines.push('');
  });
  return lines.join('\n');
}

let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd({ ldif: fixture() });
}, 60_000);
afterAll(async () => {
  await slapd?.stop();
});

const read = async (mails: string[]) => {
  const src = createNetworkDirectorySource(
    {
      url: slapd.ldapsUrl,
      startTls: false,
      peopleBase: PEOPLE_BASE,
      groupBase: GROUP_BASE,
      timeoutSeconds: 30,
    },
    {
      env: { LDAP_CA_CERT_PATH: slapd.certs.caPath },
      deadline: noDeadline,
      logger: createLogger({ runId: 't', level: 'silent' }),
    },
  );
  const started = Date.now();
  const directory = await src.read({ groupNames: Object.keys(GROUPS), mails });
  return { directory, details: src.details?.() ?? {}, ms: Date.now() - started };
};

const allMails = Array.from({ length: PEOPLE }, (_, i) => `p${i}@wikimedia.org`);

test('3 groups, 2,000 people who are all GrowthBook members: 29 operations', async () => {
  const { directory, details, ms } = await read(allMails);
  expect(directory.people).toHaveLength(PEOPLE);
  expect(directory.groups.map((g) => g.memberDns.length)).toEqual(Object.values(GROUPS));
  // 1 group search + 20 mail batches of 100 (they bring every group member), on 4 connections
  // (bind and unbind each)
  expect(details).toMatchObject({ operations: 21 + 4 * 2, connections: 4, searches: 21 });
  console.log(
    `LDAP read, 3 groups and ${PEOPLE} people (all members): ${details.operations} operations, ${ms} ms`,
  );
});

test('3 groups, 2,000 people and no GrowthBook members yet: 29 operations', async () => {
  const { directory, details, ms } = await read([]);
  expect(directory.people).toHaveLength(PEOPLE);
  // 1 group search + 20 member-DN batches of 100, on 4 connections
  expect(details).toMatchObject({ operations: 21 + 4 * 2, connections: 4, searches: 21 });
  console.log(
    `LDAP read, 3 groups and ${PEOPLE} people (no members): ${details.operations} operations, ${ms} ms`,
  );
});

test('2,000 group members and 2,000 other GrowthBook members: 49 operations', async () => {
  const others = Array.from({ length: PEOPLE }, (_, i) => `someone-else-${i}@wikimedia.org`);
  const { details, ms } = await read(others);
  // groups + 20 mail batches (finding nobody) + 20 member-DN batches, on 4 connections
  expect(details).toMatchObject({ operations: 41 + 4 * 2, connections: 4, searches: 41 });
  console.log(
    `LDAP read, 3 groups, ${PEOPLE} people, ${PEOPLE} unrelated members: ${details.operations} operations, ${ms} ms`,
  );
});
