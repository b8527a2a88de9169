// Several LDAP connections for one read, so that several searches can be in flight. Each connection
// runs one search at a time: OpenLDAP keeps one paged-results state per connection, and a second
// paged search started on the same connection invalidates the first one's cookie. The first
// connection is opened (and bound) at once, the others only when searches are waiting for one.
import type { Entry } from 'ldapts';
import type { LdapSearch, LdapSession } from './ldap-session.js';

export interface LdapSessionPool {
  search(request: LdapSearch): Promise<Entry[]>;
  /** Closes every connection opened; never throws. */
  close(): Promise<void>;
}

export async function openLdapSessionPool(
  open: () => Promise<LdapSession>,
  size: number,
): Promise<LdapSessionPool> {
  const opened: Promise<LdapSession>[] = [open()];
  const idle: LdapSession[] = [await (opened[0] as Promise<LdapSession>)];
  const waiting: Array<(session: LdapSession) => void> = [];

  const acquire = async (): Promise<LdapSession> => {
    const free = idle.pop();
    if (free !== undefined) return free;
    if (opened.length < size) {
      const next = open();
      opened.push(next);
      return next;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (session: LdapSession): void => {
    const next = waiting.shift();
    if (next !== undefined) next(session);
    else idle.push(session);
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
