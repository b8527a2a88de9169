// Strict decoders: a value that is not exactly what the source promised is an error, never a guess.
// Buffer.from(text, 'base64') silently skips characters outside the alphabet, so it cannot be the check.

/** Padded standard base64: the alphabet, a length that is a multiple of 4, at most two `=` at the end. */
function isPaddedBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  // A loop, not a regular expression: one with a repeated group overflows V8's backtracking stack
  // on a body of a few megabytes.
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 61 /* = */) {
      padding++;
      continue;
    }
    const inAlphabet =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!inAlphabet || padding > 0) return false;
  }
  return padding <= 2;
}

/** Decodes padded standard base64 (whitespace and newlines allowed anywhere); null when it is not that. */
export function decodeStrictBase64(text: string): Uint8Array | null {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (!isPaddedBase64(compact)) return null;
  return Buffer.from(compact, 'base64');
}

/** Decodes UTF-8, null when the bytes are not valid UTF-8 (a byte order mark is dropped). */
export function decodeStrictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
