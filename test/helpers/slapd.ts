// A throwaway OpenLDAP slapd on loopback: generated slapd.conf, an mdb database in a temp dir loaded
// with slapadd, plain ldap:// (StartTLS offered) and ldaps:// listeners with a per-run certificate.
// Every server is stopped by `stop()`; failing that, when the test process exits, and failing that,
// by the global teardown (global-setup.ts).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { inject } from 'vitest';
import { certsIn, makeCerts, type TestCerts } from './test-certs.js';

const execFileAsync = promisify(execFile);

export const SUFFIX = 'dc=wikimedia,dc=org';
export const PEOPLE_BASE = `ou=people,${SUFFIX}`;
export const GROUP_BASE = `ou=groups,${SUFFIX}`;
export const PROXY_AGENT_DN = `cn=proxyagent,ou=profile,${SUFFIX}`;

const FIXTURES = fileURLToPath(new URL('../fixtures/slapd/', import.meta.url));
const SETUP_HINT = 'run scripts/setup-test-deps.sh (installs the Debian packages slapd, ldap-utils, openssl)';

export interface SlapdOptions {
  /** Entries below the suffix (containers, people, groups); the suffix entry and ou=profile are added. */
  ldif: string;
  /** slapd.conf `sizelimit` (global); default Wikimedia's replicas: size.soft=2048 size.hard=2048. */
  sizeLimit?: string;
  /** Extra `limits` lines for the database. */
  limits?: string[];
}

export interface Slapd {
  /** ldap://127.0.0.1:PORT (StartTLS available). */
  url: string;
  /** ldaps://127.0.0.1:PORT. */
  ldapsUrl: string;
  certs: TestCerts;
  proxyAgent: { dn: string; password: string };
  /** SIGSTOP: connections are accepted by the kernel but nothing answers. */
  /** Stops the server (SIGSTOP); resolves once the kernel shows every thread stopped. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The run's directory from the global setup (certificates, process ids); undefined outside it. */
function runDir(): string | undefined {
  const dir = inject('gbsyncRunDir');
  return dir && existsSync(dir) ? dir : undefined;
}

let ownCerts: Promise<TestCerts> | undefined;
function testCerts(): Promise<TestCerts> {
  const dir = runDir();
  if (dir) return Promise.resolve(certsIn(join(dir, 'certs')));
  ownCerts ??= makeCerts(mkdtempSync(join(tmpdir(), 'gbsync-certs-')));
  return ownCerts;
}

/** Records a running slapd so the global teardown can stop it if nothing else did. */
function register(child: ChildProcess): void {
  running.add(child);
  const dir = runDir();
  const pidFile = dir && child.pid ? join(dir, 'pids', String(child.pid)) : undefined;
  if (pidFile) writeFileSync(pidFile, String(child.pid));
  child.once('exit', () => {
    running.delete(child);
    if (pidFile) rmSync(pidFile, { force: true });
  });
}

function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/libexec'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found on PATH or in /usr/sbin: ${SETUP_HINT}`);
}

function schemaDir(): string {
  for (const dir of ['/etc/ldap/schema', '/etc/openldap/schema']) {
    if (existsSync(join(dir, 'inetorgperson.schema'))) return dir;
  }
  throw new Error(`OpenLDAP schema files not found: ${SETUP_HINT}`);
}

