// Pushes the rendered metrics to a Prometheus Pushgateway. POST (not PUT) replaces only the metric
// families present in the body, so a gauge left out (the last success, after a failed run) keeps the
// value an earlier run pushed. Errors name the host and status only: never credentials or the query.
import { USER_AGENT } from '../version.js';

export const PUSH_JOB = 'growthbook_ldap_sync';
export const PUSH_CONTENT_TYPE = 'text/plain; version=0.0.4';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface PushOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

export async function pushMetrics(url: string, text: string, options: PushOptions = {}): Promise<void> {
  const { target, host } = pushTarget(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = {
    'Content-Type': PUSH_CONTENT_TYPE,
    'User-Agent': options.userAgent ?? USER_AGENT,
  };

  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(target, {
      method: 'POST',
      headers,
      body: text,
      // A redirect would re-send the body elsewhere; treat it as a failure instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new Error(`metrics push to ${host} timed out after ${timeoutMs} ms`);
    }
    throw new Error(`metrics push to ${host} failed: ${networkReason(error)}`);
  }
  // Read the body either way, so the connection is released; the gateway explains rejections in it.
  const body = await response.text().catch(() => '');
  if (!response.ok) {
    const said = body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new Error(`metrics push to ${host} failed: HTTP ${response.status}${said ? ` (${said})` : ''}`);
  }
}

function pushTarget(url: string): { target: string; host: string } {
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
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/metrics/job/${PUSH_JOB}`;
  parsed.hash = '';
  return { target: parsed.toString(), host: parsed.host };
}

// undici reports "fetch failed" with the useful part (ECONNREFUSED, ENOTFOUND…) in the cause.
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  // A message may quote the URL, and with it the query: keep the words, drop any URL.
  const message = error instanceof Error ? error.message : 'network error';
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>');
}
