// One HTTP exchange with Node's fetch, for every client the sync has: GrowthBook, gitiles and the
// Pushgateway. The body is read in full within the timeout, redirects are refused (a redirect is a
// misconfigured URL, and following one would carry credentials or the body elsewhere), and a failure
// says what really went wrong (fetch itself only says "fetch failed"), scrubbed of secrets.

export interface PlainRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | null;
  /** Per exchange, headers and body included. */
  timeoutMs: number;
  /**
   * The most body bytes accepted, counted after decompression (fetch inflates gzip and brotli on
   * the fly, so a small answer can grow without bound) and checked against Content-Length first.
   */
  maxBodyBytes: number;
  fetch?: typeof fetch;
  /** Applied to every text taken from a failure (a message may quote a URL or a header). */
  redact?: (text: string) => string;
}

export interface PlainResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
}

/** No complete HTTP answer: refused or reset connection, DNS, TLS, or the timeout. */
export class FetchFailure extends Error {
  override readonly name = 'FetchFailure';
  constructor(
    /** The cause chain in words, redacted. */
    readonly detail: string,
    readonly timedOut: boolean,
    /** The innermost system error code (ECONNREFUSED, ENOTFOUND…), when there is one. */
    readonly code: string | undefined,
  ) {
    // Built from text only: the original error objects, which may quote secrets, are not kept.
    super(detail);
  }
}

/** The answer is bigger than the caller accepts. Not a network failure: asking again will not help. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly limit: number,
    /** The HTTP status the oversized answer came with. */
    readonly status: number,
    declared?: number,
  ) {
    super(
      declared === undefined
        ? `the answer is larger than the limit of ${limit} bytes`
        : `the answer (Content-Length ${declared}) is larger than the limit of ${limit} bytes`,
    );
  }
}

export async function plainFetch(request: PlainRequest): Promise<PlainResponse> {
  const redact = request.redact ?? ((text: string) => text);
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await (request.fetch ?? globalThis.fetch)(request.url, {
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      body: request.body ?? null,
      redirect: 'manual',
      signal,
    });
    // Read (or discard) the body under the same timeout, so the connection is released.
    const body = await readBounded(response, request.maxBodyBytes);
    return { status: response.status, statusText: response.statusText, headers: response.headers, body };
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    throw new FetchFailure(redact(describeFailure(error)), isTimeout(error), errorCode(error));
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit, response.status, declared);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit, response.status);
    }
    text += decoder.decode(value, { stream: true });
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Each message of the cause chain, with its code when the message does not already say it. */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(
      typeof code === 'string' && !current.message.includes(code)
        ? `${current.message} (${code})`
        : current.message,
    );
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

function errorCode(error: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') found = code;
    current = current.cause;
  }
  return found;
}

/** Host and path only: a query may carry tokens, and user info is a credential. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
