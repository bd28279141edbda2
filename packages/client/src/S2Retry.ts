/**
 * Retry policies for S2 operations, as `Schedule`s over the operation's error.
 *
 * A policy sees every failure of an attempt and decides whether, and after how long, to try again.
 * The policies here only ever retry a `RetryableError`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type { S2Error } from "./Errors.js"
import { isRetryable } from "./Errors.js"

/**
 * A retry policy: a `Schedule` fed with each failure.
 *
 * @since 0.1.0
 * @category models
 */
export type Policy = Schedule.Schedule<unknown, S2Error>

/**
 * @since 0.1.0
 * @category models
 */
export interface BackoffOptions {
  /** Attempts in all, the first included. Default 3. */
  readonly maxAttempts?: number
  /** Base delay before the first retry; it doubles for each further retry. Default 100 ms. */
  readonly minBaseDelay?: Duration.DurationInput
  /** Cap on the base delay. Default 1 s. */
  readonly maxBaseDelay?: Duration.DurationInput
  /** Cap on a delay the service asks for with `Retry-After` or `retry-after-ms`. Default 20 s. */
  readonly maxRetryAfter?: Duration.DurationInput
}

/**
 * Exponential backoff with jitter, as the S2 SDKs do it: before retry `n` (from 0) the base delay is
 * `min(minBaseDelay * 2^n, maxBaseDelay)` and the delay is drawn from `[base, 2 * base)`. When the
 * service asks for a longer wait (`retry-after-ms`, or `Retry-After` in seconds or as a date), that wait
 * is used instead, up to `maxRetryAfter`. Only a `RetryableError` is retried.
 *
 * @since 0.1.0
 * @category constructors
 */
export const backoff = (options: BackoffOptions = {}): Policy => {
  const attempts = options.maxAttempts ?? 3
  const maxAttempts = Number.isFinite(attempts) ? Math.max(1, Math.floor(attempts)) : 3
  const minBase = Duration.toMillis(options.minBaseDelay ?? Duration.millis(100))
  const maxBase = Duration.toMillis(options.maxBaseDelay ?? Duration.seconds(1))
  const maxRetryAfter = Duration.toMillis(options.maxRetryAfter ?? Duration.seconds(20))

  return Schedule.identity<S2Error>().pipe(
    Schedule.whileInput((error: S2Error) => isRetryable(error)),
    Schedule.intersect(Schedule.recurs(maxAttempts - 1)),
    Schedule.modifyDelayEffect(([error, retry]) =>
      Effect.map(Random.next, (random) => {
        const base = Math.min(minBase * 2 ** retry, maxBase)
        const jittered = Math.floor(base + random * base)
        const asked = isRetryable(error) ? error.retryAfterMillis : undefined
        return Duration.millis(asked === undefined ? jittered : Math.max(jittered, Math.min(asked, maxRetryAfter)))
      })
    )
  )
}

/**
 * The default policy: 3 attempts in all, from 100 ms doubling up to 1 s, with jitter, honouring the
 * service's requested wait up to 20 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: Policy = backoff()

/**
 * Never retry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Policy = Schedule.stop

/**
 * Narrows a policy to the failures that certainly had no side effect (for example `rate_limited`,
 * `hot_server`, a refused connection). This is how a request that is not idempotent, such as issuing an
 * access token, is retried by default: it can never be applied twice.
 *
 * @since 0.1.0
 * @category combinators
 */
export const noSideEffects = (policy: Policy): Policy =>
  Schedule.whileInput(policy, (error: S2Error) => isRetryable(error) && !error.mayHaveSideEffects)
