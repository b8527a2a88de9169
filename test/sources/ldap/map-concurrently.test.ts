import { expect, test } from 'vitest';
import { mapConcurrently } from '../../../src/sources/ldap/read-network-directory.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('results come back in item order, with at most `limit` running at once', async () => {
  let running = 0;
  let most = 0;
  const out = await mapConcurrently([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    most = Math.max(most, running);
    for (let i = 0; i < n; i++) await tick();
    running--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30]);
  expect(most).toBe(2);
});

test('after a failure nothing new starts, and the first error is thrown once the others settle', async () => {
  const started: number[] = [];
  const settled: number[] = [];
  const run = mapConcurrently([0, 1, 2, 3, 4, 5], 2, async (n) => {
    started.push(n);
    await tick();
    if (n === 1) throw new Error('batch 1 failed');
    await tick();
    settled.push(n);
    return n;
  });
  await expect(run).rejects.toThrow('batch 1 failed');
  expect(started).toEqual([0, 1]);
  expect(settled).toEqual([0]);
});
