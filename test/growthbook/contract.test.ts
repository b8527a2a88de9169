// Contract test: the client's schemas and the emulator's responses against GrowthBook's own OpenAPI
// document (members, role update, projects, environments).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { buildRoleUpdate } from '../../src/core/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  environmentsResponseSchema,
  listedMemberSchema,
  memberPageSchema,
  projectPageSchema,
  projectResponseSchema,
  toMember,
  updateMemberRoleResponseSchema,
} from '../../src/growthbook/schemas.js';

// The full document when GROWTHBOOK_OPENAPI_SPEC names it (GrowthBook generates it as
// packages/back-end/generated/spec.yaml); otherwise the subset extracted from it by
// scripts/extract-openapi-subset.mjs, kept in the repository.
const FULL = process.env.GROWTHBOOK_OPENAPI_SPEC;
const SUBSET = fileURLToPath(new URL('../fixtures/growthbook-openapi.subset.json', import.meta.url));

type Json = Record<string, unknown>;

function loadDocument(): { doc: Json; origin: string } {
  if (FULL !== undefined) {
    if (!existsSync(FULL)) throw new Error(`GROWTHBOOK_OPENAPI_SPEC names ${FULL}, which does not exist`);
    return { doc: parse(readFileSync(FULL, 'utf8'), { maxAliasCount: -1 }) as Json, origin: FULL };
  }
  if (!existsSync(SUBSET)) throw new Error(`the OpenAPI subset ${SUBSET} is missing`);
  return { doc: JSON.parse(readFileSync(SUBSET, 'utf8')) as Json, origin: SUBSET };
}

/**
 * The generated document puts `additionalProperties: false` inside `allOf` branches, which in JSON
 * Schema would reject the other branch's fields (a listMembers page could never validate). Read it
 * as meant: the union of the branches' properties, and nothing else (`unevaluatedProperties`).
 */
function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalize(v);
  if (Array.isArray(out.allOf)) {
    out.allOf = (out.allOf as Json[]).map((branch) => {
      const inlined =
        typeof branch.$ref === 'string' ? (normalize(componentSchema(branch.$ref)) as Json) : branch;
      const { additionalProperties: _, ...rest } = inlined;
      return rest;
    });
    out.unevaluatedProperties = false;
  }
  return out;
}

const { doc, origin } = loadDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'gb', components: normalize((doc as { components: unknown }).components) });
const paths = doc.paths as Record<string, Record<string, Json>>;

function responseSchema(path: string, method: string): Json {
  const op = paths[path]?.[method] as {
    responses: Record<string, { content: Record<string, { schema: Json }> }>;
  };
  const schema = op.responses['200']?.content['application/json']?.schema;
  if (!schema) throw new Error(`no 200 JSON response for ${method} ${path} in ${origin}`);
  return retarget(normalize(schema)) as Json;
}

function requestSchema(path: string, method: string): Json {
  const op = paths[path]?.[method] as { requestBody: { content: Record<string, { schema: Json }> } };
  return retarget(normalize(op.requestBody.content['application/json']?.schema)) as Json;
}

function componentSchema(ref: string): Json {
  const name = ref.split('/').pop() as string;
  return (doc.components as { schemas: Record<string, Json> }).schemas[name] as Json;
}

/** Local `#/components/...` refs point into the schema registered as `gb`. */
function retarget(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(retarget);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `gb${v}` : retarget(v)]),
  );
}

