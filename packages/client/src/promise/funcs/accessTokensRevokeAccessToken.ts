/**
 * @since 0.1.0
 */
import * as AccessTokens from "../../AccessTokens.js"
import type { S2Error } from "../../Errors.js"
import type { S2Core } from "../core.js"
import { effectOptions, runnerOf } from "../internal/run.js"
import type { RevokeAccessTokenRequest } from "../models.js"
import type { RequestOptions, Result } from "../types.js"

/**
 * Revokes an access token. An unknown or already revoked id is an `ErrorResponse` (404
 * `access_token_not_found`).
 *
 * Resolves to `{ ok: false, error }` when S2 or the connection fails (`ErrorResponse`, `RetryableError` or
 * `APIError`); rejects only when `options.fetchOptions.signal` aborts (with its reason) or the client is closed.
 *
 * @since 0.1.0
 * @category access tokens
 */
export async function accessTokensRevokeAccessToken(
  client: S2Core,
  request: RevokeAccessTokenRequest,
  options?: RequestOptions
): Promise<Result<void, S2Error>> {
  return runnerOf(client).run(AccessTokens.revokeAccessToken(request, effectOptions(options)), options?.fetchOptions)
}
