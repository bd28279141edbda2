import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as AccessTokens from "../src/AccessTokens.js"
import { APIError, ErrorResponse, RetryableError } from "../src/Errors.js"
import * as S2Retry from "../src/S2Retry.js"
import { configLayer, errorBody, type Reply, TOKEN } from "./fake.js"

const once = { retry: S2Retry.none }

const listWith = (reply: Reply) => {
  const fake = configLayer([reply])
  return AccessTokens.listAccessTokens({}, once).pipe(Effect.flip, Effect.provide(fake.layer))
}

describe("status mapping", () => {
  const nonRetryable: ReadonlyArray<readonly [number, string]> = [
    [400, "bad_json"],
    [400, "bad_query"],
    [401, "authn"],
    [403, "permission_denied"],
    [404, "access_token_not_found"],
    [409, "resource_already_exists"],
    [422, "invalid"],
    [501, "not_implemented"]
  ]
  for (const [status, code] of nonRetryable) {
    it.effect(`${status} ${code} is an ErrorResponse`, () =>
      Effect.gen(function* () {
        const error = yield* listWith(errorBody(status, code, "S2 said no"))
        assert.instanceOf(error, ErrorResponse)
        assert.instanceOf(error, Error)
        if (!(error instanceof ErrorResponse)) return
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.code, code)
        assert.strictEqual(error.detail, "S2 said no")
        assert.strictEqual(error.origin, "server")
        assert.strictEqual(error.method, "GET")
        assert.strictEqual(error.path, "/v1/access-tokens")
      })
    )
  }

  const retryable: ReadonlyArray<readonly [number, string, boolean]> = [
    [408, "request_timeout", true],
    [409, "transaction_conflict", false],
    [429, "rate_limited", false],
    [499, "client_hangup", true],
    [500, "other", true],
    [500, "storage", true],
    [502, "hot_server", false],
    [503, "unavailable", true],
    [503, "server_draining", false],
    [504, "upstream_timeout", true]
  ]
  for (const [status, code, sideEffects] of retryable) {
    it.effect(`${status} ${code} is a RetryableError (side effects: ${sideEffects})`, () =>
      Effect.gen(function* () {
        const error = yield* listWith(errorBody(status, code))
        assert.instanceOf(error, RetryableError)
        if (!(error instanceof RetryableError)) return
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.code, code)
        assert.strictEqual(error.origin, "server")
        assert.strictEqual(error.mayHaveSideEffects, sideEffects)
      })
    )
  }

  it.effect("a retryable status with an unknown code may have had side effects", () =>
    Effect.gen(function* () {
      const error = yield* listWith(errorBody(503, "some_new_code"))
      assert.instanceOf(error, RetryableError)
      assert.strictEqual((error as RetryableError).mayHaveSideEffects, true)
    })
  )

  it.effect("an undocumented status is an APIError that keeps the S2 code", () =>
    Effect.gen(function* () {
      const error = yield* listWith(errorBody(505, "other"))
      assert.instanceOf(error, APIError)
      assert.strictEqual((error as APIError).status, 505)
      assert.strictEqual((error as APIError).code, "other")
    })
  )

  it.effect("an error body that is not S2's is an APIError with the body quoted", () =>
    Effect.gen(function* () {
      const error = yield* listWith({
        status: 503,
        text: "<html>upstream down</html>",
        headers: { "content-type": "text/html" }
      })
      assert.instanceOf(error, APIError)
      if (!(error instanceof APIError)) return
      assert.strictEqual(error.status, 503)
      assert.strictEqual(error.body, "<html>upstream down</html>")
      assert.strictEqual(error.contentType, "text/html")
      assert.isUndefined(error.code)
    })
  )

  it.effect("a 2xx whose body does not decode is an APIError", () =>
    Effect.gen(function* () {
      const notJson = yield* listWith({
        status: 200,
        text: "{truncated",
        headers: { "content-type": "application/json" }
      })
      assert.instanceOf(notJson, APIError)
      assert.include(notJson.message, "not JSON")
      const wrongShape = yield* listWith({ status: 200, json: { access_tokens: "nope" } })
      assert.instanceOf(wrongShape, APIError)
      assert.include(wrongShape.message, "expected shape")
    })
  )

  it.effect("the request id header is kept", () =>
    Effect.gen(function* () {
      const error = yield* listWith(errorBody(403, "permission_denied", "no", { "x-request-id": "req-123" }))
      assert.strictEqual((error as ErrorResponse).requestId, "req-123")
      assert.include(error.message, "req-123")
    })
  )

  it.effect("the readable message names the code, status and request", () =>
    Effect.gen(function* () {
      const error = yield* listWith(errorBody(403, "permission_denied", "token scope does not allow it"))
      assert.strictEqual(
        error.message,
        "token scope does not allow it (permission_denied; HTTP 403, GET /v1/access-tokens)"
      )
      assert.notInclude(String(error), TOKEN)
    })
  )

  it.effect("Retry-After and retry-after-ms become retryAfterMillis", () =>
    Effect.gen(function* () {
      const ms = yield* listWith(errorBody(429, "rate_limited", "slow down", { "retry-after-ms": "1500" }))
      assert.strictEqual((ms as RetryableError).retryAfterMillis, 1500)
      const seconds = yield* listWith(errorBody(503, "unavailable", "later", { "retry-after": "3" }))
      assert.strictEqual((seconds as RetryableError).retryAfterMillis, 3000)
      yield* TestClock.setTime(Date.parse("2026-01-01T00:00:00Z"))
      const date = yield* listWith(
        errorBody(503, "unavailable", "later", { "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" })
      )
      assert.strictEqual((date as RetryableError).retryAfterMillis, 7000)
      const garbage = yield* listWith(errorBody(503, "unavailable", "later", { "retry-after": "soon" }))
      assert.isUndefined((garbage as RetryableError).retryAfterMillis)
    })
  )
})

describe("transport failures", () => {
  it.effect("a refused connection is retryable and certainly had no side effect", () =>
    Effect.gen(function* () {
      const error = yield* listWith({ transport: "ECONNREFUSED" })
      assert.instanceOf(error, RetryableError)
      if (!(error instanceof RetryableError)) return
      assert.strictEqual(error.origin, "transport")
      assert.strictEqual(error.code, "connection_refused")
      assert.strictEqual(error.status, 0)
      assert.isFalse(error.mayHaveSideEffects)
    })
  )

  it.effect("a reset connection is retryable but may have had side effects", () =>
    Effect.gen(function* () {
      const error = yield* listWith({ transport: "ECONNRESET" })
      assert.instanceOf(error, RetryableError)
      if (!(error instanceof RetryableError)) return
      assert.strictEqual(error.code, "connection_error")
      assert.include(error.message, "ECONNRESET")
      assert.isTrue(error.mayHaveSideEffects)
    })
  )

  it.effect("a failed name lookup never connected", () =>
    Effect.gen(function* () {
      const error = yield* listWith({ transport: "ENOTFOUND" })
      assert.strictEqual((error as RetryableError).code, "connect_failed")
      assert.isFalse((error as RetryableError).mayHaveSideEffects)
    })
  )
})
