// The shapes every layer of the client shares: a request, a fully read response, and `Send`.

export type HttpMethod = 'GET' | 'POST';

export interface ApiRequest {
  method: HttpMethod;
  /** Absolute path on the GrowthBook host, query included: `/api/v1/members?limit=100&offset=0`. Never secret. */
  path: string;
  /** Serialised as JSON when present. */
  body?: unknown;
  /** Set by the identify layer; never copied onto an error or an event. */
  headers?: Record<string, string>;
  /** 1 for the first try; set by the retry layer. */
  attempt?: number;
  /** Per-attempt timeout; the deadline layer may shorten it. */
  timeoutMs?: number;
}

/** A response whose body has been read in full (bodies here are small JSON documents). */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The attempt that produced this response (1-based). */
  attempt: number;
}

export type Send = (request: ApiRequest) => Promise<ApiResponse>;
export type Layer = (next: Send) => Send;

/** One HTTP attempt, reported to `onRequest`: no headers, no body. */
export interface RequestEvent {
  method: HttpMethod;
  path: string;
  /** null when no HTTP answer arrived (network error, timeout). */
  status: number | null;
  attempt: number;
  durationMs: number;
  error?: string;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
}
