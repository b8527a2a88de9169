import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { resolveLdapTrust } from '../../../src/sources/ldap/ldap-trust.js';

const dir = mkdtempSync(join(tmpdir(), 'gbsync-trust-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const pem = join(dir, 'ca.pem');
writeFileSync(pem, PEM);
const notPem = join(dir, 'notes.txt');
writeFileSync(notPem, 'hello');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveLdapTrust', () => {
  test('LDAP_CA_CERT_PATH: exactly that bundle', () => {
    expect(resolveLdapTrust(pem, [])).toEqual({ ca: PEM, label: `CA file ${pem} (LDAP_CA_CERT_PATH)` });
  });

  test('a missing or non-PEM LDAP_CA_CERT_PATH is a configuration error, never a silent fallback', () => {
    expect(() => resolveLdapTrust(join(dir, 'absent.pem'))).toThrow(ConfigError);
    expect(() => resolveLdapTrust(notPem)).toThrow(`LDAP_CA_CERT_PATH ${notPem} holds no PEM certificate`);
  });

  test('unset: the first system bundle that exists and holds certificates', () => {
    expect(resolveLdapTrust(undefined, [join(dir, 'absent.crt'), notPem, pem])).toEqual({
      ca: PEM,
      label: `system CA bundle ${pem}`,
    });
  });

  test("no system bundle: Node.js's own roots, said so", () => {
    const trust = resolveLdapTrust(undefined, [join(dir, 'absent.crt')]);
    expect(trust.ca).toBeUndefined();
    expect(trust.label).toMatch(/built-in CA roots/);
  });
});
