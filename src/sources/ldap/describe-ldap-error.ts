// LDAP client failures in an operator's words: which kind of failure, and what to look at. The
// caller prefixes the server and the step.
import { ResultCodeError } from 'ldapts';

/** LDAP result codes (RFC 4511 §4.1.9) that deserve more than the server's own text. */
const RESULTS: Record<number, string> = {
  3: 'time limit exceeded: the server stopped the search, so the result would be incomplete',
  4: 'size limit exceeded: the server would return only part of the result',
  11: 'administrative limit exceeded: the server refused to return the whole result',
  32: 'no such object: check the base DN',
  48: 'inappropriate authentication',
  49: 'bind rejected: invalid credentials (check ldap.bindDn and LDAP_BIND_PASSWORD)',
  50: 'insufficient access rights',
  52: 'server unavailable',
  53: 'server unwilling to perform',
};

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address',
  ENOTFOUND: 'host name does not resolve',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

// Node's certificate verification codes (OpenSSL X509_V_ERR_* names) and its hostname check.
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT|DECODE)|ISSUER|ALTNAME|CHAIN/;

/** Trust is named so that a verification failure says what was trusted. */
export function describeLdapError(error: unknown, trustLabel: string): string {
  if (error instanceof ResultCodeError) {
    const diagnostic = error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
    const known = RESULTS[error.code];
    const text = known ?? (diagnostic || error.name);
    const server = known && diagnostic ? `; server said: ${diagnostic}` : '';
    return `${text} (LDAP result ${error.code}${server})`;
  }
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (CERTIFICATE.test(code)) {
    return (
      `TLS certificate verification failed (${code}: ${error.message}); trusted: ${trustLabel}. ` +
      'Set LDAP_CA_CERT_PATH to the CA bundle that signs the server certificate'
    );
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /\bTLS\b|SSL/.test(error.message)) {
    return `TLS handshake failed (${code || error.name}: ${error.message})`;
  }
  const network = NETWORK[code];
  if (network) return `${network} (${code})`;
  return error.message;
}
