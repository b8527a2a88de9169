// Shared seed and a tiny fetch wrapper for the emulator contract tests.
import type { EmulatorSeed, SeedMember } from '../../src/emulator/index.js';

export const ADMIN_KEY = 'secret_admin_test0001';
export const READONLY_KEY = 'secret_readonly_test0002';
export const OTHER_ADMIN_KEY = 'secret_admin_test0003';

export const alice: SeedMember = {
  id: 'u_alice',
  email: 'alice@example.org',
  name: 'Alice',
  globalRole: 'noaccess',
  environments: [],
  additionalRoles: [],
  projectRoles: [
    { project: 'prj_a', role: 'readonly', environments: [], additionalRoles: [] },
    { project: 'prj_b', role: 'engineer', environments: ['production'], additionalRoles: [] },
  ],
  teams: ['team_1'],
  dateCreated: '2025-01-02T03:04:05.000Z',
  lastLoginDate: '2026-08-01T09:15:02.000Z',
};

export const bob: SeedMember = {
  id: 'u_bob',
  email: 'Bob@Example.org',
  name: 'Bob',
  globalRole: 'engineer',
  environments: ['production'],
  additionalRoles: [],
  projectRoles: [],
};

export const carol: SeedMember = {
  id: 'u_carol',
  email: 'carol@example.org',
  name: 'Carol',
  globalRole: 'admin',
};
export const dave: SeedMember = {
  id: 'u_dave',
  email: 'dave@example.org',
  globalRole: 'readonly',
  managedbyIdp: true,
};
export const ghost: SeedMember = {
  id: 'u_ghost',
  email: 'ghost@example.org',
  globalRole: 'readonly',
  noUserDocument: true,
};

export function seed(overrides: Partial<EmulatorSeed> = {}): EmulatorSeed {
  return {
    apiKeys: [
      { key: ADMIN_KEY, role: 'admin' },
      { key: READONLY_KEY, role: 'readonly' },
      { key: OTHER_ADMIN_KEY, role: 'admin' },
    ],
    // Deliberately not in id order.
    members: [dave, carol, bob, ghost, alice],
    projects: [
      { id: 'prj_b', name: 'Beta' },
      {
        id: 'prj_a',
        name: 'Alpha',
        description: 'first',
        publicId: 'alpha',
        settings: { statsEngine: 'bayesian' },
      },
    ],
    environments: [{ id: 'dev' }, { id: 'staging' }, { id: 'production' }],
    customRoles: [
      { id: 'CustomElevatedAccess' },
      { id: 'EnvScoped', supportsEnvLimit: true },
      { id: 'designer' },
    ],
    ...overrides,
  };
}

/** `count` members u_000 … named and mailed after their index, for pagination. */
export const numberedMembers = (count: number): SeedMember[] =>
  Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(3, '0');
    return { id: `u_${n}`, email: `m${n}@example.org`, name: `M ${n}`, globalRole: 'readonly' };
  });

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  json: any;
}

export interface CallOptions {
  method?: string;
  key?: string | null;
  authorization?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

export async function call(baseUrl: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'User-Agent': 'emulator-test/1' };
  if (o.authorization !== undefined) headers.Authorization = o.authorization;
  else if (o.key !== null) headers.Authorization = `Bearer ${o.key ?? ADMIN_KEY}`;
  const text = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (text !== undefined) headers['Content-Type'] = o.contentType ?? 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method: o.method ?? 'GET', headers, body: text });
  const body = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = body;
  }
  return { status: res.status, headers: res.headers, json };
}

export const updateRole = (baseUrl: string, id: string, body: unknown, key = ADMIN_KEY): Promise<Answer> =>
  call(baseUrl, `/api/v1/members/${id}/role`, { method: 'POST', body, key });
