// The POSIX source: data.yaml from gitiles (base64, `?format=TEXT`) or from a local file (plain YAML).
import type { PosixConfig } from '../../config/schema.js';
import type { PosixGroups } from '../../core/model.js';
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

export async function readPosixGroups(
  config: PosixConfig,
  options: ReadPosixOptions,
): Promise<PosixReadResult> {
  if ('file' in config) {
    options.deadline.check('reading data.yaml');
    const { text, bytes } = await readSourceFile('posix', 'data.yaml file', config.file);
    return { groups: parseDataYaml(text, config.file), origin: config.file, bytes };
  }
  const { text, bytes, origin } = await fetchGitilesText(config.url, options);
  return { groups: parseDataYaml(text, origin), origin, bytes };
}