/** Loopback ports free at the time of asking. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function slapdConf(dir: string, certs: TestCerts, rootPassword: string, options: SlapdOptions): string {
  const schemas = schemaDir();
  // Debian builds back_mdb and the overlays as modules; other builds may have them compiled in.
  const modules = existsSync('/usr/lib/ldap/back_mdb.la')
    ? ['modulepath /usr/lib/ldap', 'moduleload back_mdb', 'moduleload ppolicy']
    : [];
  return [
    `include ${schemas}/core.schema`,
    `include ${schemas}/cosine.schema`,
    `include ${schemas}/inetorgperson.schema`,
    `include ${join(FIXTURES, 'rfc2307bis.schema')}`,
    `include ${join(FIXTURES, 'wikimedia.schema')}`,
    ...modules,
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    `TLSCACertificateFile ${certs.caPath}`,
    `TLSCertificateFile ${certs.certPath}`,
    `TLSCertificateKeyFile ${certs.keyPath}`,
    `sizelimit ${options.sizeLimit ?? 'size.soft=2048 size.hard=2048'}`,
    'database mdb',
    'maxsize 268435456',
    `suffix "${SUFFIX}"`,
    `rootdn "cn=admin,${SUFFIX}"`,
    `rootpw ${rootPassword}`,
    `directory ${join(dir, 'db')}`,
    'index objectClass,uid,mail,cn,member eq',
    ...(options.limits ?? []),
    // Wikimedia's ACL: anyone reads everything but the password hashes.
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by * read',
    ...(modules.length > 0 ? ['overlay ppolicy'] : []),
    '',
  ].join('\n');
}

function baseLdif(proxyPassword: string): string {
  return [
    `dn: ${SUFFIX}`,
    'objectClass: dcObject',
    'objectClass: organization',
    'dc: wikimedia',
    'o: Wikimedia (test)',
    '',
    `dn: ou=profile,${SUFFIX}`,
    'objectClass: organizationalUnit',
    'ou: profile',
    '',
    `dn: ${PROXY_AGENT_DN}`,
    'objectClass: organizationalRole',
    'objectClass: simpleSecurityObject',
    'cn: proxyagent',
    `userPassword: ${proxyPassword}`,
    '',
    '',
  ].join('\n');
}

/**
 * Waits until this slapd answers. The probe binds as this instance's root with its own random
 * password: when the port was taken meanwhile by another server (another test run's slapd), that
 * server refuses the bind, and this one has exited; a plain search would be answered by the wrong
 * server and the tests would talk to it.
 */
/**
 * kill() returns before the stop takes effect: a thread that is running, or on a vCPU the host has
 * not scheduled, may still answer a request. Waits until /proc shows the process stopped.
 */
async function untilStopped(child: ChildProcess): Promise<void> {
  const tasks = `/proc/${child.pid}/task`;
  // The state follows the parenthesised command name: "tid (comm) S …".
  const stateOf = (text: string) => text.slice(text.lastIndexOf(')') + 2).split(' ')[0] ?? '';
  const stopped = () => {
    try {
      return readdirSync(tasks).every((tid) =>
        /^[Tt]$/.test(stateOf(readFileSync(join(tasks, tid, 'stat'), 'utf8'))),
      );
    } catch {
      return true; // no /proc (not Linux) or the process is gone: nothing more to wait for
    }
  };
  while (!stopped()) await new Promise((r) => setTimeout(r, 5));
}

async function waitUntilAnswering(
  url: string,
  root: { dn: string; password: string },
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`slapd exited (${child.exitCode ?? child.signalCode}) while starting:\n${stderr()}`);
    }
    const client = new Client({ url, timeout: 1000, connectTimeout: 1000 });
    try {
      await client.bind(root.dn, root.password);
      await client.search('', { scope: 'base', attributes: ['namingContexts'] });
      if (child.exitCode !== null || child.signalCode !== null) continue; // answered by another server
      return;
    } catch (error) {
      if (Date.now() > until)
        throw new Error(`slapd did not answer on ${url}: ${String(error)}\n${stderr()}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const slapd = findProgram('slapd');
  const slapadd = findProgram('slapadd');
  const certs = await testCerts();
  const dir = mkdtempSync(join(tmpdir(), 'gbsync-slapd-'));
  mkdirSync(join(dir, 'db'));
  const proxyAgent = { dn: PROXY_AGENT_DN, password: `proxy-${randomBytes(8).toString('hex')}` };
  const conf = join(dir, 'slapd.conf');
  const root = { dn: `cn=admin,${SUFFIX}`, password: randomBytes(12).toString('hex') };
  writeFileSync(conf, slapdConf(dir, certs, root.password, options));
  const ldifPath = join(dir, 'load.ldif');
  // A `version: 1` line may only open a file, and ours comes first: drop the fixture's.
  const entries = options.ldif.replace(/^version: *1[ \t]*\r?\n/, '');
  writeFileSync(ldifPath, `${baseLdif(proxyAgent.password)}${entries}\n`);
  try {
    await execFileAsync(slapadd, ['-q', '-f', conf, '-l', ldifPath]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`slapadd refused the fixture:\n${detail}`);
  }

  // A port can be taken between choosing and binding it: try again with fresh ones.
  for (let attempt = 1; ; attempt++) {
    const [port, tlsPort] = (await freePorts(2)) as [number, number];
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    const child = spawn(slapd, ['-f', conf, '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    register(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitUntilAnswering(url, root, child, () => stderr);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      url,
      ldapsUrl,
      certs,
      proxyAgent,
      pause: async () => {
        child.kill('SIGSTOP');
        await untilStopped(child);
      },
      resume: () => child.kill('SIGCONT'),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT'); // a paused server would hold SIGTERM until resumed
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
