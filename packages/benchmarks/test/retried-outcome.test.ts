/**
 * What a retried call says about side effects when an earlier attempt's outcome was unknown: the soak's
 * findings, pinned down with scripted faults so that they reproduce every time.
 *
 * The final error of a retried write must not describe only its last attempt: when an earlier attempt was lost
 * after the server applied it, the caller must not be told "certainly not applied" while the token exists
 * (issue) or is gone (revoke).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { AccessTokens, S2Config, S2Retry } from "@effect-s2/client"
import { Fault, S2TestServer } from "@effect-s2/testing"

const retry = S2Retry.backoff({ minBaseDelay: "1 millis", maxBaseDelay: "2 millis", maxRetryAfter: "2 millis" })

const layer = Layer.unwrapEffect(
  Effect.map(S2TestServer, (server) =>
    S2Config.layer({ accessToken: server.rootToken, accountEndpoint: server.url, retry })
  )
).pipe(Layer.provideMerge(S2TestServer.layerHttpClient()))

const ids = Effect.map(Stream.runCollect(AccessTokens.listAllAccessTokens()), (all) =>
  Chunk.toReadonlyArray(all).map((t) => t.id)
)

describe("a retried call after an attempt with an unknown outcome", () => {
  it.live("issuing (control): the retry finds the id taken and says the earlier attempt may have succeeded", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.dropAfterApply)
      const error = yield* Effect.flip(AccessTokens.issueAccessToken({ id: "a", scope: {} }, { retry }))
      assert.deepStrictEqual(yield* ids, ["a"])
      assert.isTrue(error._tag === "ErrorResponse" && error.earlierAttemptMayHaveSucceeded === true)
    }).pipe(Effect.provide(layer))
  )

  it.live("issuing, then rate limited: the final error must not say the token was certainly not issued", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject(
        "issue-access-token",
        Fault.dropAfterApply,
        Fault.error(429, "rate_limited"),
        Fault.error(429, "rate_limited")
      )
      const error = yield* Effect.flip(AccessTokens.issueAccessToken({ id: "a", scope: {} }, { retry }))
      assert.deepStrictEqual(yield* ids, ["a"], "the first attempt issued the token")
      assert.isTrue(error._tag === "RetryableError" && error.mayHaveSideEffects, error.message)
    }).pipe(Effect.provide(layer))
  )

  it.live("issuing, then refused: the ErrorResponse must say an earlier attempt may have succeeded", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.dropAfterApply, Fault.error(403, "permission_denied"))
      const error = yield* Effect.flip(AccessTokens.issueAccessToken({ id: "a", scope: {} }, { retry }))
      assert.deepStrictEqual(yield* ids, ["a"], "the first attempt issued the token")
      assert.isTrue(error._tag === "ErrorResponse" && error.earlierAttemptMayHaveSucceeded === true, error.message)
    }).pipe(Effect.provide(layer))
  )

  it.live("revoking with the default policy, then draining: the final error must not say 'not revoked'", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* AccessTokens.issueAccessToken({ id: "a", scope: {} })
      yield* server.faults.inject(
        "revoke-access-token",
        Fault.dropAfterApply,
        Fault.error(503, "server_draining"),
        Fault.error(503, "server_draining")
      )
      const error = yield* Effect.flip(AccessTokens.revokeAccessToken({ id: "a" }))
      assert.deepStrictEqual(yield* ids, [], "the first attempt revoked the token")
      assert.isTrue(error._tag === "RetryableError" && error.mayHaveSideEffects, error.message)
    }).pipe(Effect.provide(layer))
  )
})
