// Small HTTP helpers: reading and parsing bodies and query strings as GrowthBook's Express stack
// does (docs/growthbook-api.md §1), and sending JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** body-parser's limit (§1). */
const BODY_LIMIT = 2 * 1024 * 1024;

export type RawBody = { ok: true; text: string } | { ok: false; tooLarge: true };

export async function readBody(req: IncomingMessage): Promise<RawBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= BODY_LIMIT) chunks.push(chunk);
  }
  return size > BODY_LIMIT
    ? { ok: false, tooLarge: true }
    : { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

export type ParsedBody = { ok: true; body: unknown } | { ok: false; message: string };

/**
 * body-parser's JSON parser: only for a JSON content type (anything else leaves `{}`), an empty body
 * is `{}`, and "strict" accepts only objects and arrays.
 */
export function parseJsonBody(text: string, contentType: string | undefined): ParsedBody {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' || text.length === 0) return { ok: true, body: {} };
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1];
  try {
    if (first !== undefined && first !== '{' && first !== '[') return strictViolation(text, first);
    return { ok: true, body: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

// body-parser words a strict violation as the parser's own error on the text up to that character.
function strictViolation(text: string, char: string): ParsedBody {
  const at = text.indexOf(char);
  try {
    JSON.parse(at === -1 ? '' : `${text.slice(0, at)}#`);
    return { ok: false, message: 'strict violation' };
  } catch (e) {
    return { ok: false, message: (e as Error).message.replace('#', char) };
  }
}

/** The body as the request log shows it: parsed JSON, else undefined. */
export function jsonOrUndefined(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Repeated keys become arrays, as Express's query parser does (bracket syntax is not supported). */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return query;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
