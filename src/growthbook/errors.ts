// Transport facts, one class each. They carry method, path, status and a short server message, never
// headers; callers wrap them (`cause`) into their own failure class (SourceReadError, ApplyError).

const AUTH_HINT =
  'the API key must be a secret key with the admin role (member endpoints need the global manageTeam permission)';

/** Base of every error the GrowthBook client raises itself. */
export abstract class GrowthBookError extends Error {
  abstract readonly method: string;
  abstract readonly path: string;
}

/** GrowthBook answered with a status other than 2xx (after any retries). */
export class GrowthBookHttpError extends GrowthBookError {
  override readonly name = 'GrowthBookHttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The server's `message`, or a short excerpt of a non-JSON body; null when empty. */
    readonly serverMessage: string | null,
    readonly attempts = 1,
  ) {
    super(httpMessage(method, path, status, serverMessage, attempts));
  }
}

function httpMessage(method: string, path: string, status: number, text: string | null, attempts: number) {
  const after = attempts > 1 ? ` after ${attempts} attempts` : '';
  let message = `${method} ${path} answered ${status}${after}: ${text ?? '(no message)'}`;
  if (status === 401 || status === 403) message += `; ${AUTH_HINT}`;
  if (status >= 300 && status < 400)
    message += '; redirects are not followed: is growthbook.url the API host?';
  return message;
}

/** No HTTP answer: connection refused or reset, DNS, TLS, or the per-attempt timeout. */
export class GrowthBookNetworkError extends GrowthBookError {
  override readonly name = 'GrowthBookNetworkError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly detail: string,
    readonly timedOut: boolean,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(`${method} ${path} failed on attempt ${attempts}: ${detail}`, options);
  }
}

/** A 2xx answer whose body is not JSON or not the documented shape. Never retried. */
export class GrowthBookResponseError extends GrowthBookError {
  override readonly name = 'GrowthBookResponseError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${method} ${path} answered ${status} with a malformed body: ${detail}`);
  }
}

/** The pages of a list did not add up, twice in a row. */
export class PaginationError extends GrowthBookError {
  override readonly name = 'PaginationError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${method} ${path}: inconsistent pagination: ${detail}`);
  }
}
