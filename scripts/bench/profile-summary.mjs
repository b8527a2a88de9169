// Sums a V8 CPU profile (node --cpu-prof) by what the time was spent on: each sample goes to the
// innermost frame that belongs to a known part (the core, the LDAP client, the YAML parser, …).
import { readFileSync } from 'node:fs';

const PARTS = [
  ['core (resolve + plan)', /\/dist\/core\//],
  ['data.yaml parse', /js-yaml|\/dist\/sources\/posix\//],
  ['LDAP client', /ldapts|asn1|\/dist\/sources\/ldap\//],
  ['schema validation (zod)', /\/zod\//],
  ['GrowthBook client + HTTP', /undici|\/dist\/growthbook\/|node:internal\/deps\/undici|node:_http|node:net/],
  ['logging', /pino|sonic-boom/],
  ['config + CLI', /\/dist\/(config|cli)\/|commander|\/yaml\/dist\//],
];

export function summarizeProfile(path) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const parent = new Map();
  const byId = new Map();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const partOf = new Map();
  const classify = (id) => {
    if (partOf.has(id)) return partOf.get(id);
    const node = byId.get(id);
    const { functionName, url } = node.callFrame;
    let part;
    if (functionName === '(garbage collector)') part = 'garbage collection';
    else if (functionName === '(idle)') part = 'idle (waiting for I/O)';
    else if (functionName === '(program)') part = 'V8 / module loading';
    else part = PARTS.find(([, re]) => re.test(url))?.[0];
    if (part === undefined) part = parent.has(id) ? classify(parent.get(id)) : 'other';
    partOf.set(id, part);
    return part;
  };
  const totals = {};
  profile.samples.forEach((id, i) => {
    const part = classify(id);
    totals[part] = (totals[part] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}
