// The image definitions, read as text: the Dockerfile (built and run for real by
// scripts/container-smoke.sh) and Wikimedia's Blubber file (its pipeline cannot run here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './run-tool.js';

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((all, line) => {
  if (line.startsWith('FROM ')) all.push([]);
  all.at(-1)?.push(line);
  return all;
}, []);

test('Dockerfile: base image from a build argument, defaulting to a Node 20 LTS slim image', () => {
  expect(instructions[0]).toMatch(/^ARG BASE_IMAGE=\S*node:20-\S*slim$/);
  expect(stages).toHaveLength(2);
  expect(stages[0]?.[0]).toMatch(/^FROM \$\{BASE_IMAGE\} AS build$/);
  expect(stages[1]?.[0]).toMatch(/^FROM \$\{BASE_IMAGE\}$/);
});

test('Dockerfile: the final stage gets production dependencies and dist/ only, runs as a numeric non-root user', () => {
  const final = stages.at(-1) as string[];
  const copies = final.filter((l) => l.startsWith('COPY'));
  // From the build context: the entry point and the demo's sample data, nothing else.
  expect(copies.filter((c) => !c.startsWith('COPY --from=build')).map((c) => c.split(' ')[1])).toEqual([
    'bin',
    'demo',
  ]);
  expect(copies).toContain('COPY --from=build /src/node_modules ./node_modules');
  expect(copies).toContain('COPY --from=build /src/dist ./dist');
  expect(copies).toContain(
    'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
  );
  expect(final.some((l) => /^RUN rm -rf .*\/usr\/local\/bin\/npm/.test(l))).toBe(true);
  const user = final.find((l) => l.startsWith('USER '))?.split(' ')[1] ?? '';
  expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  expect(final).toContain('ENTRYPOINT ["node", "/app/bin/growthbook-ldap-sync"]');
  // The build stage prunes the dev dependencies before the final stage copies node_modules.
  expect((stages[0] as string[]).join('\n')).toMatch(/npm ci .*&& npm prune --omit=dev/);
});

test('Blubber: a production variant on the Node 20 base with the same entry point and no build tools', () => {
  const blubber = parse(readFileSync(join(REPO, '.pipeline/blubber.yaml'), 'utf8'));
  expect(blubber.version).toBe('v4');
  const production = blubber.variants.production;
  expect(production.base).toMatch(/nodejs20-slim$/);
  expect(production.entrypoint).toEqual(['node', `${blubber.lives.in}/bin/growthbook-ldap-sync`]);
  expect(production.apt.packages).toContain('ca-certificates');
  expect(production.builders ?? production.builder ?? production.node).toBeUndefined();
  const copied = production.copies.map((c: { source: string }) => c.source);
  expect(copied).toEqual(
    expect.arrayContaining([`${blubber.lives.in}/node_modules`, `${blubber.lives.in}/dist`, 'bin/']),
  );
  expect(blubber.variants.build.builders[0].custom.command.join(' ')).toMatch(
    /npm ci .*npm prune --omit=dev/,
  );
});
