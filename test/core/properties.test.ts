// Invariants of the core over random worlds (fast-check).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type Action,
  buildRoleUpdate,
  CHANGE_KINDS,
  type Directory,
  isChange,
  joinIdentities,
  type Member,
  normalizeEmail,
  type PosixGroups,
  planActions,
  rankOf,
  resolveRole,
  type Scope,
} from '../../src/core/index.js';
import { GATE, POLICY, PROJECT } from './fixtures.js';

const LDAP_GROUPS = ['growthbook-admin', 'GrowthBook-CustomElevatedAccess', 'growthbook-readonly', 'other'];
const POSIX_GROUPS = [GATE, 'analytics-product-users', 'analytics-wmde-users', 'deployment', 'wheel'];
const ROLES = ['noaccess', 'readonly', 'CustomElevatedAccess', 'admin', 'engineer', 'collaborator'];
const UIDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const DOMAINS = ['wikimedia.org', 'gmail.com'];

const holdings = fc.record({
  ldapGroups: fc.subarray(LDAP_GROUPS),
  posixGroups: fc.subarray(POSIX_GROUPS),
});

const projectRoleArb = fc.record({
  project: fc.constantFrom(PROJECT, 'prj_other'),
  role: fc.constantFrom(...ROLES),
  environments: fc.subarray(['production', 'staging']),
});

const personArb = fc.record({
  uid: fc.constantFrom(...UIDS),
  mailUser: fc.constantFrom(...UIDS),
  domain: fc.constantFrom(...DOMAINS),
  hasMail: fc.boolean(),
  alias: fc.option(fc.constantFrom(...UIDS), { nil: undefined }),
  ldap: fc.subarray(LDAP_GROUPS),
  posix: fc.subarray(POSIX_GROUPS),
});

const memberArb = fc.record({
  mailUser: fc.constantFrom(...UIDS),
  domain: fc.constantFrom(...DOMAINS),
  upper: fc.boolean(),
  globalRole: fc.constantFrom(...ROLES),
  environments: fc.subarray(['production']),
  projectRoles: fc.array(projectRoleArb, { maxLength: 3 }),
  managedbyIdp: fc.boolean(),
});

const worldArb = fc.record({
  people: fc.uniqueArray(personArb, { selector: (p) => p.uid, maxLength: 8 }),
  members: fc.array(memberArb, { maxLength: 8 }),
  protectedUser: fc.option(fc.constantFrom(...UIDS), { nil: undefined }),
});

type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

function build(w: World) {
  const directory: Directory = {
    people: w.people.map((p) => ({
      dn: `uid=${p.uid},ou=people,dc=wikimedia,dc=org`,
      uid: p.uid,
      mails: p.hasMail ? [`${p.mailUser}@${p.domain}`, ...(p.alias ? [`${p.alias}@wikimedia.org`] : [])] : [],
    })),
    groups: LDAP_GROUPS.map((name) => ({
      dn: `cn=${name},ou=groups,dc=wikimedia,dc=org`,
      name,
      memberDns: w.people
        .filter((p) => p.ldap.includes(name))
        .map((p) => `UID=${p.uid},ou=People,dc=wikimedia,dc=org`),
    })),
  };
  const posix: PosixGroups = {
    groups: Object.fromEntries(
      POSIX_GROUPS.map((g) => [g, w.people.filter((p) => p.posix.includes(g)).map((p) => p.uid)]),
    ),
  };
  const members: Member[] = w.members.map((m, i) => {
    const email = `${m.mailUser}@${m.domain}`;
    return {
      id: `u_${i}`,
      email: m.upper ? email.toUpperCase() : email,
      globalRole: m.globalRole,
      environments: m.environments,
      projectRoles: m.projectRoles,
      managedbyIdp: m.managedbyIdp,
    };
  });
  const scope: Scope = {
    project: PROJECT,
    globalRole: 'noaccess',
    emailDomains: ['wikimedia.org'],
    protectedEmails: w.protectedUser ? [`${w.protectedUser}@wikimedia.org`] : [],
  };
  const people = joinIdentities(directory, posix, POLICY);
  return { members, scope, people };
}

