// Which certificate authorities an LDAP TLS connection trusts: LDAP_CA_CERT_PATH when set, else the
// system CA bundle (Wikimedia's LDAP serves a public Let's Encrypt certificate), else Node's own roots.
// Verification itself is never switched off.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';

export interface LdapTrust {
  /** PEM text of the trusted CAs; undefined means Node's built-in roots. */
  ca: string | undefined;
  /** For `check` and error messages, e.g. "CA file /etc/ssl/certs/ca-certificates.crt". */
  label: string;
}

/** Debian/Ubuntu, RHEL/Fedora, Alpine/macOS. */
export const SYSTEM_CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

export function resolveLdapTrust(
  caCertPath: string | undefined,
  systemBundles: readonly string[] = SYSTEM_CA_BUNDLES,
): LdapTrust {
  if (caCertPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(caCertPath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`LDAP_CA_CERT_PATH ${caCertPath} cannot be read (${code})`);
    }
    if (!text.includes(PEM_CERTIFICATE)) {
      throw new ConfigError(`LDAP_CA_CERT_PATH ${caCertPath} holds no PEM certificate`);
    }
    return { ca: text, label: `CA file ${caCertPath} (LDAP_CA_CERT_PATH)` };
  }
  for (const path of systemBundles) {
    try {
      const text = readFileSync(path, 'utf8');
      if (text.includes(PEM_CERTIFICATE)) return { ca: text, label: `system CA bundle ${path}` };
    } catch {
      // not on this system; try the next
    }
  }
  return { ca: undefined, label: "Node.js's built-in CA roots (no system CA bundle found)" };
}
