// Forward proxies for every HTTP request of the process (GrowthBook, gitiles, Pushgateway): pods
// often reach the outside only through one. Node 20's fetch ignores HTTPS_PROXY and friends, so when
// one is set, undici's environment proxy agent becomes the global dispatcher that fetch uses.
// Loopback addresses always go direct: a proxy cannot reach this machine's loopback (where a local
// TLS-terminating sidecar or the demo's emulator listens).
import { ConfigError } from '../errors.js';

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** Hosts that never go through a proxy, added to NO_PROXY. */
export const ALWAYS_DIRECT = ['localhost', '127.0.0.1', '[::1]'];

type Env = Record<string, string | undefined>;

// Lowercase first, as curl and undici read them; an empty value counts as unset.
const read = (env: Env, name: string) => env[name.toLowerCase()]?.trim() || env[name]?.trim() || undefined;

/** The proxy settings the environment asks for, or undefined when requests should go direct. */
export function proxySettingsFrom(env: Env): ProxySettings | undefined {
  const httpProxy = read(env, 'HTTP_PROXY');
  const httpsProxy = read(env, 'HTTPS_PROXY');
  const noProxy = read(env, 'NO_PROXY') ?? '';
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  if (noProxy === '*') return undefined;
  for (const [name, value] of [
    ['HTTP_PROXY', httpProxy],
    ['HTTPS_PROXY', httpsProxy],
  ] as const) {
    if (value !== undefined) checkProxyUrl(name, value);
  }
  return {
    ...(httpProxy === undefined ? {} : { httpProxy }),
    ...(httpsProxy === undefined ? {} : { httpsProxy }),
    noProxy: [noProxy, ...ALWAYS_DIRECT].filter((entry) => entry !== '').join(','),
  };
}

/** The value may carry a password: errors name the variable, never the value. */
function checkProxyUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} is not an http:// or https:// URL (expected http://host:port)`);
  }
}

/**
 * Installs the proxy agent as the process-wide dispatcher when the environment names a proxy.
 * Returns whether it did. undici is loaded only then, so a run without a proxy starts no slower.
 */
export async function installProxyFromEnvironment(env: Env = process.env): Promise<boolean> {
  const settings = proxySettingsFrom(env);
  if (!settings) return false;
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(new EnvHttpProxyAgent(settings));
  return true;
}
