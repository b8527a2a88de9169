// Several LDAP connections for one read, so that several searches can be in flight. Each connection
// runs one search at a time: OpenLDAP keeps one paged-results state per connection, and a second
// paged search started on the same connection invalidates the first one's cookie. The first
// connection is opened (and bound) at once; more are opened only while two or more searches wait
// for one, so a small read (the groups and one batch) stays on one connection.
import type { Entry } from 'ldapts';
import type { LdapSearch, LdapSession } from './ldap-session.js';

export interface LdapSessionPool {
  search(request: LdapSearch): Promise<Entry[]>;
  /** Closes every connection opened; never throws. */
  close(): Promise<void>;
}

interface Waiter {
  resolve: (session: LdapSession) => void;
  reject: (error: unknown) => void;
}

export async function openLdapSessionPool(
  open: () => Promise<LdapSession>,
  size: number,
): Promise<LdapSessionPool> {
  const opened: Promise<LdapSession>[] = [open()];
  const idle: LdapSession[] = [await (opened[0] as Promise<LdapSession>)];
  const waiting: Waiter[] = [];
  let opening = 0;

  const release = (session: LdapSession): void => {
    const next = waiting.shift();
    if (next !== undefined) next.resolve(session);
    else idle.push(session);
  };
  const grow = (): void => {
    while (opened.length < size && waiting.length > opening && (waiting.length >= 2 || opened.length >= 2)) {
      opening++;
      const next = open();
      opened.push(next);
      next.then(
        (session) => {
          opening--;
          release(session);
        },
        (error: unknown) => {
          opening--;
          waiting.shift()?.reject(error);
        },
      );
    }
  };
  const acquire = (): Promise<LdapSession> => {
    const free = idle.pop();
    if (free !== undefined) return Promise.resolve(free);
    const wait = new Promise<LdapSession>((resolve, reject) => waiting.push({ resolve, reject }));
    grow();
    return wait;
  };

  return {
    async search(request) {
      const session = await acquire();
      try {
        return await session.search(request);
      } finally {
        release(session);
      }
    },
    async close() {
      const sessions = await Promise.allSettled(opened);
      await Promise.all(
        sessions.map((s) => (s.status === 'fulfilled' ? s.value.close() : Promise.resolve())),
      );
    },
  };
}
