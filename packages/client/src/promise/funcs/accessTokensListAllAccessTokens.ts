/**
 * @since 0.1.0
 */
import * as AccessTokens from "../../AccessTokens.js"
import type { S2Core } from "../core.js"
import { toAsyncIterable } from "../internal/iterate.js"
import { effectOptions, runnerOf } from "../internal/run.js"
import type { AccessTokenInfo, ListAccessTokensRequest } from "../models.js"
import type { RequestOptions } from "../types.js"

/**
 * Every access token that matches, for `for await`: pages are fetched as they are consumed (`limit` sets the
 * page size), each with `options`. Iteration throws the `ErrorResponse`, `RetryableError` or `APIError` a
 * page failed with, or the signal's reason when `options.fetchOptions.signal` aborts.
 *
 * @since 0.1.0
 * @category access tokens
 */
export function accessTokensListAllAccessTokens(
  client: S2Core,
  request: ListAccessTokensRequest = {},
  options?: RequestOptions
): AsyncIterable<AccessTokenInfo> {
  return {
    [Symbol.asyncIterator]: () =>
      toAsyncIterable(
        runnerOf(client),
        AccessTokens.listAllAccessTokens(request, effectOptions(options)),
        options?.fetchOptions
      )[Symbol.asyncIterator]()
  }
}
