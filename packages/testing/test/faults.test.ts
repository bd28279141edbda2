import * as HttpClientError from "@effect/platform/HttpClientError"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { Fault, S2TestServer } from "../src/index.js"
import { call } from "./helpers.js"

const inMemory = S2TestServer.layerHttpClient()

const ids = Effect.map(call("GET", "/access-tokens"), (a) => a.json.access_tokens.map((t: any) => t.id))

const issueX = (id: string) => call("POST", "/access-tokens", { body: { id, scope: {} } })

/** Waits until the server's handler is asleep on the TestClock. */
const untilAsleep = Effect.gen(function* () {
  for (let i = 0; i < 1000; i++) {
    if ((yield* TestClock.sleeps()).length > 0) return
    yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
  }
  return yield* Effect.dieMessage("the server never went to sleep")
})

describe("faults", () => {
  it.effect("an error fault answers S2's error body with Retry-After or retry-after-ms, and is not applied", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject(
        "issue-access-token",
        Fault.error(429, "rate_limited", { retryAfterMillis: 250 }),
        Fault.error(503, "unavailable", { message: "try later", retryAfter: "1500 millis" })
      )
      assert.strictEqual(yield* server.faults.pending("issue-access-token"), 2)

      const first = yield* issueX("a")
      assert.strictEqual(first.status, 429)
      assert.strictEqual(first.contentType, "application/json")
      assert.deepStrictEqual(first.json, { code: "rate_limited", message: "injected fault: rate_limited" })
      assert.strictEqual(first.headers["retry-after-ms"], "250")

      const second = yield* issueX("a")
      assert.deepStrictEqual(
        [second.status, second.json.message, second.headers["retry-after"]],
        [503, "try later", "2"]
      )
      assert.deepStrictEqual(yield* ids, [])

      // The script ran out: the next request is handled normally.
      assert.strictEqual((yield* issueX("a")).status, 201)
      assert.strictEqual(yield* server.faults.pending("issue-access-token"), 0)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("an applied error fault has the side effect but answers the error", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.error(503, "unavailable", { applied: true }))
      assert.strictEqual((yield* issueX("a")).status, 503)
      assert.deepStrictEqual(yield* ids, ["a"])
      assert.strictEqual((yield* issueX("a")).status, 409)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("faults are per operation, and clear forgets them", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("revoke-access-token", Fault.error(500, "other"))
      yield* server.faults.inject("list-access-tokens", Fault.error(500, "other"))
      assert.strictEqual((yield* issueX("a")).status, 201)
      yield* server.faults.clear
      assert.deepStrictEqual(yield* ids, ["a"])
      assert.strictEqual((yield* call("DELETE", "/access-tokens/a")).status, 204)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a delay waits on the server's Clock, so TestClock drives it", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.delay("10 seconds"))
      const fiber = yield* Effect.fork(call("GET", "/access-tokens"))
      yield* untilAsleep
      yield* TestClock.adjust("9999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a delay can end in another fault", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.delay("1 second", Fault.error(504, "upstream_timeout")))
      const fiber = yield* Effect.fork(call("GET", "/access-tokens"))
      yield* untilAsleep
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 504)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a connection dropped before the request is applied is a reset connection, and nothing happened", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.dropBeforeApply)
      const error = yield* Effect.flip(issueX("a"))
      assert.instanceOf(error, HttpClientError.RequestError)
      const request = error as HttpClientError.RequestError
      assert.strictEqual(request.reason, "Transport")
      assert.instanceOf(request.cause, TypeError)
      assert.strictEqual(((request.cause as TypeError).cause as { code?: string }).code, "ECONNRESET")
      assert.deepStrictEqual(yield* ids, [])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a connection dropped after the request is applied loses the response, but the token exists", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.dropAfterApply)
      const error = yield* Effect.flip(issueX("a"))
      assert.instanceOf(error, HttpClientError.RequestError)
      assert.deepStrictEqual(yield* ids, ["a"])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("truncated and malformed bodies keep the real status; the request was applied", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.truncatedBody(), Fault.malformedBody)
      const truncated = yield* issueX("a")
      assert.strictEqual(truncated.status, 201)
      assert.isUndefined(truncated.json)
      assert.isTrue(truncated.text.startsWith('{"access_token":'))
      const malformed = yield* issueX("b")
      assert.strictEqual(malformed.status, 201)
      assert.strictEqual(malformed.contentType, "application/json")
      assert.isUndefined(malformed.json)
      assert.deepStrictEqual(yield* ids, ["a", "b"])

      yield* server.faults.inject("list-access-tokens", Fault.truncatedBody(5))
      assert.strictEqual((yield* call("GET", "/access-tokens")).text, '{"acc')
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a wrong content type keeps the real body", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.wrongContentType())
      const answer = yield* call("GET", "/access-tokens")
      assert.strictEqual(answer.contentType, "text/html; charset=utf-8")
      assert.deepStrictEqual(answer.json, { access_tokens: [], has_more: false })
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a delayed request the client gives up on is never applied", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.delay("10 seconds"))
      const fiber = yield* Effect.fork(Effect.timeout(Effect.orDie(issueX("late")), "1 second"))
      yield* untilAsleep
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Effect.flip(Fiber.join(fiber)))._tag, "TimeoutException")
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* ids, [])
    }).pipe(Effect.provide(inMemory))
  )
})
