// Fetches a file from gitiles with `?format=TEXT`, which serves the blob base64-encoded. Anything
// else in the body (an HTML login or error page served with 200, a truncated answer) is an error.
import { SourceReadError } from '../../errors.js';
import type { Deadline } from '../../util/deadline.js';
import { USER_AGENT } from '../../version.js';
import { decodeStrictBase64, decodeStrictUtf8 } from '../decode-strict.js';

export interface FetchGitilesOptions {
  deadline: Deadline;
  /** Per request, headers and body included. Default 30 s; never past the run deadline. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Host and path only: a query may carry tokens, and user info is a credential. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The innermost useful words of a fetch failure: undici wraps the socket error in `cause`. */
function describeFetchError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

export async function fetchGitilesText(
  url: string,
  options: FetchGitilesOptions,
): Promise<{ text: string; bytes: number; origin: string }> {
  const origin = redactUrl(url);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = 'fetching data.yaml';
  options.deadline.check(what);
  const budgetMs = Math.max(1, Math.min(timeoutMs, options.deadline.remainingMs()));

  let status: number;
  let statusText: string;
  let body: string;
  try {
    const response = await fetchImpl(url, {
      headers: { 'User-Agent': options.userAgent ?? USER_AGENT, Accept: 'text/plain' },
      signal: AbortSignal.timeout(budgetMs),
    });
    status = response.status;
    statusText = response.statusText;
    // Read (or discard) the body under the same timeout.
    body = await response.text();
  } catch (error) {
    // The run deadline, when it is what cut the request short, wins: exit 6, not 4.
    options.deadline.check(what);
    const name = (error as Error | undefined)?.name;
    const detail =
      name === 'TimeoutError' || name === 'AbortError'
        ? `timed out after ${Number((budgetMs / 1000).toFixed(1))}s`
        : describeFetchError(error).split(url).join(origin); // the full URL may carry a token
    throw new SourceReadError('posix', `cannot fetch data.yaml from ${origin}: ${detail}`, { cause: error });
  }

  if (status !== 200) {
    throw new SourceReadError(
      'posix',
      `gitiles answered HTTP ${status}${statusText ? ` ${statusText}` : ''} for ${origin}`,
    );
  }
  if (body.trim() === '') throw new SourceReadError('posix', `gitiles sent an empty body for ${origin}`);
  const bytes = decodeStrictBase64(body);
  if (bytes === null) {
    throw new SourceReadError(
      'posix',
      `the response from ${origin} is not base64; the URL must ask gitiles for ?format=TEXT`,
    );
  }
  const text = decodeStrictUtf8(bytes);
  if (text === null) {
    throw new SourceReadError('posix', `data.yaml from ${origin} is not valid UTF-8 once base64-decoded`);
  }
  return { text, bytes: bytes.length, origin };
}
