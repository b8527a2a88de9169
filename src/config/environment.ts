// Settings that come from the environment: secrets (never from the config file), the CA bundle and
// the run deadline.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export const API_KEY_ENV = 'GROWTHBOOK_LDAP_SYNC_API_KEY';

export interface Environment {
  [name: string]: string | undefined;
}

/**
 * What makes a key unsendable in an Authorization header, in words that never quote the key; null
 * when it is fine. Such a key would fail every request (and be retried) rather than fail once.
 */
export function apiKeyProblem(key: string): string | null {
  if (/[\r\n]/.test(key)) return 'the key contains a line break';
  const codes = [...key].map((c) => c.codePointAt(0) ?? 0);
  if (codes.some((c) => c < 0x20 || c === 0x7f)) return 'the key contains a control character';
  if (codes.some((c) => c > 0xff))
    return 'the key contains a character that cannot be sent in an HTTP header';
  return null;
}

/**
 * The GrowthBook API key. GROWTHBOOK_LDAP_SYNC_API_KEY wins when set and not blank (an environment
 * overrides a file, as a Secret injected into one pod overrides the shared configuration);
 * growthbook.apiKeyFile is read only when it is not.
 */
export function readApiKey(apiKeyFile: string | undefined, env: Environment): string {
  const fromEnv = env[API_KEY_ENV]?.trim();
  const key = fromEnv ? fromEnv : readKeyFile(apiKeyFile);
  const problem = apiKeyProblem(key);
  if (problem) {
    const where = fromEnv ? API_KEY_ENV : `growthbook.apiKeyFile ${apiKeyFile}`;
    throw new ConfigError(`${where}: ${problem}; check how the secret was stored`);
  }
  return key;
}

function readKeyFile(apiKeyFile: string | undefined): string {
  if (apiKeyFile !== undefined) {
    let key: string;
    try {
      key = readFileSync(apiKeyFile, 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(
        `cannot read growthbook.apiKeyFile ${apiKeyFile} (${code}), and ${API_KEY_ENV} is not set`,
      );
    }
    if (key === '')
      throw new ConfigError(`growthbook.apiKeyFile ${apiKeyFile} is empty, and ${API_KEY_ENV} is not set`);
    return key;
  }
  throw new ConfigError(
    `no GrowthBook API key: set ${API_KEY_ENV} or growthbook.apiKeyFile (a secret key with the admin role)`,
  );
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
