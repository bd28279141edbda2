/**
 * The official TypeScript SDK, `@s2-dev/streamstore`, against the loopback server: it shows the server speaks
 * S2's real wire protocol, independently of our own client.
 */
import { S2TestServer } from "@effect-s2/testing"
import { assert, describe, it } from "@effect/vitest"
import { S2, S2Error } from "@s2-dev/streamstore"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const sdk = (accessToken: string) =>
  Effect.map(S2TestServer, (server) => new S2({ accessToken, endpoints: { account: server.url } }))

const rootSdk = Effect.flatMap(S2TestServer, (server) => sdk(Redacted.value(server.rootToken)))

const failure = <A>(promise: () => Promise<A>) =>
  Effect.flip(Effect.tryPromise({ try: promise, catch: (error) => error }))

describe("@s2-dev/streamstore 0.27.0 against the loopback server", () => {
  it.effect("lists, issues and revokes", () =>
    Effect.gen(function* () {
      const s2 = yield* rootSdk
      assert.deepStrictEqual(yield* Effect.promise(() => s2.accessTokens.list()), { accessTokens: [], hasMore: false })

      const { accessToken } = yield* Effect.promise(() =>
        s2.accessTokens.issue({
          id: "service/reader",
          scope: {
            basins: { prefix: "" },
            streams: { prefix: "users/" },
            accessTokens: { prefix: "service/" },
            opGroups: { stream: { read: true } },
            ops: ["list-access-tokens"]
          },
          autoPrefixStreams: true,
          expiresAt: new Date("2099-01-02T03:04:05Z")
        })
      )
      assert.isString(accessToken)

      const page = yield* Effect.promise(() => s2.accessTokens.list({ prefix: "service/" }))
      assert.isFalse(page.hasMore)
      assert.strictEqual(page.accessTokens.length, 1)
      const info = page.accessTokens[0]!
      assert.strictEqual(info.id, "service/reader")
      assert.isTrue(info.autoPrefixStreams)
      assert.strictEqual(info.expiresAt?.toISOString(), "2099-01-02T03:04:05.000Z")
      assert.deepStrictEqual(info.scope.streams, { prefix: "users/" })
      assert.deepStrictEqual(info.scope.ops, ["list-access-tokens"])
      assert.deepStrictEqual(info.scope.opGroups?.stream, { read: true, write: false })

      // The issued token is a credential: it may list, but not issue.
      const reader = yield* sdk(accessToken)
      const own = yield* Effect.promise(() => reader.accessTokens.list())
      assert.deepStrictEqual(
        own.accessTokens.map((t) => t.id),
        ["service/reader"]
      )
      const denied = yield* failure(() => reader.accessTokens.issue({ id: "service/x", scope: {} }))
      assert.instanceOf(denied, S2Error)
      assert.deepStrictEqual([(denied as S2Error).status, (denied as S2Error).code], [403, "permission_denied"])

      yield* Effect.promise(() => s2.accessTokens.revoke({ id: "service/reader" }))
      const again = yield* failure(() => s2.accessTokens.revoke({ id: "service/reader" }))
      assert.instanceOf(again, S2Error)
      assert.deepStrictEqual([(again as S2Error).status, (again as S2Error).code], [404, "access_token_not_found"])
      const revoked = yield* failure(() => reader.accessTokens.list())
      assert.deepStrictEqual([(revoked as S2Error).status, (revoked as S2Error).code], [401, "authn"])
    }).pipe(Effect.provide(S2TestServer.layerLoopback()))
  )

  it.effect("pages through every token with listAll, in byte order", () =>
    Effect.gen(function* () {
      const s2 = yield* rootSdk
      const ids = ["b", "a/2", "a/10", "\u{1F600}", "\uFFFD"]
      for (const id of ids) yield* Effect.promise(() => s2.accessTokens.issue({ id, scope: {} }))
      const seen: Array<string> = []
      yield* Effect.promise(async () => {
        for await (const token of s2.accessTokens.listAll({ limit: 2 })) seen.push(token.id)
      })
      assert.deepStrictEqual(seen, ["a/10", "a/2", "b", "\uFFFD", "\u{1F600}"])

      const server = yield* S2TestServer
      const lists = (yield* server.requests).filter((r) => r.operation === "list-access-tokens")
      assert.deepStrictEqual(
        lists.map((r) => r.query),
        [{ limit: "2" }, { limit: "2", start_after: "a/2" }, { limit: "2", start_after: "\uFFFD" }]
      )
    }).pipe(Effect.provide(S2TestServer.layerLoopback()))
  )

  it.effect("a duplicate id is 409 resource_already_exists", () =>
    Effect.gen(function* () {
      const s2 = yield* rootSdk
      yield* Effect.promise(() => s2.accessTokens.issue({ id: "dup", scope: {} }))
      const error = yield* failure(() => s2.accessTokens.issue({ id: "dup", scope: {} }))
      assert.instanceOf(error, S2Error)
      assert.deepStrictEqual([(error as S2Error).status, (error as S2Error).code], [409, "resource_already_exists"])
    }).pipe(Effect.provide(S2TestServer.layerLoopback()))
  )
})
