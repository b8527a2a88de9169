// The LDAP source of the run: an LDIF export (offline planning, the demo) or a directory server,
// chosen by the configuration.
import type { LdapConfig } from '../../config/schema.js';
import type { Directory } from '../../core/model.js';
import type { Source } from '../source.js';
import { createDirectorySource, type DirectorySourceContext } from './create-directory-source.js';
import type { DirectoryReadRequest } from './directory-source.js';

export type LdapSource = Source<DirectoryReadRequest, Directory>;

export function ldapSource(config: LdapConfig, context: DirectorySourceContext): LdapSource {
  const directory = createDirectorySource(config, context);
  const operations = () => {
    const n = directory.details?.().operations;
    return typeof n === 'number' ? n : 0;
  };
  return {
    name: 'ldap',
    target: directory.description,
    read: (request) => directory.read(request),
    operations,
    async describe(found) {
      // How the server was reached (TLS, bind, operations), on success and failure alike.
      const reached = directory.details?.() ?? {};
      if (!found) return reached;
      return {
        ...reached,
        groups: Object.fromEntries(found.groups.map((g) => [g.name, g.memberDns.length])),
        people: found.people.length,
        peopleWithMail: found.people.filter((p) => p.mails.length > 0).length,
        ignoredMembers: found.ignoredMembers.length,
      };
    },
  };
}
