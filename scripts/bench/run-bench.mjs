#!/usr/bin/env node
// The benchmark, side by side in one run: for each organization size, a real slapd and the
// GrowthBook emulator are loaded with the same synthetic organization, then
//   (a) the I/O floor: ldapsearch (C) of the configured groups and of every person (paged), a bare
//       HTTP client reading every member page and one data.yaml fetch, all at once;
//   (b) `plan` converged; (c) `plan` with 10 % drift; (d) `apply` of that drift, pacing at its
//       highest rate;
// and prints wall time, CPU, peak RSS, GrowthBook requests against the minimum, LDAP operations
// and the ratio of (b) to (a). A CPU profile of one converged plan per size says where time goes.
//   npm run bench [-- --sizes wikimedia,medium,large] [--json FILE] [--no-profile] [--no-odd-members]
// Needs `npm run build` (npm run bench does it), slapd and ldap-utils (scripts/setup-test-deps.sh)
// and, for CPU and memory, GNU time (/usr/bin/time).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../../dist/emulator/index.js';
import { measure, measureAvailable } from './measure.mjs';
import {
  drift,
  GROUP_BASE,
  generateOrganization,
  LDAP_GROUPS,
  OTHER_PROJECT,
  PEOPLE_BASE,
  PROJECT,
} from './organization.mjs';
import { summarizeProfile } from './profile-summary.mjs';
import { findProgram, startSlapd } from './slapd.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/growthbook-ldap-sync');
const FLOOR_HTTP = fileURLToPath(new URL('floor-http.mjs', import.meta.url));
const KEY = 'secret_bench_admin_key';
const GITILES_PATH =
  '/r/plugins/gitiles/operations/puppet/+/refs/heads/production/modules/admin/data/data.yaml';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'wikimedia,medium,large' },
    json: { type: 'string' },
    profile: { type: 'boolean', default: true },
    'no-profile': { type: 'boolean', default: false },
    // Group members that are not people (an offboarded DN, a Toolforge service group).
    'no-odd-members': { type: 'boolean', default: false },
  },
});
if (!measureAvailable())
  console.log('GNU time (/usr/bin/time) is missing: CPU and peak RSS are not measured');
const sizes = values.sizes.split(',');
const ldapsearch = findProgram('ldapsearch');

const ldapOpsOf = (stderr) => {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"ldap read"')) continue;
    try {
      return JSON.parse(line).ldap_operations;
    } catch {
      // not a log line
    }
  }
  return null;
};
const changesOf = (summary) => summary.revoke + summary.downgrade + summary.upgrade + summary.grant;

