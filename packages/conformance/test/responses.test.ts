/**
 * Every response of our test server is valid by the published spec: the client's full flow runs through
 * `prism proxy`, which forwards to the loopback server and validates both the requests and the responses.
 * Statuses the spec does not list are tolerated only by the reviewed entries of KnownGaps.ts, and each of
 * those entries is provoked here, so an entry the spec has caught up with fails.
 */
import * as AccessTokens from "@effect-s2/client/AccessTokens"
import type { S2Error } from "@effect-s2/client/Errors"
import { S2Config } from "@effect-s2/client/S2Config"
import { Fault, S2TestServer } from "@effect-s2/testing"
import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { explain, type OperationId, operationIdOf, undocumentedStatuses, unexplained } from "./support/KnownGaps.js"
import * as Prism from "./support/Prism.js"
import * as Wire from "./support/Wire.js"

const ProxiedServer = Layer.scoped(
  Prism.Prism,
  Effect.flatMap(S2TestServer, (server) => Prism.start({ _tag: "Proxy", upstream: new URL(server.url).origin }))
).pipe(Layer.provideMerge(S2TestServer.layerLoopback()))

const ClientViaProxy = Layer.unwrapEffect(
  Effect.gen(function* () {
    const server = yield* S2TestServer
    const proxy = yield* Prism.Prism
    return Wire.layer({ accountEndpoint: `${proxy.url}/v1`, accessToken: server.rootToken })
  })
).pipe(Layer.provideMerge(ProxiedServer))

/** Every exchange since the last check conforms: no unexplained violation, and a 2xx has none at all. */
const checkExchanges = Effect.gen(function* () {
  const exchanges = yield* (yield* Wire.Exchanges).take
  const bad = exchanges
    .map((exchange) => ({
      ...exchange,
      violations: exchange.status < 300 ? exchange.violations : unexplained(exchange)
    }))
    .filter((exchange) => exchange.violations.length > 0)
  assert.deepStrictEqual(bad.map(Wire.formatExchange), [], "Prism: responses violate the spec")
  return exchanges
})

const statusOf = (error: S2Error) => error.status

const FAULT_OPERATION: Record<OperationId, "list-access-tokens" | "issue-access-token" | "revoke-access-token"> = {
  list_access_tokens: "list-access-tokens",
  issue_access_token: "issue-access-token",
  revoke_access_token: "revoke-access-token"
}

const call = (operation: OperationId, id: string) => {
  switch (operation) {
    case "list_access_tokens":
      return Effect.asVoid(AccessTokens.listAccessTokens({ prefix: id }))
    case "issue_access_token":
      return Effect.asVoid(AccessTokens.issueAccessToken({ id, scope: { ops: ["list-access-tokens"] } }))
    case "revoke_access_token":
      return AccessTokens.revokeAccessToken({ id })
  }
}

