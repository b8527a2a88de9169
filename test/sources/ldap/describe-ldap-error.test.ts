import {
  AdminLimitExceededError,
  InvalidCredentialsError,
  SizeLimitExceededError,
  UnwillingToPerformError,
} from 'ldapts';
import { expect, test } from 'vitest';
import { describeLdapError } from '../../../src/sources/ldap/describe-ldap-error.js';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

const cases: [proves: string, error: unknown, want: RegExp][] = [
  [
    'a rejected bind says what to check',
    new InvalidCredentialsError(''),
    /^bind rejected: invalid credentials .*\(LDAP result 49\)$/,
  ],
  [
    'a size limit is named as such',
    new SizeLimitExceededError(''),
    /^size limit exceeded: .*part of the result \(LDAP result 4\)$/,
  ],
  [
    'an admin limit too',
    new AdminLimitExceededError('paged limit'),
    /administrative limit exceeded.*LDAP result 11; server said: paged limit/,
  ],
  [
    'other result codes keep the server text',
    new UnwillingToPerformError('nope'),
    /^server unwilling to perform \(LDAP result 53; server said: nope\)$/,
  ],
  [
    'connection refused',
    errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    /^connection refused: .*\(ECONNREFUSED\)$/,
  ],
  ['an unknown host', errno('ENOTFOUND'), /host name does not resolve/],
  [
    'an untrusted chain names what was trusted',
    errno('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
    /^TLS certificate verification failed \(SELF_SIGNED_CERT_IN_CHAIN: .*\); trusted: TRUST\. Set LDAP_CA_CERT_PATH/,
  ],
  [
    'a certificate for another host',
    errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
    /^TLS certificate verification failed \(ERR_TLS_CERT_ALTNAME_INVALID/,
  ],
  [
    'a failed handshake',
    errno('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'),
    /^TLS handshake failed \(ERR_SSL_WRONG_VERSION_NUMBER/,
  ],
];

for (const [proves, error, want] of cases) {
  test(proves, () => expect(describeLdapError(error, 'TRUST')).toMatch(want));
}
