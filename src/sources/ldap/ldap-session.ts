// One LDAP connection for one read: connect (ldaps:// or StartTLS, certificates always verified),
// bind, paged searches, close. Every step checks the run deadline first and has its own timeout;
// every failure becomes a SourceReadError naming the server and the step; every LDAP operation is
// counted. The socket is tracked so that `close()` can always destroy it.
import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { Client, type Entry, type Filter } from 'ldapts';
import { DeadlineError, SourceReadError, SyncError } from '../../errors.js';
import type { Deadline } from '../../util/deadline.js';
import { describeLdapError } from './describe-ldap-error.js';
import type { LdapTrust } from './ldap-trust.js';

export interface LdapSessionOptions {
  url: string;
  startTls: boolean;
  /** null: an anonymous bind. */
  credentials: { dn: string; password: string } | null;
  trust: LdapTrust;
  timeoutMs: number;
  deadline: Deadline;
  /** Paged-results page size. */
  pageSize: number;
  /** Where the operations are counted (the caller keeps it to report a failed read too). */
  stats?: LdapStats;
  /** Sees every socket the session opens (tests prove each one is closed). */
  onSocket?: (socket: Socket) => void;
}

export interface LdapStats {
  /** LDAP requests sent: StartTLS, bind, each search page, unbind. */
  operations: number;
  /** Connections opened. */
  connections: number;
  searches: number;
  pages: number;
  entries: number;
}

export interface LdapSearch {
  /** Names the search in errors, e.g. "search people by mail (batch 2 of 5)". */
  what: string;
  base: string;
  scope: 'one' | 'sub';
  filter: Filter;
  attributes: string[];
}

export interface LdapSession {
  search(request: LdapSearch): Promise<Entry[]>;
  /** Unbinds and destroys the socket; never throws. */
  close(): Promise<void>;
  readonly stats: LdapStats;
}

const CLOSE_WAIT_MS = 1000;

export const emptyLdapStats = (): LdapStats => ({
  operations: 0,
  connections: 0,
  searches: 0,
  pages: 0,
  entries: 0,
});

/** The TLS settings for this server: verification on, the configured trust, the host name checked. */
export function tlsOptionsFor(url: string, trust: LdapTrust): ConnectionOptions {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    host,
    // SNI takes a host name, never an address (RFC 6066 §3).
    ...(isIp ? {} : { servername: host }),
    ...(trust.ca !== undefined ? { ca: trust.ca } : {}),
  };
}

export async function openLdapSession(options: LdapSessionOptions): Promise<LdapSession> {
  const { url, deadline, timeoutMs, trust } = options;
  const stats = options.stats ?? emptyLdapStats();
  stats.connections++;
  const sockets = new Set<Socket>();
  const track = <S extends Socket>(socket: S): S => {
    sockets.add(socket);
    options.onSocket?.(socket);
    return socket;
  };
  const tls = tlsOptionsFor(url, trust);
  const secure = url.toLowerCase().startsWith('ldaps:');
  const client = new Client({
    url,
    // Backstops only: every step below has its own timer, bounded by the run deadline too.
    timeout: timeoutMs + CLOSE_WAIT_MS,
    connectTimeout: timeoutMs + CLOSE_WAIT_MS,
    // ldapts switches to implicit TLS whenever tlsOptions are given, even on ldap://: StartTLS
    // takes its options at startTLS() instead.
    ...(secure ? { tlsOptions: tls } : {}),
    createConnection: ((...args: Parameters<typeof netConnect>) =>
      track(netConnect(...args))) as typeof netConnect,
    createSecureConnection: ((...args: Parameters<typeof tlsConnect>) =>
      track(tlsConnect(...args))) as typeof tlsConnect,
  });

  async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
    deadline.check(`LDAP ${what}`);
    const remaining = deadline.remainingMs();
    const byDeadline = remaining < timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            byDeadline
              ? new DeadlineError(`run deadline reached during LDAP ${what} on ${url}`)
              : new SourceReadError(
                  'ldap',
                  `${url}: ${what}: no answer within ${timeoutMs / 1000}s (ldap.timeoutSeconds)`,
                ),
          ),
        Math.max(0, Math.min(timeoutMs, remaining)),
      );
    });
    try {
      return await Promise.race([work(), expired]);
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new SourceReadError('ldap', `${url}: ${what}: ${describeLdapError(error, trust.label)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  const session: LdapSession = {
    stats,
    async search(request) {
      // ldapts reconnects silently when a connection drops, unbound and without StartTLS: a search
      // on such a connection could see less than the bound one would. Refuse instead.
      if (!client.isBound) {
        throw new SourceReadError('ldap', `${url}: ${request.what}: the connection was lost`);
      }
      stats.searches++;
      // Never pass sizeLimit: with one, ldapts returns a truncated result instead of an error.
      const pages = client.searchPaginated(request.base, {
        scope: request.scope,
        filter: request.filter,
        attributes: request.attributes,
        paged: { pageSize: options.pageSize },
      });
      const entries: Entry[] = [];
      for (let page = 1; ; page++) {
        const what = page === 1 ? request.what : `${request.what}, page ${page}`;
        // The call after the last page sends nothing: count a request once it answered or failed.
        const next = await step(what, () => pages.next()).catch((error: unknown) => {
          stats.operations++;
          throw error;
        });
        if (next.done) break;
        stats.operations++;
        stats.pages++;
        if (next.value.searchReferences.length > 0) {
          throw new SourceReadError(
            'ldap',
            `${url}: ${what}: the server answered with referrals (${next.value.searchReferences.join(', ')}), ` +
              'which this tool does not follow: point ldap.url at a server that holds the whole directory',
          );
        }
        entries.push(...next.value.searchEntries);
      }
      stats.entries += entries.length;
      return entries;
    },
    async close() {
      if (client.isConnected) {
        stats.operations++;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          client.unbind().catch(() => undefined),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_WAIT_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      for (const socket of sockets) {
        socket.on('error', () => undefined);
        socket.destroy();
      }
    },
  };

  try {
    if (!secure && options.startTls) {
      stats.operations++;
      await step('StartTLS', () => client.startTLS({ ...tls }));
    }
    const { credentials } = options;
    stats.operations++;
    // An explicit bind, anonymous too: the connection (and TLS) is proven before anything is read.
    await step(credentials ? `bind as ${credentials.dn}` : 'connect and bind anonymously', () =>
      client.bind(credentials?.dn ?? '', credentials?.password ?? ''),
    );
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