layer(ClientViaProxy, { excludeTestServices: true, timeout: "60 seconds" })(
  "the test server's responses against the published spec",
  (it) => {
    it.effect("issue, list, list pages, revoke, and their errors", () =>
      Effect.gen(function* () {
        const ids = ["flow/a", "flow/b", "flow/c", "flow/é", "flow/😀", "flow/z"]
        yield* AccessTokens.issueAccessToken({
          id: ids[0]!,
          scope: {
            basins: { prefix: "" },
            streams: { prefix: "tenant/" },
            accessTokens: { exact: "flow/a" },
            opGroups: { account: { read: true }, basin: { read: true, write: true }, stream: null },
            ops: ["list-access-tokens", "append", "read"]
          },
          autoPrefixStreams: true,
          expiresAt: new Date(Date.now() + 3_600_000)
        })
        for (const id of ids.slice(1)) yield* AccessTokens.issueAccessToken({ id, scope: {} })
        yield* checkExchanges

        const page = yield* AccessTokens.listAccessTokens({ prefix: "flow/" })
        assert.deepStrictEqual(
          page.accessTokens.map((t) => t.id),
          [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        )
        const first = yield* AccessTokens.listAccessTokens({ prefix: "flow/", limit: 2 })
        assert.isTrue(first.hasMore)
        yield* AccessTokens.listAccessTokens({ prefix: "flow/", startAfter: "flow/b", limit: 0 })
        const all = yield* Stream.runCollect(AccessTokens.listAllAccessTokens({ prefix: "flow/", limit: 2 }))
        assert.strictEqual(Chunk.size(all), ids.length)
        yield* checkExchanges

        yield* AccessTokens.revokeAccessToken({ id: "flow/é" })
        const revokedAgain = yield* Effect.flip(AccessTokens.revokeAccessToken({ id: "flow/é" }))
        const duplicate = yield* Effect.flip(AccessTokens.issueAccessToken({ id: "flow/a", scope: {} }))
        const past = yield* Effect.flip(
          AccessTokens.issueAccessToken({ id: "flow/past", scope: {}, expiresAt: new Date(Date.now() - 60_000) })
        )
        assert.deepStrictEqual([revokedAgain, duplicate, past].map(statusOf), [404, 409, 422])
        const exchanges = yield* checkExchanges
        assert.deepStrictEqual(
          exchanges.map((e) => e.status),
          [204, 404, 409, 422]
        )
      })
    )

    it.effect("a token the server does not know (401) and one without the right (403)", () =>
      Effect.gen(function* () {
        const proxy = yield* Prism.Prism
        const limited = yield* AccessTokens.issueAccessToken({ id: "limited", scope: { ops: ["list-basins"] } })
        yield* checkExchanges
        const as = (token: Redacted.Redacted<string>) =>
          Effect.provide(
            Effect.gen(function* () {
              const failure = yield* Effect.flip(AccessTokens.listAccessTokens())
              const exchanges = yield* checkExchanges
              return [failure.status, exchanges.map((e) => e.status)] as const
            }),
            Wire.layer({ accountEndpoint: `${proxy.url}/v1`, accessToken: token })
          )
        assert.deepStrictEqual(yield* as(Redacted.make("not-a-token")), [401, [401]])
        assert.deepStrictEqual(yield* as(limited.accessToken), [403, [403]])
      })
    )

    it.effect("listed tokens carry auto_prefix_streams, as the newer spec requires and the published allows", () =>
      Effect.gen(function* () {
        const config = yield* S2Config
        yield* AccessTokens.issueAccessToken({ id: "listed/plain", scope: {} })
        const body = yield* Effect.scoped(
          Effect.flatMap(
            config.accountClient.get("/access-tokens", { urlParams: { prefix: "listed/" } }),
            (r) => r.json
          )
        )
        const tokens = (body as { access_tokens: ReadonlyArray<Record<string, unknown>> }).access_tokens
        assert.isAbove(tokens.length, 0)
        for (const token of tokens) assert.strictEqual(typeof token.auto_prefix_streams, "boolean")
        yield* checkExchanges
      })
    )

    it.effect("408 (listed in the spec) passes with no violation at all", () =>
      Effect.gen(function* () {
        const server = yield* S2TestServer
        for (const operation of Object.keys(FAULT_OPERATION) as Array<OperationId>) {
          yield* server.faults.inject(FAULT_OPERATION[operation], Fault.error(408, "request_timeout"))
          yield* Effect.either(call(operation, "timeout"))
          const exchanges = yield* checkExchanges
          assert.deepStrictEqual(
            exchanges.map((e) => [e.status, e.violations]),
            [[408, []]]
          )
        }
      })
    )

    it.effect("every reviewed undocumented status is still undocumented, and nothing else is wrong", () =>
      Effect.gen(function* () {
        const server = yield* S2TestServer
        for (const gap of undocumentedStatuses) {
          for (const operation of gap.operations) {
            yield* server.faults.inject(FAULT_OPERATION[operation], Fault.error(gap.status, gap.code))
            const failure = yield* Effect.flip(call(operation, "gap"))
            assert.strictEqual(failure.status, gap.status)
            const [exchange, ...more] = yield* checkExchanges
            assert.isDefined(exchange)
            assert.strictEqual(more.length, 0)
            assert.strictEqual(operationIdOf(exchange!.method, exchange!.target), operation)
            const explained = exchange!.violations.map((v) => explain(exchange!, v))
            assert.isTrue(
              explained.includes(gap),
              `Prism no longer reports ${gap.status} for ${operation}: remove or narrow the KnownGaps entry`
            )
          }
        }
      })
    )

    it.effect("a response that breaks the spec is reported (the check can fail)", () =>
      Effect.gen(function* () {
        const server = yield* S2TestServer
        // The real 201 body, labelled text/plain: the spec says application/json.
        yield* server.faults.inject("issue-access-token", Fault.wrongContentType("text/plain"))
        yield* Effect.either(AccessTokens.issueAccessToken({ id: "broken", scope: {} }))
        const exchanges = yield* (yield* Wire.Exchanges).take
        const [exchange] = exchanges
        assert.isDefined(exchange)
        assert.isAbove(exchange!.violations.length, 0)
        assert.include(Wire.formatExchange(exchange!), "media type")
      })
    )
  }
)
