// The production LDAP source: a directory server over ldaps:// or ldap:// (+ StartTLS), read-only,
// a few connections per read (one search at a time on each), all closed on every path.
import type { Socket } from 'node:net';
import { readBindPassword, readCaCertPath } from '../../config/environment.js';
import { isLoopbackHost, type LdapNetworkConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../observe/logger.js';
import type { Deadline } from '../../util/deadline.js';
import type { DirectorySource } from './directory-source.js';
import { emptyLdapStats, type LdapStats, openLdapSession } from './ldap-session.js';
import { openLdapSessionPool } from './ldap-session-pool.js';
import { type LdapTrust, resolveLdapTrust } from './ldap-trust.js';
import { readNetworkDirectory } from './read-network-directory.js';

export interface NetworkSourceContext {
  env: NodeJS.ProcessEnv;
  deadline: Deadline;
  logger: Logger;
  /** Told before each people search: by what, which batch, of how many. */
  onBatch?: (label: string, index: number, count: number) => void;
}

/** Internal knobs with production defaults; tests shrink them to prove paging and batching. */
export interface NetworkSourceTuning {
  pageSize?: number;
  batchSize?: number;
  concurrency?: number;
  onSocket?: (socket: Socket) => void;
  /** Where to look for the system CA bundle when LDAP_CA_CERT_PATH is unset. */
  systemCaBundles?: readonly string[];
}

const TUNING = { pageSize: 500, batchSize: 100, concurrency: 4 };

export type TlsMode = 'ldaps' | 'starttls' | 'none';

export function createNetworkDirectorySource(
  config: LdapNetworkConfig,
  context: NetworkSourceContext,
  tuning: NetworkSourceTuning = {},
): DirectorySource {
  const { pageSize, batchSize, concurrency } = { ...TUNING, ...dropUndefined(tuning) };
  const url = config.url.replace(/\/$/, '');
  const tlsMode: TlsMode = /^ldaps:/i.test(url) ? 'ldaps' : config.startTls ? 'starttls' : 'none';
  if (tlsMode === 'ldaps' && config.startTls) {
    throw new ConfigError(`ldap.startTls applies to ldap:// URLs; ${url} already uses TLS (ldaps://)`);
  }

  const onLoopback = isLoopbackHost(new URL(url.replace(/^ldaps?:/i, 'http:')).hostname);
  let credentials: { dn: string; password: string } | null = null;
  if (config.bindDn !== undefined) {
    if (!config.bindDn.includes('=')) {
      throw new ConfigError(
        `ldap.bindDn must be a DN such as cn=proxyagent,ou=profile,…; got "${config.bindDn}"`,
      );
    }
    const password = readBindPassword(context.env);
    if (password === undefined) {
      // A simple bind with a DN and no password is an unauthenticated bind (RFC 4513 §5.1.2).
      throw new ConfigError(`ldap.bindDn is set but LDAP_BIND_PASSWORD is empty`);
    }
    // Loopback is how a local TLS-terminating sidecar is reached: the password never leaves the host.
    if (tlsMode === 'none' && !onLoopback) {
      throw new ConfigError(
        `ldap.bindDn: a password is never sent in clear text off this host; use an ldaps:// URL or ldap.startTls: true`,
      );
    }
    credentials = { dn: config.bindDn, password };
  }

  const trust: LdapTrust =
    tlsMode === 'none'
      ? { ca: undefined, label: 'no TLS' }
      : resolveLdapTrust(readCaCertPath(context.env), tuning.systemCaBundles);
  let last: LdapStats | null = null;

  return {
    description: `LDAP server ${url}`,
    details: () => ({
      server: url,
      tls:
        tlsMode === 'none'
          ? 'none (plain ldap://, unencrypted)'
          : `${tlsMode === 'ldaps' ? 'ldaps://' : 'StartTLS'}, certificate verified against ${trust.label}`,
      bind: credentials ? `simple bind as ${credentials.dn}` : 'anonymous',
      ...(last
        ? {
            operations: last.operations,
            connections: last.connections,
            searches: last.searches,
            entries: last.entries,
          }
        : {}),
    }),
    async read(request) {
      const started = Date.now();
      if (tlsMode === 'none' && !onLoopback) {
        context.logger.warn({ ldap_server: url }, 'LDAP read over plain ldap:// without TLS');
      }
      const stats = emptyLdapStats();
      last = stats;
      const open = () =>
        openLdapSession({
          stats,
          url,
          startTls: tlsMode === 'starttls',
          credentials,
          trust,
          timeoutMs: config.timeoutSeconds * 1000,
          deadline: context.deadline,
          pageSize,
          ...(tuning.onSocket ? { onSocket: tuning.onSocket } : {}),
        });
      const pool = await openLdapSessionPool(open, concurrency);
      let ok = false;
      try {
        const directory = await readNetworkDirectory(pool.search, request, {
          peopleBase: config.peopleBase,
          groupBase: config.groupBase,
          batchSize,
          concurrency,
          origin: url,
          strictMembers: config.strictMembers === true,
          ...(context.onBatch ? { onBatch: context.onBatch } : {}),
        });
        ok = true;
        return directory;
      } finally {
        await pool.close();
        context.logger.info(
          {
            ldap_server: url,
            ok,
            ldap_operations: stats.operations,
            ldap_connections: stats.connections,
            ldap_searches: stats.searches,
            ldap_entries: stats.entries,
            ms: Date.now() - started,
          },
          'ldap read',
        );
      }
    },
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
