// docs/growthbook-api.md §11 projects and environments.
import { afterEach, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { call, seed } from './helpers.js';

let emu: Emulator;
afterEach(() => emu.close());

const start = async (overrides = {}) => {
  emu = await startEmulator({ seed: seed(overrides) });
  return emu;
};

test('projects are listed sorted by id, paginated, in the documented shape', async () => {
  const { url } = await start();
  const res = await call(url, '/api/v1/projects');
  expect(res.json).toEqual({
    projects: [
      {
        id: 'prj_a',
        name: 'Alpha',
        description: 'first',
        publicId: 'alpha',
        dateCreated: expect.any(String),
        dateUpdated: expect.any(String),
        settings: { statsEngine: 'bayesian' },
      },
      {
        id: 'prj_b',
        name: 'Beta',
        description: '',
        dateCreated: expect.any(String),
        dateUpdated: expect.any(String),
        settings: {},
      },
    ],
    limit: 10,
    offset: 0,
    count: 2,
    total: 2,
    hasMore: false,
    nextOffset: null,
  });
});

test('projects paginate like members', async () => {
  const { url } = await start();
  const res = await call(url, '/api/v1/projects?limit=1');
  expect([res.json.projects[0].id, res.json.hasMore, res.json.nextOffset]).toEqual(['prj_a', true, 1]);
});

test('the projects query is strict', async () => {
  const { url } = await start();
  const res = await call(url, '/api/v1/projects?userEmail=x');
  expect([res.status, res.json]).toEqual([400, { message: 'Querystring: [] Unrecognized key: "userEmail"' }]);
});

test('one project by id', async () => {
  const { url } = await start();
  expect((await call(url, '/api/v1/projects/prj_b')).json.project).toMatchObject({
    id: 'prj_b',
    name: 'Beta',
  });
});

test('an unknown project id is 400', async () => {
  const { url } = await start();
  const res = await call(url, '/api/v1/projects/prj_zzz');
  expect([res.status, res.json]).toEqual([400, { message: 'Could not find project with that id' }]);
});

test('environments are listed whole, in saved order', async () => {
  const { url } = await start();
  const res = await call(url, '/api/v1/environments');
  expect(res.json).toEqual({
    environments: ['dev', 'staging', 'production'].map((id) => ({
      id,
      projects: [],
      description: '',
      defaultState: true,
      toggleOnList: false,
    })),
  });
});

test('environments default to dev and production', async () => {
  const { url } = await start({ environments: undefined });
  const res = await call(url, '/api/v1/environments');
  expect(res.json.environments.map((e: { id: string }) => e.id)).toEqual(['dev', 'production']);
});