async function benchSize(name) {
  const dir = mkdtempSync(join(tmpdir(), `gbsync-bench-${name}-`));
  const org = generateOrganization(name, { oddMembers: !values['no-odd-members'] });
  const slapd = await startSlapd(join(dir, 'slapd'), org.ldif);
  const toSeed = (m) => ({
    id: m.id,
    email: m.email,
    name: m.name,
    globalRole: m.globalRole,
    projectRoles: m.projectRoles,
  });
  const emulator = await startEmulator({
    seed: {
      apiKeys: [{ key: KEY, role: 'admin' }],
      projects: [
        { id: PROJECT, name: 'Wikimedia' },
        { id: OTHER_PROJECT, name: 'WMDE' },
      ],
      customRoles: [{ id: 'CustomElevatedAccess' }],
      members: org.members.map(toSeed),
    },
    rateLimit: { max: 1_000_000_000, windowMs: 60_000 },
  });
  let gitiles;
  try {
    const base64 = Buffer.from(org.dataYaml).toString('base64');
    gitiles = createServer((req, res) => {
      if (!req.url?.startsWith(GITILES_PATH)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(base64);
    });
    await new Promise((r) => gitiles.listen(0, '127.0.0.1', r));
    const dataYamlUrl = `http://127.0.0.1:${gitiles.address().port}${GITILES_PATH}?format=TEXT`;
    const config = join(dir, 'sync.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        growthbook: {
          url: emulator.url,
          project: PROJECT,
          emailDomains: ['wikimedia.org', 'wikimedia.de'],
          requestsPerMinute: 10_000,
        },
        ldap: { url: slapd.url, peopleBase: PEOPLE_BASE, groupBase: GROUP_BASE },
        posix: { url: dataYamlUrl },
      }),
    );
    const env = { PATH: process.env.PATH, GROWTHBOOK_LDAP_SYNC_API_KEY: KEY, GBSYNC_LOG_LEVEL: 'info' };
    const pages = Math.ceil(org.members.length / 100);
    const rows = [];

    // (a) the I/O floor
    const groupsFilter = `(&(objectClass=groupOfNames)(|${LDAP_GROUPS.map((g) => `(cn=${g})`).join('')}))`;
    const started = performance.now();
    const floor = await Promise.all([
      measure(dir, ldapsearch, [
        '-x',
        '-H',
        slapd.url,
        '-b',
        GROUP_BASE,
        '-s',
        'one',
        '-LLL',
        groupsFilter,
        'cn',
        'member',
      ]),
      measure(dir, ldapsearch, [
        '-x',
        '-H',
        slapd.url,
        '-b',
        PEOPLE_BASE,
        '-LLL',
        '-E',
        'pr=1000/noprompt',
        '(uid=*)',
        'uid',
        'mail',
      ]),
      measure(dir, process.execPath, [FLOOR_HTTP, emulator.url, KEY, dataYamlUrl]),
    ]);
    const floorWall = performance.now() - started;
    for (const f of floor) if (f.code !== 0) throw new Error(`I/O floor step failed: ${f.stderr}`);
    const dumped = (floor[1].stdout.match(/^dn: /gm) ?? []).length;
    const http = JSON.parse(floor[2].stdout);
    rows.push({
      phase: '(a) I/O floor',
      wallMs: floorWall,
      cpuMs: floor.reduce((s, f) => s + f.cpuMs, 0),
      rssMb: Math.max(...floor.map((f) => f.rssMb)),
      requests: http.requests + 1,
      minRequests: pages + 1,
      // bind + search + unbind for the groups; bind + one search page per 1000 + unbind for people
      ldapOps: 3 + 2 + Math.ceil(dumped / 1000),
      exit: 0,
      note: `${dumped} people dumped, ${http.read} members read`,
    });

    const tool = async (phase, args, minRequests) => {
      emulator.resetRequests();
      const r = await measure(dir, process.execPath, [BIN, ...args, '--output', 'json', '--config', config], {
        env,
      });
      let summary = null;
      try {
        summary = JSON.parse(r.stdout).summary;
      } catch {
        throw new Error(`${phase}: no JSON plan (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
      }
      const row = {
        phase,
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        rssMb: r.rssMb,
        requests: emulator.requests.length,
        minRequests: minRequests(summary),
        ldapOps: ldapOpsOf(r.stderr),
        exit: r.code,
        note: Object.entries(summary)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
        summary,
      };
      rows.push(row);
      return row;
    };

    const converged = await tool('(b) plan, converged', ['plan'], () => 1 + pages);
    if (changesOf(converged.summary) !== 0) throw new Error(`not converged: ${converged.note}`);
    const drifted = drift(org.members);
    for (const m of drifted) emulator.setMember(toSeed(m));
    const planned = await tool('(c) plan, 10 % drift', ['plan', '--override-threshold'], () => 1 + pages);
    await tool(
      '(d) apply the drift',
      ['apply', '--override-threshold'],
      (s) => 1 + pages + 2 * changesOf(s) + pages,
    );
    const again = await tool('(e) plan after apply', ['plan'], () => 1 + pages);
    if (changesOf(again.summary) !== 0) throw new Error(`apply did not converge: ${again.note}`);
    rows.pop(); // the check, not a benchmark phase

    let profile = null;
    if (values.profile && !values['no-profile']) {
      const profDir = join(dir, 'profile');
      const r = await measure(
        dir,
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profDir}`, BIN, 'plan', '--output', 'json', '--config', config],
        { env },
      );
      if (r.code === 0) profile = summarizeProfile(join(profDir, readdirSync(profDir)[0]));
    }

    return {
      name,
      size: { ...org.size, dataYamlBytes: org.dataYaml.length, drifted: drifted.length },
      plannedChanges: changesOf(planned.summary),
      ratio: converged.wallMs / floorWall,
      rows,
      profile,
    };
  } finally {
    await emulator.close();
    gitiles?.close();
    await slapd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (ms) => (Number.isNaN(ms) ? '?' : (ms / 1000).toFixed(2));
const mb = (n) => (Number.isNaN(n) ? '?' : Math.round(n));
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  loadBefore: loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
};
const results = [];
for (const name of sizes) {
  const result = await benchSize(name);
  results.push(result);
  const { size } = result;
  console.log(
    `\n${name}: ${size.people} people, ${size.members} members, data.yaml ${(size.dataYamlBytes / 1e6).toFixed(2)} MB ` +
      `(${size.users} users), ${size.drifted} drifted`,
  );
  console.log(
    '| phase | wall s | CPU s | peak RSS MB | GrowthBook requests (min) | LDAP ops | exit | outcome |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of result.rows) {
    console.log(
      `| ${r.phase} | ${fmt(r.wallMs)} | ${fmt(r.cpuMs)} | ${mb(r.rssMb)} | ${r.requests} (${r.minRequests}) | ${r.ldapOps ?? '?'} | ${r.exit} | ${r.note} |`,
    );
  }
  console.log(`plan converged / I/O floor: ${result.ratio.toFixed(2)}`);
  if (result.profile) {
    const parts = Object.entries(result.profile).map(([k, ms]) => `${k} ${Math.round(ms)} ms`);
    console.log(`profile of a converged plan: ${parts.join('; ')}`);
  }
}
machine.loadAfter = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `\nmachine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average before ${machine.loadBefore}, after ${machine.loadAfter}`,
);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, results }, null, 2)}\n`);
