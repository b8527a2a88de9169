// A handler error: GrowthBook answers `{"message"}` with the error's status, 400 by default
// (docs/growthbook-api.md §4), so "not found" is usually a 400.
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** §2: PermissionError. */
export const permissionError = (): ApiError =>
  new ApiError(403, 'You do not have permission to perform this action');
