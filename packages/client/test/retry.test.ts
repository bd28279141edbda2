import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as AccessTokens from "../src/AccessTokens.js"
import { ErrorResponse, RetryableError, type S2Error } from "../src/Errors.js"
import * as S2Retry from "../src/S2Retry.js"
import { configLayer, errorBody, type Reply, type Sent } from "./fake.js"

const ok: Reply = { status: 200, json: { access_tokens: [], has_more: false } }
const issued: Reply = { status: 201, json: { access_token: "issued-secret" } }

/** Forks `effect`, moves the clock to each instant in turn and reports how many requests were sent by then. */
const attemptsAt = <A, R>(
  effect: Effect.Effect<A, S2Error, R>,
  sent: ReadonlyArray<Sent>,
  instants: ReadonlyArray<number>
) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    const counts: Array<number> = []
    let now = 0
    for (const instant of instants) {
      yield* TestClock.adjust(Duration.millis(instant - now))
      now = instant
      counts.push(sent.length)
    }
    return { counts, exit: yield* Fiber.await(fiber) }
  })

describe("default policy", () => {
  it.effect("makes 3 attempts, backing off 100-200 ms then 200-400 ms", () => {
    const fake = configLayer([errorBody(503, "unavailable")])
    return Effect.gen(function* () {
      const { counts, exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [99, 200, 299, 600, 5000])
      assert.deepStrictEqual(counts, [1, 2, 2, 3, 3])
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("succeeds on a later attempt", () => {
    const fake = configLayer([errorBody(500, "other"), errorBody(502, "hot_server"), ok])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [2000])
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(fake.sent.length, 3)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("does not retry an ErrorResponse or an APIError", () => {
    const fake = configLayer([errorBody(403, "permission_denied"), { status: 418, text: "teapot" }])
    return Effect.gen(function* () {
      const first = yield* Effect.flip(AccessTokens.listAccessTokens())
      assert.instanceOf(first, ErrorResponse)
      assert.strictEqual(fake.sent.length, 1)
      const second = yield* Effect.flip(AccessTokens.listAccessTokens())
      assert.strictEqual(second._tag, "APIError")
      assert.strictEqual(fake.sent.length, 2)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("waits as long as retry-after-ms asks", () => {
    const fake = configLayer([errorBody(429, "rate_limited", "slow down", { "retry-after-ms": "1500" }), ok])
    return Effect.gen(function* () {
      const { counts, exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [1499, 1500])
      assert.deepStrictEqual(counts, [1, 2])
      assert.isTrue(Exit.isSuccess(exit))
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("waits as long as Retry-After asks, in seconds", () => {
    const fake = configLayer([errorBody(503, "unavailable", "later", { "retry-after": "2" }), ok])
    return Effect.gen(function* () {
      const { counts } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [1999, 2000])
      assert.deepStrictEqual(counts, [1, 2])
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("clamps a requested wait to 20 s", () => {
    const fake = configLayer([errorBody(503, "unavailable", "later", { "retry-after": "3600" }), ok])
    return Effect.gen(function* () {
      const { counts } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [19_999, 20_000])
      assert.deepStrictEqual(counts, [1, 2])
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("retries a refused connection", () => {
    const fake = configLayer([{ transport: "ECONNREFUSED" }, ok])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [300])
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(fake.sent.length, 2)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("overrides", () => {
  it.effect("S2Retry.none per call makes one attempt", () => {
    const fake = configLayer([errorBody(503, "unavailable")])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(
        AccessTokens.listAccessTokens({}, { retry: S2Retry.none }),
        fake.sent,
        [10_000]
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a policy in S2Config applies to every call", () => {
    const fake = configLayer([errorBody(503, "unavailable")], {
      retry: S2Retry.backoff({ maxAttempts: 5, minBaseDelay: "1 second", maxBaseDelay: "1 second" })
    })
    return Effect.gen(function* () {
      const { counts } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [999, 2000, 60_000])
      assert.deepStrictEqual(counts, [1, 2, 5])
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a per-call policy wins over S2Config's", () => {
    const fake = configLayer([errorBody(503, "unavailable")], { retry: S2Retry.none })
    return Effect.gen(function* () {
      const retry = S2Retry.backoff({ maxAttempts: 2 })
      yield* attemptsAt(AccessTokens.listAccessTokens({}, { retry }), fake.sent, [10_000])
      assert.strictEqual(fake.sent.length, 2)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("issuing is not idempotent", () => {
  const request = { id: "svc/worker-1", scope: {} }

  it.effect("by default a failure that may have had side effects is not retried", () => {
    const fake = configLayer([errorBody(503, "unavailable"), issued])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(AccessTokens.issueAccessToken(request), fake.sent, [10_000])
      assert.strictEqual(fake.sent.length, 1)
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("by default a reset connection is not retried", () => {
    const fake = configLayer([{ transport: "ECONNRESET" }, issued])
    return Effect.gen(function* () {
      yield* attemptsAt(AccessTokens.issueAccessToken(request), fake.sent, [10_000])
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })

  for (const failure of [
    errorBody(429, "rate_limited"),
    errorBody(502, "hot_server"),
    { transport: "ECONNREFUSED" }
  ] satisfies ReadonlyArray<Reply>) {
    it.effect(`by default ${"transport" in failure ? failure.transport : failure.json.code} is retried`, () => {
      const fake = configLayer([failure, issued])
      return Effect.gen(function* () {
        const { exit } = yield* attemptsAt(AccessTokens.issueAccessToken(request), fake.sent, [10_000])
        assert.strictEqual(fake.sent.length, 2)
        assert.isTrue(Exit.isSuccess(exit))
      }).pipe(Effect.provide(fake.layer))
    })
  }

  it.effect("a retry that finds the id taken after an unknown outcome says the token may have been issued", () => {
    const fake = configLayer([{ transport: "ECONNRESET" }, errorBody(409, "resource_already_exists", "exists")])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(
        AccessTokens.issueAccessToken(request, { retry: S2Retry.defaultPolicy }),
        fake.sent,
        [10_000]
      )
      assert.strictEqual(fake.sent.length, 2)
      assert.isTrue(Exit.isFailure(exit))
      if (!Exit.isFailure(exit)) return
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.instanceOf(error, ErrorResponse)
      assert.strictEqual((error as ErrorResponse).earlierAttemptMayHaveSucceeded, true)
      assert.include((error as ErrorResponse).message, "may have succeeded")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("any final error of a write says so when an earlier attempt's outcome was unknown", () => {
    const fake = configLayer([
      { transport: "ECONNRESET" },
      errorBody(429, "rate_limited"),
      errorBody(429, "rate_limited"),
      { transport: "ECONNRESET" },
      errorBody(404, "access_token_not_found"),
      { transport: "ECONNRESET" },
      { status: 502, text: "bad gateway" }
    ])
    return Effect.gen(function* () {
      const issue = yield* attemptsAt(
        AccessTokens.issueAccessToken(request, { retry: S2Retry.defaultPolicy }),
        fake.sent,
        [10_000]
      )
      const revoke = yield* attemptsAt(AccessTokens.revokeAccessToken({ id: "a" }), fake.sent, [10_000])
      const other = yield* attemptsAt(AccessTokens.revokeAccessToken({ id: "b" }), fake.sent, [10_000])
      assert.strictEqual(fake.sent.length, 7)
      const failureOf = (exit: Exit.Exit<unknown, S2Error>) =>
        Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      const [issued, revoked, unreadable] = [issue.exit, revoke.exit, other.exit].map(failureOf)
      assert.isTrue(issued instanceof RetryableError && issued.code === "rate_limited" && issued.mayHaveSideEffects)
      assert.isTrue(revoked instanceof ErrorResponse && revoked.earlierAttemptMayHaveSucceeded === true)
      assert.isTrue(unreadable?._tag === "APIError" && unreadable.earlierAttemptMayHaveSucceeded === true)
      assert.include(unreadable?.message, "may have succeeded")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a read is never said to have had side effects", () => {
    const fake = configLayer([{ transport: "ECONNRESET" }, errorBody(403, "permission_denied")])
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [10_000])
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.instanceOf(error, ErrorResponse)
      assert.isUndefined((error as ErrorResponse).earlierAttemptMayHaveSucceeded)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a duplicate id without an earlier unknown outcome is a plain conflict", () => {
    const fake = configLayer([errorBody(409, "resource_already_exists", "exists")])
    return Effect.gen(function* () {
      const error = yield* Effect.flip(AccessTokens.issueAccessToken(request))
      assert.instanceOf(error, ErrorResponse)
      assert.isUndefined((error as ErrorResponse).earlierAttemptMayHaveSucceeded)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a lost secret on a 201 says the token was issued", () => {
    const fake = configLayer([{ status: 201, text: '{"access_tok', headers: { "content-type": "application/json" } }])
    return Effect.gen(function* () {
      const error = yield* Effect.flip(AccessTokens.issueAccessToken(request))
      assert.strictEqual(error._tag, "APIError")
      assert.include(error.message, "the token was issued")
      assert.isUndefined((error as { body?: string }).body)
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("timeouts", () => {
  it.effect("an attempt that takes too long is a retryable timeout, then retried", () => {
    const fake = configLayer([{ hang: true }, ok], { timeout: "2 seconds" })
    return Effect.gen(function* () {
      const { counts, exit } = yield* attemptsAt(AccessTokens.listAccessTokens(), fake.sent, [1999, 2000, 2300])
      assert.deepStrictEqual(counts, [1, 1, 2])
      assert.isTrue(Exit.isSuccess(exit))
      assert.isTrue(fake.sent[0]?.signal.aborted)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("the timeout error says what happened", () => {
    const fake = configLayer([{ hang: true }], { timeout: "1 second" })
    return Effect.gen(function* () {
      const { exit } = yield* attemptsAt(
        AccessTokens.listAccessTokens({}, { retry: S2Retry.none, timeout: "500 millis" }),
        fake.sent,
        [500]
      )
      assert.isTrue(Exit.isFailure(exit))
      if (!Exit.isFailure(exit) || exit.cause._tag !== "Fail") return assert.fail("expected a failure")
      const error = exit.cause.error
      assert.instanceOf(error, RetryableError)
      assert.strictEqual((error as RetryableError).code, "timeout")
      assert.isTrue((error as RetryableError).mayHaveSideEffects)
      assert.strictEqual((error as RetryableError).path, "/v1/access-tokens")
    }).pipe(Effect.provide(fake.layer))
  })
})
