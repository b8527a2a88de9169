// The runbook covers every exit code and every alert, and its links point at sections that exist.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from './run-tool.js';

const runbook = readFileSync(join(REPO, 'docs/RUNBOOK.md'), 'utf8');
const headings = [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1] as string);
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

test('has a section for every exit code, 0 to 7', () => {
  for (let code = 0; code <= 7; code += 1) {
    expect(
      headings.some((h) => h.startsWith(`Exit ${code}:`)),
      `exit ${code}`,
    ).toBe(true);
  }
});

test('covers the first deployment, the override decision, key rotation, rollback and proxies', () => {
  for (const section of ['First deployment', 'Key rotation', 'Rollback', 'Proxies']) {
    expect(headings).toContain(section);
  }
  expect(runbook).toContain('--override-threshold');
  expect(runbook).toContain('overlays/dry-run');
  expect(runbook).toContain('overlays/apply');
});

test('every link inside the runbook points at a section that exists', () => {
  const anchors = new Set(headings.map(anchor));
  const links = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) expect(anchors.has(link), link).toBe(true);
});
