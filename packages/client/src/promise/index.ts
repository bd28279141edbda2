/**
 * The Promise edge of the S2 client, with the surface of the S2 SDK documentation: `new S2({ bearerAuth })`
 * with `s2.accessTokens.*`, or `S2Core` with the standalone functions. Both run the Effect operations of
 * `AccessTokens` on one runtime per client, released by `close()`.
 *
 * Rejections and error results are the `ErrorResponse`, `RetryableError` and `APIError` of the Effect client,
 * as they are. Values are plain data.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export { APIError, ErrorResponse, isRetryable, isS2Error, RetryableError, type S2Error } from "../Errors.js"

/** @since 0.1.0 */
export {
  type BackoffStrategy,
  type FetchOptions,
  type RequestOptions,
  type Result,
  type RetryConfig,
  S2Core,
  type SDKOptions
} from "./core.js"

/** @since 0.1.0 */
export { accessTokensIssueAccessToken } from "./funcs/accessTokensIssueAccessToken.js"

/** @since 0.1.0 */
export { accessTokensListAccessTokens } from "./funcs/accessTokensListAccessTokens.js"

/** @since 0.1.0 */
export { accessTokensListAllAccessTokens } from "./funcs/accessTokensListAllAccessTokens.js"

/** @since 0.1.0 */
export { accessTokensRevokeAccessToken } from "./funcs/accessTokensRevokeAccessToken.js"

/** @since 0.1.0 */
export { DEFAULT_BACKOFF, toPolicy } from "./lib/retries.js"

/** @since 0.1.0 */
export type * from "./models.js"

/** @since 0.1.0 */
export { AccessTokens, S2 } from "./sdk.js"
