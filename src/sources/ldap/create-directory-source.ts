// Chooses the LDAP source from the configuration: an LDIF export (offline planning, the demo) or a
// directory server.
import type { LdapConfig } from '../../config/schema.js';
import type { Logger } from '../../observe/logger.js';
import type { Deadline } from '../../util/deadline.js';
import { createLdifDirectorySource, type DirectorySource } from './directory-source.js';
import { createNetworkDirectorySource } from './network-directory-source.js';

export interface DirectorySourceContext {
  env: NodeJS.ProcessEnv;
  deadline: Deadline;
  logger: Logger;
  onBatch?: (label: string, index: number, count: number) => void;
}

export function createDirectorySource(config: LdapConfig, context: DirectorySourceContext): DirectorySource {
  if ('file' in config) return createLdifDirectorySource(config);
  return createNetworkDirectorySource(config, context);
}
