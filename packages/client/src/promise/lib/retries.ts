/**
 * `RetryConfig`, the retry settings of the Promise client, and how they become an `S2Retry.Policy`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import { isRetryable, type S2Error } from "../../Errors.js"
import type * as S2Retry from "../../S2Retry.js"

/**
 * Exponential backoff, all times in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface BackoffStrategy {
  /** Base delay before the first retry. */
  readonly initialInterval: number
  /** Cap on any one delay, including one the service asks for with `Retry-After` or `retry-after-ms`. */
  readonly maxInterval: number
  /** Factor by which the base delay grows with each retry. */
  readonly exponent: number
  /** No further retry is scheduled once this long has passed since the first failure, which is then returned. */
  readonly maxElapsedTime: number
}

/**
 * When a request is tried again. Only a `RetryableError` is ever retried.
 *
 * - `{ strategy: "none" }`: one attempt.
 * - `{ strategy: "backoff", backoff?, retryConnectionErrors? }`: retry with exponential backoff. Before retry
 *   `n` (from 0) the base delay is `min(initialInterval * exponent^n, maxInterval)`, and the delay is drawn
 *   from `[base, 2 * base)`, capped at `maxInterval`. A longer wait the service asks for is honoured, up to
 *   `maxInterval`. Without `retryConnectionErrors: true`, failures of the connection itself (a
 *   `RetryableError` with `origin: "transport"`, which includes a timed-out attempt) are not retried.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryConfig =
  | { readonly strategy: "none" }
  | {
      readonly strategy: "backoff"
      /** Default `{ initialInterval: 500, maxInterval: 60000, exponent: 1.5, maxElapsedTime: 3600000 }`. */
      readonly backoff?: BackoffStrategy | undefined
      /** Whether to retry when the connection fails or an attempt times out. Default `false`. */
      readonly retryConnectionErrors?: boolean | undefined
    }

/**
 * The backoff used when a `backoff` strategy gives none, as in the earlier generated S2 SDK.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BACKOFF: BackoffStrategy = {
  initialInterval: 500,
  maxInterval: 60_000,
  exponent: 1.5,
  maxElapsedTime: 3_600_000
}

const checked = (backoff: BackoffStrategy): BackoffStrategy => {
  for (const [name, value] of Object.entries(backoff)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`retries: backoff.${name} must be a finite number >= 0`)
    }
  }
  return backoff
}

/**
 * Turns a `RetryConfig` into the policy the Effect operations run with. Throws a `RangeError` for a
 * backoff that is not made of finite, non-negative numbers.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toPolicy = (config: RetryConfig): S2Retry.Policy => {
  if (config.strategy === "none") return Schedule.stop
  if (config.strategy !== "backoff") {
    throw new RangeError(`retries: unknown strategy ${JSON.stringify((config as { strategy?: unknown }).strategy)}`)
  }
  const { initialInterval, maxInterval, exponent, maxElapsedTime } = checked(config.backoff ?? DEFAULT_BACKOFF)
  const retryConnectionErrors = config.retryConnectionErrors === true

  return Schedule.identity<S2Error>().pipe(
    Schedule.whileInput(
      (error: S2Error) => isRetryable(error) && (retryConnectionErrors || error.origin !== "transport")
    ),
    Schedule.intersect(Schedule.forever),
    Schedule.modifyDelayEffect(([error, retry]) =>
      Effect.map(Random.next, (random) => {
        const base = Math.min(initialInterval * exponent ** retry, maxInterval)
        const drawn = Math.min(Math.floor(base + random * base), maxInterval)
        const asked = isRetryable(error) ? error.retryAfterMillis : undefined
        return Duration.millis(asked === undefined ? drawn : Math.max(drawn, Math.min(asked, maxInterval)))
      })
    ),
    Schedule.upTo(Duration.millis(maxElapsedTime))
  )
}
