// Synthetic organizations for the benchmark, shaped like Wikimedia's sources and scaled up: LDAP
// people and groups (with dangling and Toolforge service-group member DNs), a puppet data.yaml
// (anchors, aliases nesting lists, `ensure: absent`, multi-line descriptions) and GrowthBook members
// already at the role the default policy gives them, so that the first plan is converged.
// Deterministic: the same size always gives the same organization.

export const SIZES = {
  // For the test suite's smoke run of the benchmark only.
  tiny: { people: 200, members: 20, users: 100, groups: 30 },
  wikimedia: { people: 2_000, members: 20, users: 630, groups: 126 },
  medium: { people: 10_000, members: 2_000, users: 4_500, groups: 400 },
  large: { people: 100_000, members: 20_000, users: 25_000, groups: 1_500 },
};

export const SUFFIX = 'dc=wikimedia,dc=org';
export const PEOPLE_BASE = `ou=people,${SUFFIX}`;
export const GROUP_BASE = `ou=groups,${SUFFIX}`;
export const PROJECT = 'prj_wikimedia';
export const OTHER_PROJECT = 'prj_wmde';
export const LDAP_GROUPS = ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'];
const GATE = 'analytics-privatedata-users';
const QUALIFIERS = ['analytics-product-users', 'analytics-wmde-users', 'deployment'];

