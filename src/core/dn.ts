// Distinguished names compared the way LDAP compares them for our attributes (uid, cn, ou, dc):
// attribute types and values case-insensitively, whitespace around separators ignored.

/** Splits on a separator that is not escaped with a backslash; escapes stay as they were. */
export function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Splits a DN into RDN strings on unescaped commas. */
export const splitDn = (dn: string): string[] => splitUnescaped(dn, ',');

const NEEDS_SPLITTING = /[\\\s]/;

/** A canonical form for equality: `uid=jexample,ou=people,dc=wikimedia,dc=org`. */
export function normalizeDn(dn: string): string {
  // Most DNs have no escapes and no spaces: their canonical form is just the lower case (the same
  // result as the general path below, which directory reads of 100,000 entries cannot afford).
  if (!NEEDS_SPLITTING.test(dn)) return dn.toLowerCase();
  return splitDn(dn.trim())
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      if (eq < 0) return rdn.trim().toLowerCase();
      return `${rdn.slice(0, eq).trim().toLowerCase()}=${rdn
        .slice(eq + 1)
        .trim()
        .toLowerCase()}`;
    })
    .join(',');
}

/** True when `dn` lies strictly below `base` (both compared normalised). */
export function isDnUnder(dn: string, base: string): boolean {
  const d = normalizeDn(dn);
  const b = normalizeDn(base);
  return d.length > b.length && d.endsWith(`,${b}`);
}

/** The value of the first RDN when its attribute is `attr` (e.g. the uid of a person DN), else null. */
export function firstRdnValue(dn: string, attr: string): string | null {
  const first = splitDn(dn.trim())[0] ?? '';
  const eq = first.indexOf('=');
  if (eq < 0 || first.slice(0, eq).trim().toLowerCase() !== attr.toLowerCase()) return null;
  return first.slice(eq + 1).trim();
}