function expectValid(schema: Json, value: unknown, what: string): void {
  const validate = ajv.compile(schema);
  const ok = validate(value);
  expect(ok, `${what}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

/** A document with every property the schema allows ('max') or only the required ones ('min'). */
function sample(schema: Json, mode: 'min' | 'max'): unknown {
  if (typeof schema.$ref === 'string') return sample(componentSchema(schema.$ref), mode);
  if (Array.isArray(schema.allOf))
    return Object.assign({}, ...(schema.allOf as Json[]).map((s) => sample(s, mode)));
  if (Array.isArray(schema.anyOf)) return sample((schema.anyOf as Json[])[0] as Json, mode);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required ?? []) as string[]);
      return Object.fromEntries(
        Object.entries(props)
          .filter(([k]) => mode === 'max' || required.has(k))
          .map(([k, v]) => [k, sample(v, mode)]),
      );
    }
    case 'array':
      return mode === 'max' ? [sample(schema.items as Json, mode)] : [];
    case 'string':
      return schema.format === 'date-time' ? '2026-01-02T03:04:05.000Z' : 'x';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

const KEY = 'secret_admin_contract';
let emulator: Emulator;
const get = async (path: string) => {
  const res = await fetch(`${emulator.url}/api${path}`, { headers: { Authorization: `Bearer ${KEY}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as unknown;
};

beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      apiKeys: [{ key: KEY, role: 'admin' }],
      projects: [
        {
          id: 'prj_a',
          name: 'A',
          description: 'first',
          publicId: 'a',
          settings: { statsEngine: 'bayesian' },
        },
        { id: 'prj_b', name: 'B' },
      ],
      environments: [{ id: 'production', description: 'prod' }, { id: 'staging' }],
      customRoles: [{ id: 'CustomElevatedAccess' }],
      members: [
        {
          id: 'u_full',
          email: 'full@wikimedia.org',
          name: 'Full',
          globalRole: 'engineer',
          environments: ['production'],
          teams: ['team_1'],
          additionalRoles: [{ role: 'analyst', environments: [] }],
          projectRoles: [
            {
              project: 'prj_a',
              role: 'engineer',
              environments: ['staging'],
              additionalRoles: [{ role: 'analyst', environments: [] }],
            },
          ],
          lastLoginDate: '2026-08-01T09:15:02.000Z',
          managedbyIdp: false,
        },
        { id: 'u_bare', email: 'bare@wikimedia.org', globalRole: 'noaccess' },
        { id: 'u_idp', email: 'idp@wikimedia.org', globalRole: 'readonly', managedbyIdp: true },
      ],
    },
  });
});
afterAll(async () => {
  await emulator.close();
});

describe(`emulator responses match the OpenAPI document (${origin.split('/').pop()})`, () => {
  test('GET /v1/members', async () => {
    const page = await get('/v1/members?limit=2');
    expectValid(responseSchema('/v1/members', 'get'), page, 'listMembers page');
    expectValid(
      responseSchema('/v1/members', 'get'),
      await get('/v1/members?offset=2&limit=100'),
      'last page',
    );
  });

  test('POST /v1/members/{id}/role (request and response)', async () => {
    const member = listedMemberSchema.parse(
      ((await get('/v1/members?userEmail=full%40wikimedia.org')) as { members: unknown[] }).members[0],
    );
    const body = {
      member: buildRoleUpdate(toMember(member), {
        changes: new Map([
          ['prj_w', 'CustomElevatedAccess'],
          ['prj_w2', 'readonly'],
        ]),
        managed: ['prj_w', 'prj_w2'],
        pinnedGlobalRole: 'noaccess',
      }).body,
    };
    expectValid(requestSchema('/v1/members/{id}/role', 'post'), body, "the sync's write body");
    const res = await fetch(`${emulator.url}/api/v1/members/u_full/role`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expectValid(
      responseSchema('/v1/members/{id}/role', 'post'),
      await res.json(),
      'updateMemberRole response',
    );
  });

  test('GET /v1/projects and /v1/projects/{id}', async () => {
    expectValid(responseSchema('/v1/projects', 'get'), await get('/v1/projects'), 'listProjects');
    expectValid(responseSchema('/v1/projects/{id}', 'get'), await get('/v1/projects/prj_a'), 'getProject');
  });

  test('GET /v1/environments', async () => {
    expectValid(responseSchema('/v1/environments', 'get'), await get('/v1/environments'), 'listEnvironments');
  });
});

describe('the client reads every document the OpenAPI document allows', () => {
  const cases: [string, string, string, { safeParse(v: unknown): { success: boolean; error?: unknown } }][] =
    [
      ['listMembers page', '/v1/members', 'get', memberPageSchema],
      ['updateMemberRole response', '/v1/members/{id}/role', 'post', updateMemberRoleResponseSchema],
      ['listProjects page', '/v1/projects', 'get', projectPageSchema],
      ['getProject', '/v1/projects/{id}', 'get', projectResponseSchema],
      ['listEnvironments', '/v1/environments', 'get', environmentsResponseSchema],
    ];
  for (const [what, path, method, schema] of cases) {
    for (const mode of ['min', 'max'] as const) {
      test(`${what}, ${mode === 'min' ? 'only required fields' : 'every field'}`, () => {
        const raw = paths[path]?.[method] as {
          responses: Record<string, { content: Record<string, { schema: Json }> }>;
        };
        const document = sample(raw.responses['200']?.content['application/json']?.schema as Json, mode);
        expectValid(responseSchema(path, method), document, `generated ${mode} document`);
        const parsed = schema.safeParse(document);
        expect(parsed.success, String(parsed.error)).toBe(true);
      });
    }
  }

  test("every member field the client reads is a field of the document's Member", () => {
    const member = (doc.components as { schemas: { Member: { properties: Json } } }).schemas.Member
      .properties;
    for (const key of Object.keys(listedMemberSchema.shape)) expect(member, key).toHaveProperty(key);
  });
});
