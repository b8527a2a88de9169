// LDIF content records (RFC 2849), as `ldapsearch -L/-LLL` writes them. Change records and URL
// values are refused rather than half-understood: this file stands in for the directory.
import { SourceReadError } from '../../errors.js';
import { decodeStrictBase64, decodeStrictUtf8 } from '../decode-strict.js';
import type { DirectoryEntry } from './build-directory.js';

export type LdifEntry = DirectoryEntry;

interface LogicalLine {
  text: string;
  line: number;
}

// An attribute description: a name or an OID, then options (`;lang-de`, `;binary`).
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)(?:;[A-Za-z0-9-]+)*$/;

export function parseLdif(text: string, origin: string): LdifEntry[] {
  const fail = (line: number, detail: string): never => {
    throw new SourceReadError('ldap', `${origin}:${line}: ${detail}`);
  };

  // Pass 1: unfold continuation lines, drop comments, split records on blank lines.
  const records: LogicalLine[][] = [];
  let record: LogicalLine[] = [];
  let current: LogicalLine | null = null;
  let inComment = false;
  const body = text.replace(/^\uFEFF/, '');
  const bareCr = /\r(?!\n)/.exec(body);
  if (bareCr) {
    const line = body.slice(0, bareCr.index).split('\n').length;
    fail(line, 'a carriage return without a line feed: LDIF lines end in LF or CR LF (convert the file)');
  }
  const rawLines = body.split(/\r?\n/);
  rawLines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') {
      current = null;
      inComment = false;
      if (record.length > 0) records.push(record);
      record = [];
    } else if (raw.startsWith(' ')) {
      if (inComment) return;
      if (current === null) fail(line, 'continuation line (starting with a space) with no line to continue');
      else current.text += raw.slice(1);
    } else if (raw.startsWith('#')) {
      // A comment may itself be folded; its continuation lines belong to it.
      current = null;
      inComment = true;
    } else {
      inComment = false;
      current = { text: raw, line };
      record.push(current);
    }
  });
  if (record.length > 0) records.push(record);

  // Pass 2: each record is `dn:` then attribute lines.
  const entries: LdifEntry[] = [];
  records.forEach((lines, index) => {
    const parsed = lines.map((l) => ({ ...parseLine(l, fail), line: l.line }));
    if (index === 0 && parsed[0]?.name === 'version') {
      const version = parsed.shift();
      if (version?.value !== '1') {
        fail(
          lines[0]?.line ?? 1,
          `unsupported LDIF version ${JSON.stringify(excerpt(version?.value ?? ''))}`,
        );
      }
      if (parsed.length === 0) return;
    }
    const [first, ...rest] = parsed;
    if (first === undefined) return;
    if (first.name !== 'dn') fail(first.line, `entry has no dn: it starts with "${excerpt(first.name)}:"`);
    const attributes = new Map<string, string[]>();
    for (const { name, value, line } of rest) {
      if (name === 'dn') fail(line, 'a second dn inside one entry (is a blank line missing?)');
      if (name === 'changetype' || name === 'control') {
        fail(line, `"${name}:" marks an LDIF change record; only content records (a search export) are read`);
      }
      const values = attributes.get(name);
      if (values) values.push(value);
      else attributes.set(name, [value]);
    }
    entries.push({ dn: first.value, attributes });
  });
  return entries;
}

/** What an error quotes from the file: enough to find the spot, never the file itself. */
function excerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function parseLine(
  { text, line }: LogicalLine,
  fail: (line: number, detail: string) => never,
): { name: string; value: string } {
  const colon = text.indexOf(':');
  if (colon < 0) return fail(line, `expected "attribute: value", found a line without a colon`);
  const description = text.slice(0, colon);
  if (!ATTRIBUTE.test(description)) {
    return fail(line, `${JSON.stringify(excerpt(description))} is not an attribute name`);
  }
  const name = description.toLowerCase();
  const rest = text.slice(colon + 1);
  if (rest.startsWith('<')) return fail(line, `${name}:< URL values are not supported`);
  if (rest.startsWith(':')) {
    const bytes = decodeStrictBase64(rest.slice(1));
    if (bytes === null) return fail(line, `${name}:: value is not valid base64`);
    const value = decodeStrictUtf8(bytes);
    if (value === null) return fail(line, `${name}:: value is not UTF-8 text`);
    return { name, value };
  }
  // Spaces after the colon separate; they are not part of the value.
  return { name, value: rest.replace(/^ +/, '') };
}
