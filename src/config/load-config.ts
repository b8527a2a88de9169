// Reads the configuration file and the environment into validated settings. Every failure is a
// ConfigError (exit 3) naming the file, the key path and, where known, the line.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { firstNonUtf8Line } from '../util/first-non-utf8-line.js';
import { FileTooLargeError, readBoundedFileSync } from '../util/read-bounded-file.js';
import { type Config, type ConfigIssue, parseConfig } from './schema.js';

/** A configuration is a page or two of YAML; anything near this size is not one. */
export const CONFIG_MAX_BYTES = 1024 * 1024;
/** YAML aliases expanded at most; a few are normal (shared rank lists), thousands are a bomb. */
const MAX_ALIASES = 100;
/** Problems listed at most; the first ones are enough to start fixing. */
const MAX_ISSUES = 20;

export function loadConfigFile(path: string): Config {
  let bytes: Buffer;
  try {
    bytes = readBoundedFileSync(path, CONFIG_MAX_BYTES);
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw new ConfigError(`config file ${path} is larger than the limit of ${error.limit} bytes`);
    }
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `cannot read config file ${path} (${code}); pass --config <file> or set GBSYNC_CONFIG`,
    );
  }
  // Never a lossy decode: a replaced byte inside protectedEmails would silently stop protecting someone.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(
      `config file ${path}, line ${firstNonUtf8Line(bytes) ?? '?'}: not valid UTF-8 (save the file as UTF-8)`,
    );
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, origin: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const pos = first ? lineCounter.linePos(first.pos[0]) : undefined;
    const where = pos ? `:${pos.line}:${pos.col}` : '';
    throw new ConfigError(`${origin}${where}: invalid YAML: ${first?.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new ConfigError(
      /alias/i.test(detail)
        ? `${origin}: too many YAML aliases (more than ${MAX_ALIASES} expanded): write the values out`
        : `${origin}: invalid YAML: ${detail}`,
    );
  }
  // A plain mapping only: `!!binary` or other tags turn the document into objects with methods.
  if (raw === null || typeof raw !== 'object' || Object.getPrototypeOf(raw) !== Object.prototype) {
    throw new ConfigError(
      `${origin}: the configuration must be a YAML mapping with growthbook, ldap and posix`,
    );
  }
  const parsed = parseConfig(raw);
  if (parsed.ok) return parsed.config;
  const lines = parsed.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `  ${describeIssue(issue, doc, lineCounter)}`);
  if (parsed.issues.length > MAX_ISSUES) lines.push(`  … and ${parsed.issues.length - MAX_ISSUES} more`);
  throw new ConfigError(`${origin}: invalid configuration:\n${lines.join('\n')}`);
}

function describeIssue(
  issue: ConfigIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
): string {
  const path = issue.path.join('.') || '(top level)';
  if (issue.unknownKeys && issue.unknownKeys.length > 0) {
    return issue.unknownKeys
      .map((key) => {
        const full = [...issue.path, key];
        return `${full.join('.')}${lineOf(doc, full, lines)}: unknown key (check its spelling; see the README's "Configuration")`;
      })
      .join('\n  ');
  }
  return `${path}${lineOf(doc, issue.path, lines)}: ${issue.message}`;
}

/** " (line N)" for the node at `path`, or its nearest existing parent. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  lines: LineCounter,
): string {
  for (let n = path.length; n > 0; n--) {
    const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return ` (line ${lines.linePos(range[0]).line})`;
    }
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return ` (line ${lines.linePos(node.range[0]).line})`;
  }
  return '';
}
