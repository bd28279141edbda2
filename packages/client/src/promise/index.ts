/**
 * The Promise edge of the S2 client, with the surface of the S2 SDK documentation: `new S2({ bearerAuth })`
 * with `s2.accessTokens.*`, or `S2Core` with the standalone functions (also importable one by one from
 * `@effect-s2/client/promise/core.js` and `@effect-s2/client/promise/funcs/<name>.js`). Both run the Effect
 * operations of `AccessTokens` on one runtime per client, released by `close()`.
 *
 * - Failures are the `ErrorResponse`, `RetryableError` and `APIError` of the Effect client, as they are:
 *   `s2.accessTokens.*` rejects with them, the standalone functions resolve to `{ ok: false, error }`.
 * - Aborting `fetchOptions.signal` rejects at once with the signal's reason, as `fetch` does, and cancels the
 *   request; a standalone function rejects too, since the caller cancelled, S2 did not fail. `close()` ends the
 *   calls still running with an `AbortError`.
 * - Retries: a call's `retries`, else the client's `retryConfig`, else the Effect client's default: 3 attempts
 *   in all with jittered backoff from 100 ms to 1 s, as the S2 SDKs do. (The earlier generated SDK made one
 *   attempt by default; pass `retryConfig: { strategy: "none" }` for that.) Issuing an access token is not
 *   idempotent, so without a per-call `retries` it is retried only after failures that certainly had no side
 *   effect.
 * - Values are plain data: `Date` for times, and the issued secret as a string.
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
