// API authentication (docs/growthbook-api.md §2).
import type { SeedApiKey } from './types.js';

export type AuthResult = { ok: true; key: SeedApiKey } | { ok: false; status: number; message: string };

const fail = (status: number, message: string): AuthResult => ({ ok: false, status, message });

export function authenticate(header: string | undefined, keys: readonly SeedApiKey[]): AuthResult {
  if (!header) return fail(400, 'Missing Authorization header');
  // Split on a single space: the scheme is case-sensitive and a doubled space leaves an empty value.
  const [scheme, value] = header.split(' ');
  if (scheme !== 'Bearer' && scheme !== 'Basic') {
    return fail(400, 'Must use either a Bearer or Basic authentication scheme');
  }
  if (!value) return fail(400, 'Missing API key in Authorization header');
  // Basic: the key is the user name; any password is ignored.
  const secret =
    scheme === 'Basic' ? (Buffer.from(value, 'base64').toString('ascii').split(':')[0] ?? '') : value;
  // A three-segment Bearer value is a browser-session JWT; the emulator issues none, so it never verifies.
  if (scheme === 'Bearer' && secret.split('.').length === 3) return fail(401, 'Authentication failed');
  const key = keys.find((k) => k.key === secret);
  return key ? { ok: true, key } : fail(401, 'Invalid API key');
}

/** §2 Permission: only admin keys have the global manageTeam permission. */
export const canManageTeam = (key: SeedApiKey): boolean => key.role === 'admin';
