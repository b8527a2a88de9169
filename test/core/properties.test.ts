// Invariants of the core over random worlds (fast-check).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type Action,
  buildRoleUpdate,
  CHANGE_KINDS,
  type Directory,
  groupWrites,
  isChange,
  joinIdentities,
  type ManagedProject,
  type Member,
  normalizeEmail,
  type Policy,
  type PosixGroups,
  planActions,
  type RoleUpdate,
  rankOf,
  resolveRole,
  type Scope,
} from '../../src/core/index.js';
import { GATE, POLICY } from './fixtures.js';

const LDAP_GROUPS = ['growthbook-admin', 'GrowthBook-CustomElevatedAccess', 'growthbook-readonly', 'other'];
const POSIX_GROUPS = [GATE, 'analytics-product-users', 'analytics-wmde-users', 'deployment', 'wheel'];
const ROLES = ['noaccess', 'readonly', 'CustomElevatedAccess', 'admin', 'engineer', 'collaborator'];
const UIDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const DOMAINS = ['wikimedia.org', 'gmail.com'];
/** Managed project ids the generated configurations draw from, and one project never managed. */
const MANAGED_IDS = ['prj_a', 'prj_b', 'prj_c'];
const UNMANAGED = 'prj_other';

const holdings = fc.record({
  ldapGroups: fc.subarray(LDAP_GROUPS),
  posixGroups: fc.subarray(POSIX_GROUPS),
});

/** Any policy: its own gate, rules and rank order (every rule's role is ranked). */
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    gate: fc.subarray(POSIX_GROUPS, { minLength: 1 }),
    ranked: fc.shuffledSubarray(['readonly', 'CustomElevatedAccess', 'admin'], { minLength: 1 }),
    rules: fc.array(
      fc.record({
        ldapGroup: fc.constantFrom(...LDAP_GROUPS),
        posixAnyOf: fc.option(fc.subarray(POSIX_GROUPS, { minLength: 1 }), { nil: undefined }),
        roleIndex: fc.nat(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ gate, ranked, rules }) => ({
    gate,
    rank: ['noaccess', ...ranked],
    rules: rules.map((r, i) => ({
      id: String(i + 1),
      ldapGroup: r.ldapGroup,
      ...(r.posixAnyOf ? { posixAnyOf: r.posixAnyOf } : {}),
      role: ranked[r.roleIndex % ranked.length] as string,
    })),
  }));

/** One to three managed projects, each with its own policy (the first may be the default one). */
const projectsArb: fc.Arbitrary<ManagedProject[]> = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.array(policyArb, { minLength: 3, maxLength: 3 }))
  .map(([n, firstDefault, policies]) =>
    MANAGED_IDS.slice(0, n).map((id, i) => ({
      id,
      policy: i === 0 && firstDefault ? POLICY : (policies[i] as Policy),
    })),
  );

const extraRoleArb = fc.record({
  role: fc.constantFrom('engineer', 'analyst'),
  environments: fc.subarray(['staging']),
});

const projectRoleArb = fc
  .record({
    project: fc.constantFrom(...MANAGED_IDS, UNMANAGED),
    role: fc.constantFrom(...ROLES),
    environments: fc.subarray(['production', 'staging']),
    additionalRoles: fc.option(fc.array(extraRoleArb, { maxLength: 1 }), { nil: undefined }),
  })
  .map(({ additionalRoles, ...entry }) => (additionalRoles ? { ...entry, additionalRoles } : entry));

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
  additionalRoles: fc.option(fc.array(extraRoleArb, { maxLength: 1 }), { nil: undefined }),
  projectRoles: fc.array(projectRoleArb, { maxLength: 4 }),
  managedbyIdp: fc.boolean(),
});

const worldArb = fc.record({
  people: fc.uniqueArray(personArb, { selector: (p) => p.uid, maxLength: 8 }),
  members: fc.array(memberArb, { maxLength: 8 }),
  protectedUser: fc.option(fc.constantFrom(...UIDS), { nil: undefined }),
  projects: projectsArb,
  pin: fc.constantFrom('noaccess', 'noaccess', 'readonly'),
});