const plan = (members: Member[], scope: Scope, people: ReturnType<typeof joinIdentities>) =>
  planActions({ members, people, policy: POLICY, scope });

/** GrowthBook's update semantics for the fields the sync sends (growthbook-api.md §8). */
function applyOnServer(m: Member, body: ReturnType<typeof buildRoleUpdate>): Member {
  return { ...m, globalRole: body.role, environments: body.environments, projectRoles: body.projectRoles };
}

describe('properties', () => {
  test('the gate is never bypassed: outside the gate the role is always noaccess', () => {
    fc.assert(
      fc.property(holdings, (h) => {
        const outside = { ...h, posixGroups: h.posixGroups.filter((g) => g !== GATE) };
        expect(resolveRole(outside, POLICY).role).toBe('noaccess');
      }),
    );
  });

  test('adding LDAP groups never lowers the target role (monotone)', () => {
    fc.assert(
      fc.property(holdings, fc.constantFrom(...LDAP_GROUPS), (h, extra) => {
        const before = resolveRole(h, POLICY).role;
        const after = resolveRole({ ...h, ldapGroups: [...h.ldapGroups, extra] }, POLICY).role;
        expect(rankOf(after, POLICY)).toBeGreaterThanOrEqual(rankOf(before, POLICY));
      }),
    );
  });

  test('no change targets a person outside the gate with access', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { members, scope, people } = build(w);
        for (const a of plan(members, scope, people)) {
          if (a.uid === null || a.to === null) continue;
          const p = people.byUid.get(a.uid);
          if (p && !p.posixGroups.includes(GATE)) expect(a.to).toBe('noaccess');
        }
      }),
    );
  });

  test('nothing out of scope is ever a change', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { members, scope, people } = build(w);
        for (const a of plan(members, scope, people).filter(isChange)) {
          const m = members.find((x) => x.id === a.memberId) as Member;
          expect(normalizeEmail(m.email).endsWith('@wikimedia.org')).toBe(true);
          expect(scope.protectedEmails.map(normalizeEmail)).not.toContain(normalizeEmail(m.email));
          expect(m.managedbyIdp).toBe(false);
          expect(m.globalRole).not.toBe('admin');
          // Ambiguity (two people, or two members, for one mail) may revoke but never grant.
          const key = normalizeEmail(m.email);
          const ambiguous =
            (people.byMail.get(key)?.length ?? 0) > 1 ||
            members.filter((x) => normalizeEmail(x.email) === key).length > 1;
          if (ambiguous) expect(a.to).toBe('noaccess');
        }
      }),
    );
  });

  test('every member appears exactly once; order holds', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { members, scope, people } = build(w);
        const actions = plan(members, scope, people);
        const ids = actions.filter((a) => a.memberId !== null).map((a) => a.memberId);
        expect([...ids].sort()).toEqual(members.map((m) => m.id).sort());
        const changes = actions.filter(isChange);
        for (let i = 1; i < changes.length; i++) {
          const [a, b] = [changes[i - 1] as Action, changes[i] as Action];
          const ka = CHANGE_KINDS.indexOf(a.kind as never);
          const kb = CHANGE_KINDS.indexOf(b.kind as never);
          expect(ka).toBeLessThanOrEqual(kb);
          if (ka === kb)
            expect(rankOf(a.from as string, POLICY)).toBeGreaterThanOrEqual(rankOf(b.from as string, POLICY));
        }
      }),
    );
  });

  test('plan, apply, plan again: only no-ops, skips and pending remain', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { members, scope, people } = build(w);
        const first = plan(members, scope, people);
        const after = members.map((m) => {
          const a = first.find((x) => x.memberId === m.id);
          return a && isChange(a)
            ? applyOnServer(m, buildRoleUpdate(m, PROJECT, a.to as string, 'noaccess'))
            : m;
        });
        const second = plan(after, scope, people);
        expect(second.filter(isChange)).toEqual([]);
        // Writes never touch another project's entries.
        after.forEach((m, i) => {
          const before = members[i] as Member;
          expect(m.projectRoles.filter((p) => p.project !== PROJECT)).toEqual(
            before.projectRoles.filter((p) => p.project !== PROJECT),
          );
        });
      }),
    );
  });
});
