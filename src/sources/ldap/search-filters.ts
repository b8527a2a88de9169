// Search filters for the directory reads, built as ldapts filter objects: values travel as BER octet
// strings, so no value (an e-mail with `*` or `)(`) can change a filter's meaning.
import { AndFilter, EqualityFilter, type Filter, OrFilter } from 'ldapts';
import { splitDn, splitUnescaped } from '../../core/dn.js';

const equal = (attribute: string, value: string): Filter => new EqualityFilter({ attribute, value });

/** Any of the terms (one term stays itself). */
export function anyOf(terms: Filter[]): Filter {
  return terms.length === 1 && terms[0] ? terms[0] : new OrFilter({ filters: terms });
}

/** `(&(objectClass=groupOfNames)(|(cn=a)(cn=b)…))`: the server compares cn case-insensitively. */
export function groupsFilter(names: string[]): Filter {
  return new AndFilter({
    filters: [equal('objectClass', 'groupOfNames'), anyOf(names.map((name) => equal('cn', name)))],
  });
}

export function mailTerm(mail: string): Filter {
  return equal('mail', mail);
}

const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

/** An RFC 4514 attribute value → its string; null for the #hex (BER) form or broken escapes. */
export function unescapeDnValue(raw: string): string | null {
  const value = raw.replace(/^ +/, '').replace(/(?<!\\) +$/, '');
  if (value.startsWith('#')) return null;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const pair = value.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(pair)) {
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
    } else if (i + 1 < value.length) {
      bytes.push(...Buffer.from(value[i + 1] as string, 'utf8'));
      i += 1;
    } else return null;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/**
 * The filter that finds an entry by its DN's first RDN (`uid=jexample` → `(uid=jexample)`; a
 * multi-valued RDN gives an AND). RDN values are attribute values of the entry itself (RFC 4512
 * §2.3), so one batched search resolves many member DNs. Null when the RDN cannot be read.
 */
export function rdnTerm(dn: string): Filter | null {
  const first = splitDn(dn.trim())[0] ?? '';
  const terms: Filter[] = [];
  for (const part of splitUnescaped(first, '+')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const type = part.slice(0, eq).trim();
    const value = unescapeDnValue(part.slice(eq + 1));
    if (!ATTRIBUTE_TYPE.test(type) || value === null || value === '') return null;
    terms.push(equal(type, value));
  }
  if (terms.length === 0) return null;
  return terms.length === 1 && terms[0] ? terms[0] : new AndFilter({ filters: terms });
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
