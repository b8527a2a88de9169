// A CA and a server certificate for 127.0.0.1/localhost, made with openssl once per test run (by the
// global setup, which also deletes them), plus a second, unrelated CA: a trust store that must not
// verify the server.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCerts {
  dir: string;
  /** The CA that signed the server certificate. */
  caPath: string;
  /** A CA that signed nothing here. */
  otherCaPath: string;
  certPath: string;
  keyPath: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=growthbook-ldap-sync test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert, key };
}

export const certsIn = (dir: string): TestCerts => ({
  dir,
  caPath: join(dir, 'ca.pem'),
  otherCaPath: join(dir, 'other-ca.pem'),
  certPath: join(dir, 'server.pem'),
  keyPath: join(dir, 'server.key'),
});

/** Writes the certificates into `dir` (created if needed). */
export async function makeCerts(dir: string): Promise<TestCerts> {
  mkdirSync(dir, { recursive: true });
  const [ca, other] = await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  const keyPath = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certPath = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  writeFileSync(
    ext,
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  await run('openssl', ['req', '-new', ...EC, '-keyout', keyPath, '-out', csr, '-subj', '/CN=localhost']);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    certPath,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  const made = certsIn(dir);
  if (made.caPath !== ca.cert || made.otherCaPath !== other.cert) throw new Error('unexpected paths');
  return made;
}
