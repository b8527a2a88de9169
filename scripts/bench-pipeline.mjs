#!/usr/bin/env node
// Benchmark: one full `plan` run of the CLI process against the emulator with N members, N LDAP people
// (LDIF export) and a gitiles-shaped data.yaml server. Prints wall time, GrowthBook requests and the
// CLI's peak memory (from /proc, Linux).
//   node scripts/bench-pipeline.mjs [--people 10000]
// Needs `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startEmulator } from '../dist/emulator/index.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '10000' } } });
const n = Number(values.people);
const key = 'secret_admin_bench';
const project = 'prj_bench';
const groups = ['growthbook-admin', 'growthbook-customelevatedaccess', 'growthbook-readonly'];
const uid = (i) => `user${String(i).padStart(6, '0')}`;
const groupOf = (i) => groups[i % 4]; // every fourth person in no group

const dir = mkdtempSync(join(tmpdir(), 'gbsync-bench-'));
const ldif = ['version: 1', ''];
for (let i = 0; i < n; i++) {
  ldif.push(
    `dn: uid=${uid(i)},ou=people,dc=wikimedia,dc=org`,
    'objectClass: inetOrgPerson',
    `uid: ${uid(i)}`,
    `cn: ${uid(i)}`,
    `sn: x`,
    `mail: ${uid(i)}@wikimedia.org`,
    '',
  );
}
for (const g of groups) {
  ldif.push(`dn: cn=${g},ou=groups,dc=wikimedia,dc=org`, 'objectClass: groupOfNames', `cn: ${g}`);
  for (let i = 0; i < n; i++)
    if (groupOf(i) === g) ldif.push(`member: uid=${uid(i)},ou=people,dc=wikimedia,dc=org`);
  ldif.push('');
}
writeFileSync(join(dir, 'directory.ldif'), ldif.join('\n'));
const everyone = Array.from({ length: n }, (_, i) => uid(i));
const dataYaml = stringify({
  groups: {
    'analytics-privatedata-users': { gid: 731, members: everyone.filter((_, i) => i % 10 !== 0) },
    'analytics-product-users': { gid: 820, members: everyone.filter((_, i) => i % 3 === 0) },
    'analytics-wmde-users': { gid: 821, members: [] },
    deployment: { gid: 705, members: everyone.filter((_, i) => i % 7 === 0) },
  },
  users: Object.fromEntries(
    everyone.map((u, i) => [u, { ensure: 'present', uid: 40000 + i, gid: 500, ssh_keys: [] }]),
  ),
});
const gitiles = createServer((_req, res) => res.end(Buffer.from(dataYaml).toString('base64')));
await new Promise((r) => gitiles.listen(0, '127.0.0.1', r));
const emulator = await startEmulator({
  seed: {
    apiKeys: [{ key, role: 'admin' }],
    projects: [{ id: project, name: 'Bench' }],
    customRoles: [{ id: 'CustomElevatedAccess' }],
    members: everyone.map((u, i) => ({
      id: `u_${u}`,
      email: `${u}@wikimedia.org`,
      globalRole: 'noaccess',
      projectRoles: i % 2 ? [{ project, role: 'readonly' }] : [],
    })),
  },
  rateLimit: { max: 100_000, windowMs: 60_000 },
});
const config = join(dir, 'sync.yaml');
writeFileSync(
  config,
  stringify({
    growthbook: { url: emulator.url, project, requestsPerMinute: 10_000 },
    ldap: {
      file: join(dir, 'directory.ldif'),
      peopleBase: 'ou=people,dc=wikimedia,dc=org',
      groupBase: 'ou=groups,dc=wikimedia,dc=org',
    },
    posix: { url: `http://127.0.0.1:${gitiles.address().port}/data.yaml?format=TEXT` },
  }),
);

const started = performance.now();
const child = spawn(
  process.execPath,
  ['bin/growthbook-ldap-sync', 'plan', '--output', 'json', '--override-threshold', '--config', config],
  {
    env: { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: key, GBSYNC_LOG_LEVEL: 'warn' },
  },
);
let peakKb = 0;
const sampler = setInterval(async () => {
  try {
    const { readFileSync } = await import('node:fs');
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (m) peakKb = Math.max(peakKb, Number(m[1]));
  } catch {}
}, 20);
let out = '';
let err = '';
child.stdout.on('data', (d) => {
  out += d;
});
child.stderr.on('data', (d) => {
  err += d;
});
const code = await new Promise((r) => child.on('close', r));
clearInterval(sampler);
const wall = performance.now() - started;
if (!out) throw new Error(`no plan (exit ${code}):\n${err}`);
const doc = JSON.parse(out);
console.log(
  JSON.stringify({
    people: n,
    members: n,
    exit_code: code,
    wall_ms: Math.round(wall),
    peak_rss_mb: Math.round(peakKb / 1024),
    growthbook_requests: emulator.requests.length,
    summary: doc.summary,
    stdout_bytes: out.length,
  }),
);
await emulator.close();
gitiles.close();
rmSync(dir, { recursive: true, force: true });
