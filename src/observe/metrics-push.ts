// Pushes the rendered metrics to a Prometheus Pushgateway. POST (not PUT) replaces only the metric
// families present in the body, so a gauge left out (the last success, after a failed run) keeps the
// value an earlier run pushed. Errors name the host and status only: never credentials or the query.
import { BodyTooLargeError, FetchFailure, type PlainResponse, plainFetch } from '../http/plain-fetch.js';
import { USER_AGENT } from '../version.js';

export const PUSH_JOB = 'growthbook_ldap_sync';
export const PUSH_CONTENT_TYPE = 'text/plain; version=0.0.4';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface PushOptions {
  /**
   * Labels after `job` in the grouping key, in order (the managed project, an optional instance), so
   * deployments pushing to one gateway never overwrite each other's series.
   */
  grouping?: readonly (readonly [name: string, value: string])[];
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

export async function pushMetrics(url: string, text: string, options: PushOptions = {}): Promise<void> {
  const { target, host } = pushTarget(url, options.grouping ?? []);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = {
    'Content-Type': PUSH_CONTENT_TYPE,
    'User-Agent': options.userAgent ?? USER_AGENT,
  };

  let response: PlainResponse;
  try {
    response = await plainFetch({
      url: target,
      method: 'POST',
      headers,
      body: text,
      timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      // A message may quote the URL, and with it the query: keep the words, drop any URL.
      redact: (words) => words.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>'),
      // The gateway answers with a short status text; only an excerpt of it is ever shown.
      maxBodyBytes: 64 * 1024,
    });
  } catch (error) {
    if (error instanceof FetchFailure && error.timedOut) {
      throw new Error(`metrics push to ${host} timed out after ${timeoutMs} ms`);
    }
    const reason =
      error instanceof BodyTooLargeError
        ? error.message
        : error instanceof FetchFailure
          ? (error.code ?? error.detail)
          : 'network error';
    throw new Error(`metrics push to ${host} failed: ${reason}`);
  }
  // The gateway explains rejections in the body; a redirect is refused like any other answer.
  if (response.status < 200 || response.status > 299) {
    const said = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new Error(`metrics push to ${host} failed: HTTP ${response.status}${said ? ` (${said})` : ''}`);
  }
}

function pushTarget(
  url: string,
  grouping: readonly (readonly [string, string])[],
): { target: string; host: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('metrics push: pushgatewayUrl is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`metrics push to ${parsed.host || 'pushgateway'}: unsupported scheme ${parsed.protocol}`);
  }
  // The configuration refuses credentials in URLs; refusing here too keeps them out of any request.
  if (parsed.username || parsed.password) {
    throw new Error(`metrics push to ${parsed.host}: credentials in pushgatewayUrl are not accepted`);
  }
  const key = [['job', PUSH_JOB] as const, ...grouping].map(([name, value]) => groupingPart(name, value));
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/metrics/${key.join('/')}`;
  parsed.hash = '';
  return { target: parsed.toString(), host: parsed.host };
}

/** One `name/value` pair of a Pushgateway grouping key; a value with a slash (or empty) goes base64url. */
function groupingPart(name: string, value: string): string {
  if (value === '' || value.includes('/')) {
    return `${name}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}
