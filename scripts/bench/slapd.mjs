// A throwaway OpenLDAP slapd on loopback for the benchmark, loaded with slapadd. Its limits are
// Wikimedia's (2048 entries a search) except that paging lifts them, so that a full paged dump of
// the people (the I/O floor's reference read) is possible; the sync's own reads never rely on that.
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SUFFIX } from './organization.mjs';

const run = promisify(execFile);
const SCHEMAS = fileURLToPath(new URL('../../test/fixtures/slapd/', import.meta.url));

export function findProgram(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found: run scripts/setup-test-deps.sh`);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startSlapd(dir, ldif) {
  const schemaDir = ['/etc/ldap/schema', '/etc/openldap/schema'].find((d) =>
    existsSync(join(d, 'core.schema')),
  );
  if (!schemaDir) throw new Error('OpenLDAP schema files not found: run scripts/setup-test-deps.sh');
  const modules = existsSync('/usr/lib/ldap/back_mdb.la')
    ? ['modulepath /usr/lib/ldap', 'moduleload back_mdb']
    : [];
  mkdirSync(join(dir, 'db'), { recursive: true });
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson'].map((s) => `include ${schemaDir}/${s}.schema`),
      `include ${SCHEMAS}rfc2307bis.schema`,
      `include ${SCHEMAS}wikimedia.schema`,
      ...modules,
      `pidfile ${join(dir, 'slapd.pid')}`,
      'sizelimit size.soft=2048 size.hard=2048 size.prtotal=unlimited',
      'database mdb',
      'maxsize 2147483648',
      `suffix "${SUFFIX}"`,
      `rootdn "cn=admin,${SUFFIX}"`,
      `directory ${join(dir, 'db')}`,
      'index objectClass,uid,mail,cn,member eq',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const top = `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: wikimedia\no: Bench\n\n`;
  writeFileSync(join(dir, 'load.ldif'), top + ldif.replace(/^version: *1\n/, ''));
  await run(findProgram('slapadd'), ['-q', '-f', conf, '-l', join(dir, 'load.ldif')], { maxBuffer: 1 << 24 });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const child = spawn(findProgram('slapd'), ['-f', conf, '-h', `${url}/`, '-d', '0'], { stdio: 'ignore' });
  const ldapsearch = findProgram('ldapsearch');
  for (let i = 0; ; i++) {
    try {
      await run(ldapsearch, ['-x', '-H', url, '-b', '', '-s', 'base', '-LLL', 'namingContexts']);
      break;
    } catch (error) {
      if (i > 200 || child.exitCode !== null) throw new Error(`slapd did not start: ${error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
