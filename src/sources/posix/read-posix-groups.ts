// The POSIX source: data.yaml from gitiles (base64, `?format=TEXT`) or from a local file (plain YAML).
import type { PosixConfig } from '../../config/schema.js';
import type { PosixGroups } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';
import { readSourceFile } from '../read-source-file.js';
import { type FetchGitilesOptions, fetchGitilesText } from './fetch-gitiles-text.js';
import { parseDataYaml } from './parse-data-yaml.js';

export type ReadPosixOptions = FetchGitilesOptions;

export interface PosixReadResult {
  groups: PosixGroups;
  /** The file path, or the URL's host and path (never its query). */
  origin: string;
  /** Size of data.yaml itself (decoded, for gitiles). */
  bytes: number;
}

/** data.yaml is about 300 KB and grows by a few KB a year; a file past this is not data.yaml. */
export const DATA_YAML_MAX_BYTES = 16 * 1024 * 1024;

export async function readPosixGroups(
  config: PosixConfig,
  options: ReadPosixOptions,
): Promise<PosixReadResult> {
  if ('file' in config) {
    options.deadline.check('reading data.yaml');
    const { text, bytes } = await readSourceFile('posix', 'data.yaml file', config.file, DATA_YAML_MAX_BYTES);
    return { groups: parseDataYaml(text, config.file), origin: config.file, bytes };
  }
  const { text, bytes, origin } = await fetchGitilesText(config.url, options);
  if (bytes > DATA_YAML_MAX_BYTES) {
    throw new SourceReadError(
      'posix',
      `data.yaml from ${origin} is larger than the limit of ${DATA_YAML_MAX_BYTES} bytes once decoded`,
    );
  }
  return { groups: parseDataYaml(text, origin), origin, bytes };
}
