// The POSIX source of the run: data.yaml, with every group the policy names required to exist.
import type { PosixConfig } from '../../config/schema.js';
import type { Source } from '../source.js';
import { requirePosixGroups } from './parse-data-yaml.js';
import { type PosixReadResult, type ReadPosixOptions, readPosixGroups } from './read-posix-groups.js';

/** The POSIX groups the policy names (gate and qualifiers); each must exist. */
export interface PosixQuery {
  groups: string[];
}

export type PosixSource = Source<PosixQuery, PosixReadResult>;

export function posixSource(config: PosixConfig, options: ReadPosixOptions): PosixSource {
  return {
    name: 'posix',
    target: 'url' in config ? (config.url.split('?')[0] ?? '') : config.file,
    async read({ groups }) {
      const read = await readPosixGroups(config, options);
      requirePosixGroups(read.groups, groups, read.origin);
      return read;
    },
    // One fetch or one file read.
    operations: () => 1,
    async describe(found, { groups }) {
      if (!found) return {};
      return {
        groups: Object.keys(found.groups.groups).length,
        policyGroups: Object.fromEntries(groups.map((g) => [g, found.groups.groups[g]?.length ?? 0])),
      };
    },
  };
}