/** A small seeded generator (mulberry32): benchmarks compare runs of the same data. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uidOf = (i) => `u${String(i).padStart(6, '0')}`;
const personDn = (uid) => `uid=${uid},${PEOPLE_BASE}`;

export function generateOrganization(name, { oddMembers = true } = {}) {
  const size = SIZES[name];
  if (!size) throw new Error(`unknown size ${name}; one of ${Object.keys(SIZES).join(', ')}`);
  const rnd = random(size.people);
  const pick = (n, from) => {
    const out = new Set();
    while (out.size < Math.min(n, from.length)) out.add(from[Math.floor(rnd() * from.length)]);
    return [...out];
  };

  // People: every 50th has a mail on another domain, two pairs share a mail (ambiguous identity),
  // a few disabled accounts have no mail at all.
  const people = [];
  for (let i = 0; i < size.people; i++) {
    const uid = uidOf(i);
    let mail = `${uid}@${i % 50 === 7 ? 'wikimedia.de' : 'wikimedia.org'}`;
    if (i % 997 === 3) mail = null;
    people.push({ uid, mail });
  }
  people[1].mail = people[0].mail;
  people[size.people - 1].mail = people[size.people - 2].mail;

  // data.yaml users: the first `users` people, a third of them absent (as today).
  const users = people.slice(0, size.users).map((p, i) => ({ ...p, absent: i % 3 === 2 }));
  const present = users.filter((u) => !u.absent).map((u) => u.uid);
  const absent = users.filter((u) => u.absent).map((u) => u.uid);

  // POSIX groups: teams with anchors; deployment and others alias teams (nesting up to 3 deep).
  const teams = [];
  const teamCount = Math.max(20, Math.floor(size.groups / 6));
  for (let t = 0; t < teamCount; t++) teams.push({ name: `team-${t}`, members: pick(12, present) });
  const posix = [];
  posix.push({ name: 'absent', members: absent, description: 'meta group for absented users' });
  posix.push({ name: 'absent_ldap', members: [] });
  for (const [t, team] of teams.entries()) {
    const nested = t % 5 === 4 ? [`*team_${t - 1}`, `*team_${t - 2}`] : [];
    posix.push({ name: team.name, anchor: `team_${t}`, members: [...nested, ...team.members] });
  }
  // Most GrowthBook users are in the gate; about half of everyone else with a shell account.
  const memberUids = new Set(people.slice(0, size.members).map((p) => p.uid));
  const gateMembers = [
    ...new Set([
      ...present.filter((uid, i) => memberUids.has(uid) && i % 8 !== 0),
      ...pick(Math.floor(present.length * 0.5), present),
    ]),
  ];
  posix.push({
    name: GATE,
    gid: 731,
    anchor: 'analytics_privatedata_users',
    members: gateMembers,
    description:
      'This group is the main entry point to the Analytics cluster.\n      Multi-line plain scalar.',
  });
  posix.push({ name: 'analytics-privatedata-users-alias', members: ['*analytics_privatedata_users'] });
  posix.push({ name: QUALIFIERS[0], gid: 820, members: pick(Math.max(12, present.length / 30), present) });
  posix.push({ name: QUALIFIERS[1], gid: 784, members: pick(Math.max(13, present.length / 30), present) });
  posix.push({
    name: QUALIFIERS[2],
    gid: 705,
    anchor: 'deployment_members',
    members: ['*team_0', '*team_4', '*team_9', ...pick(Math.floor(present.length / 4), present)],
  });
  while (posix.length < size.groups) {
    const k = posix.length;
    posix.push({ name: `group-${k}`, gid: 1000 + k, members: pick(1 + (k % 20), present) });
  }

  const yaml = ['---', 'groups:'];
  for (const g of posix) {
    yaml.push(`  ${g.name}:`);
    if (g.gid) yaml.push(`    gid: ${g.gid}`);
    yaml.push(`    description: ${g.description ?? `the ${g.name} group`}`);
    const list = `[${g.members.join(', ')}]`;
    yaml.push(`    members: ${g.anchor ? `&${g.anchor} ` : ''}${list}`);
    if (g.gid) yaml.push(`    privileges: ['ALL = (${g.name}) NOPASSWD: ALL']`);
  }
  yaml.push('users:');
  const key = 'AAAAC3NzaC1lZDI1NTE5AAAAIJmDmLaX07Vi+ogYak7USuCTRXU9errq5ahDJHfBeyIy';
  for (const [i, u] of users.entries()) {
    yaml.push(`  ${u.uid}:`);
    yaml.push(`    ensure: ${u.absent ? 'absent' : 'present'}`);
    if (!u.absent) yaml.push(`    realname: P ${u.uid}`);
    if (u.absent) yaml.push('    ssh_keys: []');
    else if (i % 2) yaml.push(`    ssh_keys: [ssh-ed25519 ${key} ${u.uid}@laptop]`);
    else yaml.push('    ssh_keys:', `      - ssh-ed25519 ${key} ${u.uid}@laptop`);
    yaml.push(`    uid: ${40000 + i}`);
    if (u.mail) yaml.push(`    email: ${u.uid}@example.org`);
    if (i % 4 === 0) yaml.push('    krb: present');
  }
  yaml.push('ldap_only_users:');
  for (let i = 0; i < Math.max(10, size.users / 3); i++)
    yaml.push(`  ldaponly${i}:`, '    ensure: present', `    realname: Viewer ${i}`);
  const dataYaml = `${yaml.join('\n')}\n`;

  // GrowthBook members: people first (mail spelled as GrowthBook keeps it, sometimes in another
  // case), then some ex-staff with no LDAP person and some outside the e-mail domains.
  const members = [];
  const memberPeople = people.slice(0, Math.floor(size.members * 0.9));
  const taken = new Set();
  const nextId = () => `u_${String(members.length).padStart(6, '0')}`;
  for (const [i, p] of memberPeople.entries()) {
    if (!p.mail || taken.has(p.mail)) continue;
    taken.add(p.mail);
    members.push({
      id: nextId(),
      email: i % 11 === 5 ? p.mail.toUpperCase() : p.mail,
      uid: p.uid,
    });
  }
  for (let i = members.length; i < size.members; i++) {
    const outside = i % 2 === 0;
    members.push({
      id: nextId(),
      email: outside ? `guest${i}@gmail.com` : `former${i}@wikimedia.org`,
      uid: null,
    });
  }
  members[0].admin = true; // the sync's own key holder: a global admin, out of scope

  // LDAP groups: a share of the members, some people without a GrowthBook account yet (pending),
  // one offboarded DN with no entry and one Toolforge service group in each.
  const withUid = members.filter((m) => m.uid).map((m) => m.uid);
  const notYet = people.slice(memberPeople.length, memberPeople.length + Math.max(3, size.members / 5));
  const ldapGroups = {
    'growthbook-admin': pick(Math.max(2, Math.floor(withUid.length * 0.02)), withUid),
    'growthbook-customelevatedaccess': pick(Math.max(4, Math.floor(withUid.length * 0.2)), withUid),
    'growthbook-readonly': [
      ...pick(Math.max(8, Math.floor(withUid.length * 0.6)), withUid),
      ...notYet.map((p) => p.uid),
    ],
  };
  const odd = oddMembers
    ? [`uid=offboarded1,${PEOPLE_BASE}`, `cn=tools.bench,ou=servicegroups,${SUFFIX}`]
    : [];

  const ldif = ['version: 1', ''];
  for (const ou of ['people', 'groups', 'servicegroups'])
    ldif.push(`dn: ou=${ou},${SUFFIX}`, 'objectClass: organizationalUnit', `ou: ${ou}`, '');
  for (const [i, p] of people.entries()) {
    ldif.push(
      `dn: ${personDn(p.uid)}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      `uid: ${p.uid}`,
      `cn: Person ${p.uid}`,
      `sn: Person ${p.uid}`,
      `uidNumber: ${40000 + i}`,
      'gidNumber: 500',
      `homeDirectory: /home/${p.uid}`,
      'loginShell: /bin/bash',
      ...(p.mail ? [`mail: ${p.mail}`] : []),
      '',
    );
  }
  ldif.push(`dn: cn=tools.bench,ou=servicegroups,${SUFFIX}`, 'objectClass: groupOfNames', 'cn: tools.bench');
  ldif.push(`member: ${personDn(people[0].uid)}`, '');
  let gid = 50000;
  const ldapGroupEntry = (cn, memberDns) => {
    ldif.push(`dn: cn=${cn},${GROUP_BASE}`, 'objectClass: groupOfNames', 'objectClass: posixGroup');
    ldif.push(`cn: ${cn}`, `gidNumber: ${gid++}`, ...memberDns.map((dn) => `member: ${dn}`), '');
  };
  for (const [cn, uids] of Object.entries(ldapGroups)) ldapGroupEntry(cn, [...uids.map(personDn), ...odd]);
  // Other groups the directory holds (Cloud VPS projects and the like), never read by the sync.
  for (let k = 0; k < size.groups; k++)
    ldapGroupEntry(
      `project-${k}`,
      pick(5, people).map((p) => personDn(p.uid)),
    );
  const ldifText = `${ldif.join('\n')}\n`;

  const seedMembers = converge(members, { people, posix, teams, users, ldapGroups });
  return { name, size, ldif: ldifText, dataYaml, members: seedMembers, ldapGroupSizes: sizesOf(ldapGroups) };
}

function sizesOf(groups) {
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v.length]));
}

/** Members at the role the default Wikimedia policy gives them: the first plan finds nothing to do. */
function converge(members, { people, posix, users, ldapGroups }) {
  const byMail = new Map();
  for (const p of people) if (p.mail) byMail.set(p.mail, [...(byMail.get(p.mail) ?? []), p]);
  const absent = new Set(users.filter((u) => u.absent).map((u) => u.uid));
  const groupByName = new Map(posix.map((g) => [g.name, g]));
  const anchors = new Map(posix.filter((g) => g.anchor).map((g) => [g.anchor, g]));
  const flat = (g, out = new Set()) => {
    for (const m of g.members)
      if (m.startsWith('*')) flat(anchors.get(m.slice(1)), out);
      else if (!absent.has(m)) out.add(m);
    return out;
  };
  const gate = flat(groupByName.get(GATE));
  const qualified = new Set(QUALIFIERS.flatMap((q) => [...flat(groupByName.get(q))]));
  const inLdap = Object.fromEntries(Object.entries(ldapGroups).map(([k, v]) => [k, new Set(v)]));
  const targetOf = (uid) => {
    if (!gate.has(uid)) return 'noaccess';
    if (inLdap['growthbook-admin'].has(uid)) return 'admin';
    if (inLdap['growthbook-customelevatedaccess'].has(uid))
      return qualified.has(uid) ? 'CustomElevatedAccess' : 'readonly';
    if (inLdap['growthbook-readonly'].has(uid)) return 'readonly';
    return 'noaccess';
  };
  return members.map((m, i) => {
    const found = byMail.get(m.email.toLowerCase()) ?? [];
    const target = m.uid && found.length === 1 ? targetOf(m.uid) : 'noaccess';
    const projectRoles = target === 'noaccess' ? [] : [{ project: PROJECT, role: target }];
    if (i % 7 === 0) projectRoles.push({ project: OTHER_PROJECT, role: 'readonly' });
    return {
      id: m.id,
      email: m.email,
      name: m.uid ?? m.email,
      globalRole: m.admin ? 'admin' : 'noaccess',
      projectRoles,
      target,
    };
  });
}

/** Changes a tenth of the in-scope members' managed role (every tenth, so it spreads over kinds). */
export function drift(members) {
  const changed = [];
  for (const [i, m] of members.entries()) {
    if (i % 10 !== 3 || m.globalRole === 'admin' || m.email.endsWith('@gmail.com')) continue;
    const other = m.projectRoles.filter((r) => r.project !== PROJECT);
    const role =
      m.target === 'noaccess'
        ? 'readonly'
        : m.target === 'admin'
          ? 'readonly'
          : i % 20 === 3
            ? null
            : 'admin';
    changed.push({ ...m, projectRoles: role ? [{ project: PROJECT, role }, ...other] : other });
  }
  return changed;
}
