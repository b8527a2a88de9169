// Settings that come from the environment: secrets (never from the config file), the CA bundle and
// the run deadline.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export const API_KEY_ENV = 'GROWTHBOOK_LDAP_SYNC_API_KEY';

export interface Environment {
  [name: string]: string | undefined;
}

/** The GrowthBook API key: growthbook.apiKeyFile when configured, else the environment. */
export function readApiKey(apiKeyFile: string | undefined, env: Environment): string {
  if (apiKeyFile !== undefined) {
    let key: string;
    try {
      key = readFileSync(apiKeyFile, 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(`cannot read growthbook.apiKeyFile ${apiKeyFile} (${code})`);
    }
    if (key === '') throw new ConfigError(`growthbook.apiKeyFile ${apiKeyFile} is empty`);
    return key;
  }
  const key = env[API_KEY_ENV]?.trim();
  if (!key) {
    throw new ConfigError(
      `no GrowthBook API key: set ${API_KEY_ENV} or growthbook.apiKeyFile (a secret key with the admin role)`,
    );
  }
  return key;
}

export function readBindPassword(env: Environment): string | undefined {
  const password = env.LDAP_BIND_PASSWORD;
  return password === undefined || password === '' ? undefined : password;
}

export function readCaCertPath(env: Environment): string | undefined {
  const path = env.LDAP_CA_CERT_PATH?.trim();
  return path ? path : undefined;
}

/** SYNC_DEADLINE_SECONDS: a positive number of seconds, or undefined for no deadline. */
export function readDeadlineSeconds(env: Environment): number | undefined {
  const raw = env.SYNC_DEADLINE_SECONDS?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(`SYNC_DEADLINE_SECONDS must be a positive number of seconds, got "${raw}"`);
  }
  return seconds;
}
