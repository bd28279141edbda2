/**
 * The core client end to end against the local server, over both transports: in memory (TestClock drives
 * every wait) and on loopback (real sockets; retries use zero delays so no clock is needed).
 */
import { ErrorResponse, RetryableError, S2Client, S2Config, S2Retry } from "@effect-s2/client"
import { Fault, S2TestServer } from "@effect-s2/testing"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

type Server = Layer.Layer<S2TestServer | HttpClient.HttpClient, unknown>

/** The client, configured with the server's root token and endpoint. */
const withClient = (server: Server, retry?: S2Retry.Policy) =>
  S2Client.layer.pipe(
    Layer.provideMerge(
      Layer.unwrapEffect(
        Effect.map(S2TestServer, (s) =>
          S2Config.layer({
            accessToken: s.rootToken,
            accountEndpoint: s.url,
            ...(retry === undefined ? {} : { retry })
          })
        )
      )
    ),
    Layer.provideMerge(server)
  )

/** A client for `token` on the same server. */
const clientFor = (token: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const server = yield* S2TestServer
    return yield* Effect.provide(
      S2Client,
      S2Client.layer.pipe(Layer.provide(S2Config.layer({ accessToken: token, accountEndpoint: server.url })))
    )
  })

const inMemory: Server = S2TestServer.layerHttpClient()
const loopback: Server = Layer.merge(S2TestServer.layerLoopback(), FetchHttpClient.layer)

/** Runs `effect`, moving the TestClock to each sleep as soon as one is scheduled. */
const withTime = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10_000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* Fiber.join(fiber)
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isNonEmpty(sleeps)) {
        yield* TestClock.setTime(Math.min(...sleeps))
      } else {
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
    }
    return yield* Effect.dieMessage("the effect did not finish")
  })

for (const [name, server] of [
  ["in memory", inMemory],
  ["loopback", loopback]
] as const) {
  describe(`the client against the server ${name}`, () => {
    it.effect("issues a scoped token, uses it, pages through a list, revokes it", () =>
      Effect.gen(function* () {
        const root = yield* S2Client
        for (const id of ["team/a", "team/b", "team/c", "team/d", "other/x"]) {
          yield* root.accessTokens.issueAccessToken({ id, scope: {} })
        }
        const { accessToken } = yield* root.accessTokens.issueAccessToken({
          id: "team/admin",
          scope: { accessTokens: { prefix: "team/" }, opGroups: { account: { read: true, write: true } } }
        })
        assert.isTrue(Redacted.isRedacted(accessToken))

        const admin = yield* clientFor(accessToken)
        const seen = yield* Stream.runCollect(admin.accessTokens.listAllAccessTokens({ limit: 2 }))
        assert.deepStrictEqual(
          Chunk.toArray(seen).map((t) => t.id),
          ["team/a", "team/admin", "team/b", "team/c", "team/d"]
        )
        const listed = Chunk.toArray(seen).find((t) => t.id === "team/admin")!
        assert.deepStrictEqual(listed.scope.accessTokens, { prefix: "team/" })
        assert.isFalse(listed.autoPrefixStreams)

        const denied = yield* Effect.flip(admin.accessTokens.revokeAccessToken({ id: "other/x" }))
        assert.instanceOf(denied, ErrorResponse)
        assert.deepStrictEqual([denied.status, denied.code], [403, "permission_denied"])

        yield* admin.accessTokens.revokeAccessToken({ id: "team/a" })
        const again = yield* Effect.flip(admin.accessTokens.revokeAccessToken({ id: "team/a" }))
        assert.instanceOf(again, ErrorResponse)
        assert.deepStrictEqual([again.status, again.code], [404, "access_token_not_found"])

        yield* root.accessTokens.revokeAccessToken({ id: "team/admin" })
        const revoked = yield* Effect.flip(admin.accessTokens.listAccessTokens())
        assert.instanceOf(revoked, ErrorResponse)
        assert.deepStrictEqual([revoked.status, revoked.code], [401, "authn"])
      }).pipe(Effect.provide(withClient(server)))
    )

    it.effect("a duplicate id is a typed 409", () =>
      Effect.gen(function* () {
        const client = yield* S2Client
        yield* client.accessTokens.issueAccessToken({ id: "dup", scope: {} })
        const error = yield* Effect.flip(client.accessTokens.issueAccessToken({ id: "dup", scope: {} }))
        assert.instanceOf(error, ErrorResponse)
        assert.deepStrictEqual(
          [error.status, error.code, error.earlierAttemptMayHaveSucceeded],
          [409, "resource_already_exists", undefined]
        )
      }).pipe(Effect.provide(withClient(server)))
    )

    it.effect("retries a dropped connection on an idempotent operation", () =>
      Effect.gen(function* () {
        const client = yield* S2Client
        const server = yield* S2TestServer
        yield* server.faults.inject("list-access-tokens", Fault.dropBeforeApply, Fault.error(503, "unavailable"))
        const page = yield* client.accessTokens.listAccessTokens()
        assert.deepStrictEqual(page.accessTokens, [])
        assert.strictEqual((yield* server.requests).length, 3)
      }).pipe(Effect.provide(withClient(server, S2Retry.backoff({ minBaseDelay: 0, maxBaseDelay: 0 }))))
    )

    it.effect("an issue whose response was lost, retried, says the earlier attempt may have succeeded", () =>
      Effect.gen(function* () {
        const client = yield* S2Client
        const server = yield* S2TestServer
        yield* server.faults.inject("issue-access-token", Fault.dropAfterApply)
        const error = yield* Effect.flip(
          client.accessTokens.issueAccessToken(
            { id: "lost", scope: {} },
            { retry: S2Retry.backoff({ minBaseDelay: 0, maxBaseDelay: 0 }) }
          )
        )
        assert.instanceOf(error, ErrorResponse)
        assert.strictEqual(error.code, "resource_already_exists")
        assert.isTrue(error.earlierAttemptMayHaveSucceeded)
      }).pipe(Effect.provide(withClient(server)))
    )
  })
}