type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

function build(w: World) {
  const directory: Directory = {
    ignoredMembers: [],
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
      ...(m.additionalRoles ? { additionalRoles: m.additionalRoles } : {}),
      projectRoles: m.projectRoles,
      managedbyIdp: m.managedbyIdp,
    };
  });
  const scope: Scope = {
    globalRole: w.pin,
    emailDomains: ['wikimedia.org'],
    protectedEmails: w.protectedUser ? [`${w.protectedUser}@wikimedia.org`] : [],
  };
  const projects = w.projects;
  const people = joinIdentities(
    directory,
    posix,
    projects.map((p) => p.policy),
  );
  return { members, scope, people, projects };
}

type Built = ReturnType<typeof build>;
const plan = (b: Built, members: Member[] = b.members) =>
  planActions({ members, people: b.people, projects: b.projects, scope: b.scope });

/** GrowthBook's update semantics for the fields the sync sends (docs/growthbook-api.md §8). */
function applyOnServer(m: Member, body: RoleUpdate): Member {
  const after: Member = {
    ...m,
    globalRole: body.role || m.globalRole,
    environments: body.environments,
    projectRoles: body.projectRoles.map((p) => ({
      ...p,
      limitAccessByEnvironment: p.environments.length > 0,
    })),
  };
  if (body.additionalRoles !== undefined) after.additionalRoles = body.additionalRoles;
  return after;
}

/** Applies a plan the way the applier does: one write per member, built on the member as read. */
function applyPlanned(b: Built, actions: readonly Action[], members: Member[] = b.members) {
  const writes = groupWrites(actions);
  const bodies = new Map<string, RoleUpdate>();
  const after = members.map((m) => {
    const write = writes.find((x) => x.memberId === m.id);
    if (!write) return m;
    const { body } = buildRoleUpdate(m, {
      changes: new Map(write.changes.map((a) => [a.project, a.to as string])),
      managed: b.projects.map((p) => p.id),
      pinnedGlobalRole: b.scope.globalRole,
    });
    bodies.set(m.id, body);
    return applyOnServer(m, body);
  });
  return { after, writes, bodies };
}

