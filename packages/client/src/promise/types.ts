/**
 * The shapes shared by every call of the Promise client.
 *
 * @since 0.1.0
 */
import type { RetryConfig } from "./lib/retries.js"

/**
 * What a standalone function resolves to: the value, or the S2 error the call failed with.
 *
 * @since 0.1.0
 * @category models
 */
export type Result<T, E> =
  | { readonly ok: true; readonly value: T; readonly error?: never }
  | { readonly ok: false; readonly error: E; readonly value?: never }

/**
 * Options passed on to `fetch`: every `RequestInit` field but `method` and `body`. `headers` are added to the
 * request but cannot replace the ones the client sets (`authorization`, `user-agent`, `accept`,
 * `content-type`). Aborting `signal` rejects the call at once with the signal's reason and cancels the request.
 *
 * @since 0.1.0
 * @category models
 */
export type FetchOptions = Omit<RequestInit, "method" | "body">

/**
 * Options every call takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Passed on to `fetch`; see `FetchOptions`. */
  readonly fetchOptions?: FetchOptions | undefined
  /**
   * Retries for this call, instead of the client's. Given here, it applies as is, also to issuing an access
   * token, which otherwise is retried only after failures that certainly had no side effect.
   */
  readonly retries?: RetryConfig | undefined
  /** Time limit for each attempt of this call, in milliseconds; `0` or less: none. */
  readonly timeoutMs?: number | undefined
}