describe("the client against the server in memory, with TestClock", () => {
  it.effect("default retries wait as the server asks (retry-after-ms) and then succeed", () =>
    Effect.gen(function* () {
      const client = yield* S2Client
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.error(429, "rate_limited", { retryAfterMillis: 3000 }))
      const fiber = yield* Effect.fork(client.accessTokens.listAccessTokens())
      const asleep = yield* waitForSleep
      assert.isAtLeast(asleep, 3000)
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual((yield* server.requests).length, 1)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual((yield* server.requests).length, 2)
    }).pipe(Effect.provide(withClient(inMemory)))
  )

  it.effect("issuing is not retried after a failure that may have had a side effect", () =>
    Effect.gen(function* () {
      const client = yield* S2Client
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.error(503, "unavailable"))
      const error = yield* Effect.flip(withTime(client.accessTokens.issueAccessToken({ id: "x", scope: {} })))
      assert.instanceOf(error, RetryableError)
      assert.isTrue(error.mayHaveSideEffects)
      assert.strictEqual((yield* server.requests).length, 1)

      yield* server.faults.inject("issue-access-token", Fault.error(429, "rate_limited"))
      yield* withTime(client.accessTokens.issueAccessToken({ id: "x", scope: {} }))
      assert.strictEqual((yield* server.requests).length, 3)
    }).pipe(Effect.provide(withClient(inMemory)))
  )

  it.effect("a slow response times out, and the retry succeeds", () =>
    Effect.gen(function* () {
      const client = yield* S2Client
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.delay("1 minute"))
      const page = yield* withTime(client.accessTokens.listAccessTokens())
      assert.isFalse(page.hasMore)
      assert.strictEqual((yield* server.requests).length, 2)
    }).pipe(Effect.provide(withClient(inMemory)))
  )

  it.effect("tokens expire on the server's clock", () =>
    Effect.gen(function* () {
      const root = yield* S2Client
      const { accessToken } = yield* root.accessTokens.issueAccessToken({
        id: "brief",
        scope: { ops: ["list-access-tokens"], accessTokens: { prefix: "" } },
        expiresAt: new Date(60_000)
      })
      const brief = yield* clientFor(accessToken)
      assert.deepStrictEqual(
        (yield* brief.accessTokens.listAccessTokens()).accessTokens.map((t) => t.id),
        ["brief"]
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(brief.accessTokens.listAccessTokens())
      assert.instanceOf(error, ErrorResponse)
      assert.strictEqual(error.code, "authn")
    }).pipe(Effect.provide(withClient(inMemory)))
  )

  it.effect("bodies that do not decode are APIErrors, and a lost secret says to revoke the token", () =>
    Effect.gen(function* () {
      const client = yield* S2Client
      const server = yield* S2TestServer
      yield* server.faults.inject("list-access-tokens", Fault.malformedBody)
      const list = yield* Effect.flip(client.accessTokens.listAccessTokens())
      assert.strictEqual(list._tag, "APIError")

      yield* server.faults.inject("issue-access-token", Fault.truncatedBody())
      const issued = yield* Effect.flip(client.accessTokens.issueAccessToken({ id: "cut", scope: {} }))
      assert.strictEqual(issued._tag, "APIError")
      assert.include(issued.message, "revoke it")
      assert.isUndefined((issued as { body?: string }).body)
    }).pipe(Effect.provide(withClient(inMemory)))
  )
})

/** Waits until something sleeps on the TestClock and answers how long, in milliseconds. */
const waitForSleep = Effect.gen(function* () {
  for (let i = 0; i < 1000; i++) {
    const sleeps = yield* TestClock.sleeps()
    if (Chunk.isNonEmpty(sleeps)) return Math.min(...sleeps) - (yield* TestClock.currentTimeMillis)
    yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
  }
  return yield* Effect.dieMessage("nothing went to sleep")
})
