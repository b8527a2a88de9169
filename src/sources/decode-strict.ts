// Strict decoders: a value that is not exactly what the source promised is an error, never a guess.
// Buffer.from(text, 'base64') silently skips characters outside the alphabet, so it cannot be the check.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes padded standard base64 (whitespace and newlines allowed anywhere); null when it is not that. */
export function decodeStrictBase64(text: string): Uint8Array | null {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (!BASE64.test(compact)) return null;
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
