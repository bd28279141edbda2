import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import { APIError, ErrorResponse, RetryableError, type S2Error } from "../../src/Errors.js"
import { type RetryConfig, toPolicy } from "../../src/promise/lib/retries.js"

const target = { method: "GET", path: "/v1/access-tokens" }

const unavailable = new RetryableError({
  ...target,
  origin: "server",
  status: 503,
  code: "unavailable",
  detail: "try later",
  mayHaveSideEffects: true
})

const reset = new RetryableError({
  ...target,
  origin: "transport",
  status: 0,
  code: "connection_error",
  detail: "connection failed",
  mayHaveSideEffects: true
})

const refused = new ErrorResponse({
  ...target,
  origin: "server",
  status: 403,
  code: "permission_denied",
  detail: "no"
})

const rateLimited = (retryAfterMillis: number) =>
  new RetryableError({
    ...target,
    origin: "server",
    status: 429,
    code: "rate_limited",
    detail: "slow down",
    mayHaveSideEffects: false,
    retryAfterMillis
  })

/**
 * Runs an operation that fails with `errors` in turn (the last repeating) under the policy of `config`,
 * with the clock moved far ahead, and returns the instants of its attempts.
 */
const attemptTimes = (config: RetryConfig, errors: ReadonlyArray<S2Error>, random = 0) =>
  Effect.gen(function* () {
    const times: Array<number> = []
    const operation = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      times.push(now)
      return Effect.fail(errors[Math.min(times.length - 1, errors.length - 1)] as S2Error)
    })
    const fiber = yield* Effect.fork(
      Effect.retry(operation, toPolicy(config)).pipe(Effect.withRandom(Random.fixed([random])))
    )
    yield* TestClock.adjust(Duration.hours(2))
    const error = yield* Effect.flip(Fiber.join(fiber))
    return { times: times.map((time) => time - (times[0] ?? 0)), error }
  })

const backoff = (maxElapsedTime = 3_600_000, retryConnectionErrors = false): RetryConfig => ({
  strategy: "backoff",
  backoff: { initialInterval: 100, maxInterval: 1_000, exponent: 2, maxElapsedTime },
  retryConnectionErrors
})

describe("RetryConfig as a policy", () => {
  it.effect("none: one attempt", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes({ strategy: "none" }, [unavailable])
      assert.deepStrictEqual(times, [0])
    })
  )

  it.effect("backoff: initialInterval * exponent^n, capped at maxInterval, until maxElapsedTime", () =>
    Effect.gen(function* () {
      const { times, error } = yield* attemptTimes(backoff(3_000), [unavailable])
      // Delays 100, 200, 400, 800, then 1000 each; no retry is scheduled once 3 s have passed.
      assert.deepStrictEqual(times, [0, 100, 300, 700, 1_500, 2_500, 3_500])
      assert.strictEqual(error, unavailable)
    })
  )

  it.effect("backoff: jitter adds up to one more base delay, never beyond maxInterval", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes(backoff(2_000), [unavailable], 0.5)
      assert.deepStrictEqual(times, [0, 150, 450, 1_050, 2_050])
    })
  )

  it.effect("backoff: the default strategy is the earlier SDK's (500 ms, x1.5, up to 60 s)", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes({ strategy: "backoff" }, [unavailable, unavailable, refused])
      assert.deepStrictEqual(times, [0, 500, 1_250])
    })
  )

  it.effect("backoff: honours a longer wait the service asks for, up to maxInterval", () =>
    Effect.gen(function* () {
      const stop = new APIError({ ...target, status: 418, detail: "stop" })
      const { times } = yield* attemptTimes(backoff(), [rateLimited(700), rateLimited(5_000), rateLimited(10), stop])
      assert.deepStrictEqual(times, [0, 700, 1_700, 2_100])
    })
  )

  it.effect("backoff: connection failures only with retryConnectionErrors", () =>
    Effect.gen(function* () {
      const without = yield* attemptTimes(backoff(), [reset])
      assert.deepStrictEqual(without.times, [0])
      const withThem = yield* attemptTimes(backoff(1_000, true), [reset])
      assert.deepStrictEqual(withThem.times, [0, 100, 300, 700, 1_500])
    })
  )

  it.effect("backoff: never retries an ErrorResponse or an APIError", () =>
    Effect.gen(function* () {
      const odd = new APIError({ ...target, status: 418, detail: "teapot" })
      assert.deepStrictEqual((yield* attemptTimes(backoff(), [refused])).times, [0])
      assert.deepStrictEqual((yield* attemptTimes(backoff(), [odd])).times, [0])
    })
  )

  it("refuses backoff values that are not finite and non-negative, and unknown strategies", () => {
    const bad = (backoff: Record<string, number>) =>
      toPolicy({
        strategy: "backoff",
        backoff: { initialInterval: 1, maxInterval: 1, exponent: 1, maxElapsedTime: 1, ...backoff }
      })
    assert.throws(() => bad({ initialInterval: -1 }), RangeError)
    assert.throws(() => bad({ maxInterval: Number.NaN }), RangeError)
    assert.throws(() => bad({ exponent: Number.POSITIVE_INFINITY }), RangeError)
    assert.throws(() => toPolicy({ strategy: "always" } as unknown as RetryConfig), RangeError)
  })
})
