import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as AccessTokens from "../src/AccessTokens.js"
import { APIError, ErrorResponse } from "../src/Errors.js"
import { type IssueAccessTokenRequest, type ListAccessTokensRequest, Operation } from "../src/Models.js"
import { S2Client } from "../src/S2Client.js"
import { configLayer, type Reply, type Sent } from "./fake.js"

const emptyPage: Reply = { status: 200, json: { access_tokens: [], has_more: false } }

const listed = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  scope: {
    basins: null,
    streams: { prefix: "logs/" },
    access_tokens: null,
    op_groups: { account: { read: true, write: false }, basin: null, stream: null },
    ops: ["read", "append"]
  },
  auto_prefix_streams: false,
  expires_at: null,
  ...extra
})

describe("input validation happens before any request", () => {
  const refused = <R>(
    effect: Effect.Effect<unknown, unknown, R>,
    sent: ReadonlyArray<Sent>,
    field: string,
    rule: string
  ) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(effect)
      assert.instanceOf(error, ErrorResponse)
      if (!(error instanceof ErrorResponse)) return
      assert.strictEqual(error.origin, "client")
      assert.strictEqual(error.code, "invalid_argument")
      assert.strictEqual(error.status, 0)
      assert.strictEqual(error.field, field)
      assert.include(error.detail, rule)
      assert.include(error.message, field)
      assert.strictEqual(sent.length, 0)
    })

  const badIds: ReadonlyArray<readonly [string, string]> = [
    ["", "must not be empty"],
    ["€".repeat(33), "at most 96 UTF-8 bytes"],
    ["a".repeat(97), "at most 96 UTF-8 bytes"],
    [".", 'must not be "." or ".."'],
    ["..", 'must not be "." or ".."'],
    ["a\0b", "NUL"]
  ]
  for (const [id, rule] of badIds) {
    it.effect(`issue refuses id ${JSON.stringify(id.slice(0, 8))}… (${rule})`, () => {
      const fake = configLayer([{ status: 201, json: { access_token: "x" } }])
      return refused(AccessTokens.issueAccessToken({ id, scope: {} }), fake.sent, "id", rule).pipe(
        Effect.provide(fake.layer)
      )
    })
    it.effect(`revoke refuses id ${JSON.stringify(id.slice(0, 8))}… (${rule})`, () => {
      const fake = configLayer([{ status: 204 }])
      return refused(AccessTokens.revokeAccessToken({ id }), fake.sent, "id", rule).pipe(Effect.provide(fake.layer))
    })
  }

  const badLists: ReadonlyArray<readonly [ListAccessTokensRequest, string, string]> = [
    [{ prefix: "p".repeat(97) }, "prefix", "at most 96 UTF-8 bytes"],
    [{ startAfter: "é".repeat(49) }, "startAfter", "at most 96 UTF-8 bytes"],
    [{ limit: -1 }, "limit", "0 to 1000"],
    [{ limit: 1001 }, "limit", "0 to 1000"],
    [{ limit: 2.5 }, "limit", "0 to 1000"]
  ]
  for (const [request, field, rule] of badLists) {
    it.effect(`list refuses ${field} ${JSON.stringify(request).slice(0, 30)}`, () => {
      const fake = configLayer([emptyPage])
      return refused(AccessTokens.listAccessTokens(request), fake.sent, field, rule).pipe(Effect.provide(fake.layer))
    })
  }

  it.effect("issue refuses autoPrefixStreams without a prefix streams scope", () => {
    const fake = configLayer([{ status: 201, json: { access_token: "x" } }])
    const request: IssueAccessTokenRequest = { id: "t", scope: { streams: { exact: "s" } }, autoPrefixStreams: true }
    return refused(AccessTokens.issueAccessToken(request), fake.sent, "autoPrefixStreams", "prefix").pipe(
      Effect.provide(fake.layer)
    )
  })

  it.effect("a call refuses a timeout that is not a positive duration", () => {
    const fake = configLayer([emptyPage])
    return refused(AccessTokens.listAccessTokens({}, { timeout: "0 millis" }), fake.sent, "timeout", "positive").pipe(
      Effect.provide(fake.layer)
    )
  })

  it.effect("issue refuses an invalid date", () => {
    const fake = configLayer([{ status: 201, json: { access_token: "x" } }])
    return refused(
      AccessTokens.issueAccessToken({ id: "t", scope: {}, expiresAt: new Date(Number.NaN) }),
      fake.sent,
      "expiresAt",
      "valid Date"
    ).pipe(Effect.provide(fake.layer))
  })

  it.effect("issue refuses an expiry beyond the four-digit years RFC 3339 can write", () => {
    const fake = configLayer([{ status: 201, json: { access_token: "x" } }])
    return refused(
      AccessTokens.issueAccessToken({ id: "t", scope: {}, expiresAt: new Date("+010000-01-01T00:00:00Z") }),
      fake.sent,
      "expiresAt",
      "0000 to 9999"
    ).pipe(Effect.provide(fake.layer))
  })

  it.effect("the edges of every rule are accepted", () => {
    const fake = configLayer([emptyPage, emptyPage, { status: 201, json: { access_token: "x" } }, { status: 204 }])
    return Effect.gen(function* () {
      const id = "€".repeat(32)
      yield* AccessTokens.listAccessTokens({ prefix: "", startAfter: "z".repeat(96), limit: 0 })
      yield* AccessTokens.listAccessTokens({ limit: 1000 })
      yield* AccessTokens.issueAccessToken({ id, scope: { streams: { prefix: "" } }, autoPrefixStreams: true })
      yield* AccessTokens.revokeAccessToken({ id: "..." })
      assert.strictEqual(fake.sent.length, 4)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("wire format", () => {
  it.effect("list sends snake_case query parameters and only those given", () => {
    const fake = configLayer([emptyPage])
    return Effect.gen(function* () {
      yield* AccessTokens.listAccessTokens({ prefix: "svc/", startAfter: "svc/a", limit: 10 })
      yield* AccessTokens.listAccessTokens()
      const [first, second] = fake.sent
      assert.strictEqual(first?.method, "GET")
      assert.strictEqual(first?.url.pathname, "/v1/access-tokens")
      assert.deepStrictEqual(Object.fromEntries(first?.url.searchParams ?? []), {
        prefix: "svc/",
        start_after: "svc/a",
        limit: "10"
      })
      assert.strictEqual(second?.url.search, "")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("issue sends the token info in snake_case, with an RFC 3339 expiry", () => {
    const fake = configLayer([{ status: 201, json: { access_token: "issued-secret" } }])
    return Effect.gen(function* () {
      const response = yield* AccessTokens.issueAccessToken({
        id: "svc/worker",
        scope: {
          streams: { prefix: "logs/" },
          accessTokens: null,
          opGroups: { stream: { read: true } },
          ops: ["append", "list-locations"]
        },
        autoPrefixStreams: true,
        expiresAt: new Date("2027-01-02T03:04:05Z")
      })
      const [request] = fake.sent
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.headers["content-type"], "application/json")
      assert.deepStrictEqual(request?.body, {
        id: "svc/worker",
        scope: {
          streams: { prefix: "logs/" },
          access_tokens: null,
          op_groups: { stream: { read: true } },
          ops: ["append", "list-locations"]
        },
        auto_prefix_streams: true,
        expires_at: "2027-01-02T03:04:05.000Z"
      })
      assert.isTrue(Redacted.isRedacted(response.accessToken))
      assert.strictEqual(Redacted.value(response.accessToken), "issued-secret")
      assert.notInclude(String(response.accessToken), "issued-secret")
      assert.notInclude(JSON.stringify(response), "issued-secret")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("revoke escapes the id into one path segment", () => {
    const fake = configLayer([{ status: 204 }])
    return Effect.gen(function* () {
      yield* AccessTokens.revokeAccessToken({ id: "user/alice ?#" })
      const [request] = fake.sent
      assert.strictEqual(request?.method, "DELETE")
      assert.strictEqual(request?.url.pathname, "/v1/access-tokens/user%2Falice%20%3F%23")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("revoke accepts any 2xx, with or without a body", () => {
    const fake = configLayer([{ status: 200, json: {} }, { status: 204 }])
    return Effect.gen(function* () {
      yield* AccessTokens.revokeAccessToken({ id: "a" })
      yield* AccessTokens.revokeAccessToken({ id: "b" })
      assert.strictEqual(fake.sent.length, 2)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("every request carries the bearer token, a user agent and accepts JSON", () => {
    const fake = configLayer([emptyPage], { userAgent: "my-app/1.0" })
    return Effect.gen(function* () {
      yield* AccessTokens.listAccessTokens({}, { headers: { "x-trace": "abc", authorization: "Bearer forged" } })
      const headers = fake.sent[0]?.headers
      assert.strictEqual(headers?.authorization, "Bearer tok-4d9f0c1e2b7a-root-secret")
      assert.strictEqual(headers?.["user-agent"], "my-app/1.0")
      assert.strictEqual(headers?.accept, "application/json")
      assert.strictEqual(headers?.["x-trace"], "abc")
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("decoding", () => {
  it("Operation knows every operation name S2 defines", () => {
    const names = [
      ...["list-basins", "create-basin", "delete-basin", "reconfigure-basin", "get-basin-config"],
      ...["issue-access-token", "revoke-access-token", "list-access-tokens"],
      ...["list-streams", "create-stream", "delete-stream", "get-stream-config", "reconfigure-stream"],
      ...["check-tail", "append", "read", "trim", "fence"],
      ...["account-metrics", "basin-metrics", "stream-metrics"],
      ...["list-locations", "get-default-location", "set-default-location"]
    ]
    assert.sameMembers([...Operation.literals], names)
  })

  it.effect("list decodes camelCase, dates, and ignores unknown fields", () => {
    const fake = configLayer([
      {
        status: 200,
        json: {
          access_tokens: [listed("a", { expires_at: "2027-05-06T07:08:09Z", future_field: 1 })],
          has_more: false,
          next_thing: "x"
        }
      }
    ])
    return Effect.gen(function* () {
      const { accessTokens, hasMore } = yield* AccessTokens.listAccessTokens()
      assert.isFalse(hasMore)
      const [token] = accessTokens
      assert.strictEqual(token?.id, "a")
      assert.deepStrictEqual(token?.expiresAt, new Date("2027-05-06T07:08:09Z"))
      assert.deepStrictEqual(token?.scope.streams, { prefix: "logs/" })
      assert.deepStrictEqual(token?.scope.opGroups?.account, { read: true, write: false })
      assert.isFalse(token?.autoPrefixStreams)
      assert.notProperty(token, "future_field")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("an operation added by the service later is kept, not fatal", () => {
    const fake = configLayer([
      { status: 200, json: { access_tokens: [listed("a", { scope: { ops: ["read", "teleport"] } })], has_more: false } }
    ])
    return Effect.gen(function* () {
      const { accessTokens } = yield* AccessTokens.listAccessTokens()
      const ops: ReadonlyArray<string> | null | undefined = accessTokens[0]?.scope.ops
      assert.deepStrictEqual(ops, ["read", "teleport"])
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a token without auto_prefix_streams or expires_at decodes with S2's defaults", () => {
    const fake = configLayer([{ status: 200, json: { access_tokens: [{ id: "a", scope: {} }], has_more: false } }])
    return Effect.gen(function* () {
      const { accessTokens } = yield* AccessTokens.listAccessTokens()
      assert.deepStrictEqual(accessTokens, [{ id: "a", scope: {}, autoPrefixStreams: false }])
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a malformed date or resource set fails the response as an APIError", () => {
    const fake = configLayer([
      { status: 200, json: { access_tokens: [listed("a", { expires_at: "tomorrow" })], has_more: false } },
      { status: 200, json: { access_tokens: [listed("a", { scope: { streams: { glob: "*" } } })], has_more: false } }
    ])
    return Effect.gen(function* () {
      const date = yield* Effect.flip(AccessTokens.listAccessTokens())
      assert.instanceOf(date, APIError)
      assert.include(date.message, "RFC 3339")
      const set = yield* Effect.flip(AccessTokens.listAccessTokens())
      assert.instanceOf(set, APIError)
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("listAllAccessTokens", () => {
  const pages: ReadonlyArray<Reply> = [
    { status: 200, json: { access_tokens: [listed("a"), listed("b")], has_more: true } },
    { status: 200, json: { access_tokens: [listed("c"), listed("d")], has_more: true } },
    { status: 200, json: { access_tokens: [listed("e")], has_more: false } }
  ]

  it.effect("follows start_after = the last id while has_more", () => {
    const fake = configLayer(pages)
    return Effect.gen(function* () {
      const all = yield* Stream.runCollect(AccessTokens.listAllAccessTokens({ prefix: "", limit: 2 }))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(all).map((t) => t.id),
        ["a", "b", "c", "d", "e"]
      )
      assert.deepStrictEqual(
        fake.sent.map((s) => s.url.searchParams.get("start_after")),
        [null, "b", "d"]
      )
      assert.deepStrictEqual(
        fake.sent.map((s) => s.url.searchParams.get("limit")),
        ["2", "2", "2"]
      )
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("starts after the given startAfter", () => {
    const fake = configLayer([pages[2] as Reply])
    return Effect.gen(function* () {
      yield* Stream.runDrain(AccessTokens.listAllAccessTokens({ startAfter: "d" }))
      assert.strictEqual(fake.sent[0]?.url.searchParams.get("start_after"), "d")
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("fetches a page only when it is needed", () => {
    const fake = configLayer(pages)
    return Effect.gen(function* () {
      const firstTwo = yield* Stream.runCollect(Stream.take(AccessTokens.listAllAccessTokens(), 2))
      assert.strictEqual(Chunk.size(firstTwo), 2)
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("fails rather than loops when the service says has_more with an empty page", () => {
    const fake = configLayer([{ status: 200, json: { access_tokens: [], has_more: true } }])
    return Effect.gen(function* () {
      const error = yield* Effect.flip(Stream.runDrain(AccessTokens.listAllAccessTokens()))
      assert.instanceOf(error, APIError)
      assert.strictEqual((error as APIError).path, "/v1/access-tokens")
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("a page that fails is retried like any list call", () => {
    const fake = configLayer([
      pages[0] as Reply,
      { status: 503, json: { code: "unavailable", message: "x" } },
      pages[2] as Reply
    ])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Stream.runCollect(AccessTokens.listAllAccessTokens()))
      yield* TestClock.adjust("1 second")
      const all = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(all).map((t) => t.id),
        ["a", "b", "e"]
      )
    }).pipe(Effect.provide(fake.layer))
  })
})

describe("S2Client", () => {
  it.effect("offers the same operations with no requirements", () => {
    const fake = configLayer([
      { status: 200, json: { access_tokens: [listed("a")], has_more: false } },
      { status: 201, json: { access_token: "s" } },
      { status: 204 },
      { status: 200, json: { access_tokens: [listed("a")], has_more: false } }
    ])
    return Effect.gen(function* () {
      const client = yield* S2Client
      const page = yield* client.accessTokens.listAccessTokens()
      const issued = yield* client.accessTokens.issueAccessToken({ id: "b", scope: {} })
      yield* client.accessTokens.revokeAccessToken({ id: "b" })
      const all = yield* Stream.runCollect(client.accessTokens.listAllAccessTokens())
      assert.strictEqual(page.accessTokens[0]?.id, "a")
      assert.strictEqual(Redacted.value(issued.accessToken), "s")
      assert.strictEqual(Chunk.size(all), 1)
      assert.deepStrictEqual(
        fake.sent.map((s) => s.method),
        ["GET", "POST", "DELETE", "GET"]
      )
    }).pipe(Effect.provide(S2Client.layer), Effect.provide(fake.layer))
  })
})
