// Who is calling: the API key, and a descriptive User-Agent (Wikimedia's edge rejects generic ones).
import { USER_AGENT } from '../../version.js';
import type { Layer } from '../types.js';

export interface IdentifyOptions {
  apiKey: string;
  authScheme: 'bearer' | 'basic';
}

export function authorizationHeader({ apiKey, authScheme }: IdentifyOptions): string {
  // GrowthBook's Basic scheme takes the key as the user name with an empty password.
  return authScheme === 'basic'
    ? `Basic ${Buffer.from(`${apiKey}:`, 'utf8').toString('base64')}`
    : `Bearer ${apiKey}`;
}

export function identify(o: IdentifyOptions): Layer {
  const authorization = authorizationHeader(o);
  return (next) => (req) =>
    next({
      ...req,
      headers: {
        ...req.headers,
        Authorization: authorization,
        'User-Agent': USER_AGENT,
        Accept: 'application/json',
        ...(req.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    });
}
