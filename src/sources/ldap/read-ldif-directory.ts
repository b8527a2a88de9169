// The offline LDAP source: an `ldapsearch -LLL` export read from a file.
import type { LdapFileConfig } from '../../config/schema.js';
import type { Directory } from '../../core/model.js';
import { readSourceFile } from '../read-source-file.js';
import { buildDirectory } from './build-directory.js';
import { parseLdif } from './parse-ldif.js';

export interface LdifDirectoryResult {
  directory: Directory;
  origin: string;
  /** Entries in the file, for metrics. */
  entries: number;
}

/** An export of the people and groups the sync reads; far past any real directory's size. */
export const LDIF_MAX_BYTES = 128 * 1024 * 1024;

export async function readLdifDirectory(
  config: LdapFileConfig,
  groupNames: string[],
): Promise<LdifDirectoryResult> {
  const { text } = await readSourceFile('ldap', 'LDIF file', config.file, LDIF_MAX_BYTES);
  const entries = parseLdif(text, config.file);
  const directory = buildDirectory(
    entries,
    {
      peopleBase: config.peopleBase,
      groupBase: config.groupBase,
      groupNames,
      strictMembers: config.strictMembers === true,
    },
    config.file,
  );
  return { directory, origin: config.file, entries: entries.length };
}
