/**
 * @since 0.1.0
 */
import * as AccessTokens from "../../AccessTokens.js"
import type { S2Error } from "../../Errors.js"
import type { S2Core } from "../core.js"
import { effectOptions, runnerOf } from "../internal/run.js"
import type { ListAccessTokensRequest, ListAccessTokensResponse } from "../models.js"
import type { RequestOptions, Result } from "../types.js"

/**
 * Lists one page of access tokens, in lexicographic order of id. Their secrets are never listed.
 *
 * Resolves to `{ ok: false, error }` when S2 or the connection fails (`ErrorResponse`, `RetryableError` or
 * `APIError`); rejects only when `options.fetchOptions.signal` aborts (with its reason) or the client is closed.
 *
 * @since 0.1.0
 * @category access tokens
 */
export async function accessTokensListAccessTokens(
  client: S2Core,
  request: ListAccessTokensRequest = {},
  options?: RequestOptions
): Promise<Result<ListAccessTokensResponse, S2Error>> {
  return runnerOf(client).run(AccessTokens.listAccessTokens(request, effectOptions(options)), options?.fetchOptions)
}
