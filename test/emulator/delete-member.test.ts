// docs/growthbook-api.md §9 deleteMember: implemented so that tests can prove the product never calls it.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { call, carol, seed } from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ seed: seed() });
});
afterEach(() => emu.close());

const del = (id: string) => call(emu.url, `/api/v1/members/${id}`, { method: 'DELETE' });

test('removes the member from the organization', async () => {
  const res = await del('u_alice');
  expect([res.status, res.json, emu.member('u_alice')]).toEqual([200, { deletedId: 'u_alice' }, undefined]);
});

test('an unknown member is 400', async () => {
  expect((await del('u_nobody')).json).toEqual({ message: 'Could not find user with that ID' });
});

test('an IdP-managed member is refused', async () => {
  expect((await del('u_dave')).json.message).toMatch(
    /^This user is managed via an External Identity Provider/,
  );
});

test('the only admin cannot be removed', async () => {
  const res = await del('u_carol');
  expect([res.status, res.json]).toEqual([
    400,
    { message: 'Unable to remove u_carol from org: Cannot remove the only admin' },
  ]);
});

test('an admin can be removed when another remains', async () => {
  emu.setMember({ ...carol, id: 'u_carol2', email: 'carol2@example.org' });
  expect((await del('u_carol')).status).toBe(200);
});

test('the request log records it, so tests can assert it never happened', async () => {
  await del('u_alice');
  expect(emu.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.status])).toEqual([
    ['/api/v1/members/u_alice', 200],
  ]);
});
