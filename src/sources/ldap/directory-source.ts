// What the pipeline asks of LDAP, whichever way it is read: an LDIF export or a directory server.
import type { LdapFileConfig } from '../../config/schema.js';
import type { Directory } from '../../core/model.js';
import { readLdifDirectory } from './read-ldif-directory.js';

export interface DirectoryReadRequest {
  /** The LDAP groups the policy names; each must exist. */
  groupNames: string[];
  /** GrowthBook members' e-mails: a server source looks these people up; a file holds everyone. */
  mails: string[];
}

export interface DirectorySource {
  /** For logs and `check`, e.g. "LDIF file /srv/export.ldif". */
  readonly description: string;
  read(request: DirectoryReadRequest): Promise<Directory>;
  /** What `check` reports about how the source is reached (server, TLS, bind, operations of the last read). */
  details?(): Record<string, unknown>;
}

export function createLdifDirectorySource(config: LdapFileConfig): DirectorySource {
  return {
    description: `LDIF file ${config.file}`,
    read: async ({ groupNames }) => (await readLdifDirectory(config, groupNames)).directory,
  };
}
