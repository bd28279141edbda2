/**
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AccessTokens from "./AccessTokens.js"

/** @since 0.1.0 */
export { APIError, ErrorResponse, isRetryable, isS2Error, RetryableError, type S2Error } from "./Errors.js"

/** @since 0.1.0 */
export * as Models from "./Models.js"

/** @since 0.1.0 */
export { S2Client } from "./S2Client.js"

/** @since 0.1.0 */
export { S2Config } from "./S2Config.js"

/** @since 0.1.0 */
export * as S2Retry from "./S2Retry.js"
