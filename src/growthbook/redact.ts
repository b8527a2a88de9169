// Text that came from outside (a server message, a socket error) is scrubbed of the API key before
// it is put on an error: a proxy that echoes request headers must not leak it into logs.

export type Redact = (text: string) => string;

const MASK = '[REDACTED]';
// Shorter values would mask ordinary words; a real secret key is far longer.
const MIN_SECRET_LENGTH = 6;

export function createRedactor(secrets: readonly string[]): Redact {
  const needles = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return (text) => needles.reduce((out, needle) => out.split(needle).join(MASK), text);
}

/** A short single-line excerpt of a body, for messages. */
export function excerpt(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
