#!/usr/bin/env node
// Extracts the parts of GrowthBook's OpenAPI document this project talks to (members, projects,
// environments and every component they reference) into test/fixtures/growthbook-openapi.subset.json,
// so the contract test runs on a machine without the full 2.7 MB document.
//   node scripts/extract-openapi-subset.mjs path/to/spec.yaml
// (GrowthBook generates the document as packages/back-end/generated/spec.yaml.)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: node scripts/extract-openapi-subset.mjs path/to/spec.yaml\n');
  process.exit(3);
}
const text = readFileSync(source, 'utf8');
const spec = parse(text, { maxAliasCount: -1 });
const PATHS = [
  '/v1/members',
  '/v1/members/{id}/role',
  '/v1/projects',
  '/v1/projects/{id}',
  '/v1/environments',
];

const subset = {
  openapi: spec.openapi,
  info: {
    title: spec.info.title,
    version: spec.info.version,
    'x-source': 'packages/back-end/generated/spec.yaml of https://github.com/growthbook/growthbook (MIT)',
    'x-source-sha256': createHash('sha256').update(text).digest('hex'),
  },
  paths: {},
  components: { schemas: {}, parameters: {} },
};

const seen = new Set();
function collectRefs(node) {
  if (Array.isArray(node)) return node.forEach(collectRefs);
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && !seen.has(value)) {
      seen.add(value);
      const [, kind, name] = value.match(/^#\/components\/(schemas|parameters)\/(.+)$/) ?? [];
      if (!kind) throw new Error(`unexpected $ref ${value}`);
      subset.components[kind][name] = spec.components[kind][name];
      collectRefs(spec.components[kind][name]);
    } else {
      collectRefs(value);
    }
  }
}

for (const path of PATHS) {
  const item = spec.paths[path];
  if (!item) throw new Error(`${path} is not in ${source}`);
  // Only the read and role-update operations; the sync never calls the others.
  subset.paths[path] = Object.fromEntries(
    Object.entries(item).filter(([method]) => method === 'get' || path.endsWith('/role')),
  );
  collectRefs(subset.paths[path]);
}

const out = new URL('../test/fixtures/growthbook-openapi.subset.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(subset, null, 1)}\n`);
console.log(`wrote ${out.pathname}: ${Object.keys(subset.paths).length} paths, ${seen.size} components`);