const effectiveIn = (m: Member, project: string) =>
  m.projectRoles.find((p) => p.project === project)?.role ?? m.globalRole;

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

  test("no change targets a person outside a project's gate with access", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const b = build(w);
        for (const a of plan(b)) {
          if (a.uid === null || a.to === null) continue;
          const p = b.people.byUid.get(a.uid);
          const policy = b.projects.find((x) => x.id === a.project)?.policy as Policy;
          if (p && !policy.gate.some((g) => p.posixGroups.includes(g))) expect(a.to).toBe('noaccess');
        }
      }),
    );
  });

  test('nothing out of scope is ever a change', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const b = build(w);
        const { members, scope, people } = b;
        for (const a of plan(b).filter(isChange)) {
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

  test('every member appears once per managed project; changes are grouped by member in write order', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const b = build(w);
        const actions = plan(b);
        for (const project of b.projects) {
          const ids = actions
            .filter((a) => a.memberId !== null && a.project === project.id)
            .map((a) => a.memberId);
          expect([...ids].sort()).toEqual(b.members.map((m) => m.id).sort());
        }
        const changes = actions.filter(isChange);
        // A member's changes are contiguous: one write carries them.
        const order = changes.map((a) => a.memberId).filter((id, i, all) => all[i - 1] !== id);
        expect(new Set(order).size).toBe(order.length);
        // Members in order of their most severe change, then its current rank, descending.
        const lead = groupWrites(changes).map((write) => {
          const kind = Math.min(...write.changes.map((a) => CHANGE_KINDS.indexOf(a.kind as never)));
          const rank = Math.max(
            ...write.changes
              .filter((a) => CHANGE_KINDS.indexOf(a.kind as never) === kind)
              .map((a) =>
                rankOf(a.from as string, b.projects.find((p) => p.id === a.project)?.policy as Policy),
              ),
          );
          return { kind, rank };
        });
        for (let i = 1; i < lead.length; i++) {
          const [x, y] = [
            lead[i - 1] as { kind: number; rank: number },
            lead[i] as { kind: number; rank: number },
          ];
          expect(x.kind).toBeLessThanOrEqual(y.kind);
          if (x.kind === y.kind) expect(x.rank).toBeGreaterThanOrEqual(y.rank);
        }
      }),
    );
  });

  test('plan, apply (one write per member), plan again: converged; unmanaged state untouched; gates hold', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const b = build(w);
        const first = plan(b);
        const { after, writes, bodies } = applyPlanned(b, first);
        // One write per member with changes, carrying every changed project.
        expect(bodies.size).toBe(new Set(first.filter(isChange).map((a) => a.memberId)).size);
        for (const write of writes) {
          const body = bodies.get(write.memberId) as RoleUpdate;
          for (const change of write.changes) {
            expect(body.projectRoles.filter((p) => p.project === change.project)).toEqual([
              { project: change.project, role: change.to, environments: [] },
            ]);
          }
        }
        const second = plan(b, after);
        expect(second.filter(isChange)).toEqual([]);
        const managed = b.projects.map((p) => p.id);
        after.forEach((m, i) => {
          const before = b.members[i] as Member;
          // Unmanaged projects' entries (role, environments, additional roles) and the global
          // additional roles go back exactly as they were.
          expect(
            m.projectRoles
              .filter((p) => !managed.includes(p.project))
              .map(({ limitAccessByEnvironment: _, ...p }) => p),
          ).toEqual(
            before.projectRoles
              .filter((p) => !managed.includes(p.project))
              .map(({ limitAccessByEnvironment: _, ...p }) => p),
          );
          expect(m.additionalRoles).toEqual(before.additionalRoles);
          // A member not written is not touched at all.
          if (!bodies.has(m.id)) expect(m).toBe(before);
        });
        // Each project's gate: an in-scope member outside it has no access there after the run.
        for (const a of second) {
          if (a.kind === 'skip' || a.memberId === null) continue;
          const m = after.find((x) => x.id === a.memberId) as Member;
          const policy = b.projects.find((p) => p.id === a.project)?.policy as Policy;
          const person = a.uid === null ? undefined : b.people.byUid.get(a.uid);
          if (!person || !policy.gate.some((g) => person.posixGroups.includes(g))) {
            expect(effectiveIn(m, a.project)).toBe('noaccess');
          }
        }
      }),
    );
  });

  test('a write never undoes a managed entry that changed between the plan and the fresh read', () => {
    fc.assert(
      fc.property(worldArb, fc.constantFrom(...ROLES), fc.nat(), (w, role, pick) => {
        const b = build(w);
        const first = plan(b);
        const writes = groupWrites(first);
        // Someone edits one managed entry the plan does not change, after the plan was made.
        const fresh = b.members.map((m) => {
          const write = writes.find((x) => x.memberId === m.id);
          const untouched = b.projects.filter((p) => !write?.changes.some((c) => c.project === p.id));
          const target = untouched[pick % Math.max(1, untouched.length)];
          if (!write || !target) return m;
          return {
            ...m,
            projectRoles: [
              ...m.projectRoles.filter((p) => p.project !== target.id),
              { project: target.id, role, environments: [] },
            ],
          };
        });
        const { after } = applyPlanned(b, first, fresh);
        after.forEach((m, i) => {
          const read = fresh[i] as Member;
          const write = writes.find((x) => x.memberId === m.id);
          for (const project of b.projects) {
            if (write?.changes.some((c) => c.project === project.id)) continue;
            expect(effectiveIn(m, project.id)).toBe(effectiveIn(read, project.id));
          }
        });
      }),
    );
  });
});
