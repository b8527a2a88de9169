// Fetches a file from gitiles with `?format=TEXT`, which serves the blob base64-encoded. Anything
// else in the body (an HTML login or error page served with 200, a truncated answer) is an error.
import { SourceReadError } from '../../errors.js';
import {
  BodyTooLargeError,
  FetchFailure,
  type PlainResponse,
  plainFetch,
  redactUrl,
} from '../../http/plain-fetch.js';
import type { Deadline } from '../../util/deadline.js';
import { messageOf } from '../../util/message-of.js';
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

/** data.yaml is about 300 KB; its base64 answer, with ample room to grow, stays under this. */
export const GITILES_MAX_BYTES = 24 * 1024 * 1024;

export async function fetchGitilesText(
  url: string,
  options: FetchGitilesOptions,
): Promise<{ text: string; bytes: number; origin: string }> {
  const origin = redactUrl(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = 'fetching data.yaml';
  options.deadline.check(what);
  const budgetMs = Math.max(1, Math.min(timeoutMs, options.deadline.remainingMs()));

  let response: PlainResponse;
  try {
    response = await plainFetch({
      url,
      headers: { 'User-Agent': options.userAgent ?? USER_AGENT, Accept: 'text/plain' },
      timeoutMs: budgetMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      redact: (text) => text.split(url).join(origin), // the full URL may carry a token
      maxBodyBytes: GITILES_MAX_BYTES,
    });
  } catch (error) {
    // The run deadline, when it is what cut the request short, wins: exit 6, not 4.
    options.deadline.check(what);
    const detail =
      error instanceof BodyTooLargeError
        ? `${error.message}, more than any data.yaml`
        : error instanceof FetchFailure && error.timedOut
          ? `timed out after ${Number((budgetMs / 1000).toFixed(1))}s`
          : messageOf(error);
    throw new SourceReadError('posix', `cannot fetch data.yaml from ${origin}: ${detail}`, { cause: error });
  }

  const { status, statusText, body } = response;
  if (status !== 200) {
    const redirect = status >= 300 && status < 400 ? '; redirects are not followed: use the final URL' : '';
    throw new SourceReadError(
      'posix',
      `gitiles answered HTTP ${status}${statusText ? ` ${statusText}` : ''} for ${origin}${redirect}`,
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
