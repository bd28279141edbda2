import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { S2TestServer } from "../src/index.js"
import { call, issue, tokenAdmin } from "./helpers.js"

const inMemory = S2TestServer.layerHttpClient()

const assertError = (
  answer: { status: number; contentType: string | undefined; json: any },
  status: number,
  code: string
) => {
  assert.strictEqual(answer.status, status, JSON.stringify(answer.json))
  assert.strictEqual(answer.contentType, "application/json")
  assert.deepStrictEqual(Object.keys(answer.json).sort(), ["code", "message"])
  assert.strictEqual(answer.json.code, code)
  assert.isString(answer.json.message)
}

describe("authentication", () => {
  it.effect("missing, malformed, unknown, revoked and expired tokens get 401 authn", () =>
    Effect.gen(function* () {
      assertError(yield* call("GET", "/access-tokens", { token: null }), 401, "authn")
      assertError(yield* call("GET", "/access-tokens", { token: "not-a-token" }), 401, "authn")

      const secret = yield* issue({ id: "t", scope: tokenAdmin(), expires_at: "1970-01-01T00:01:00Z" })
      assert.strictEqual((yield* call("GET", "/access-tokens", { token: secret })).status, 200)

      // Time is the server's Clock: the TestClock, which starts at the epoch.
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual((yield* call("GET", "/access-tokens", { token: secret })).status, 200)
      yield* TestClock.adjust("1 second")
      assertError(yield* call("GET", "/access-tokens", { token: secret }), 401, "authn")

      const other = yield* issue({ id: "u", scope: tokenAdmin() })
      assert.strictEqual((yield* call("DELETE", "/access-tokens/u")).status, 204)
      assertError(yield* call("GET", "/access-tokens", { token: other }), 401, "authn")
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("the scheme is case-insensitive and the root token is the one it was started with", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      assert.strictEqual(Redacted.value(server.rootToken), "root-secret")
      assert.strictEqual((yield* call("GET", "/access-tokens", { token: "root-secret" })).status, 200)
    }).pipe(Effect.provide(S2TestServer.layerHttpClient({ rootToken: "root-secret" })))
  )
})

describe("permissions", () => {
  it.effect("ops and op groups are united; a missing operation is 403 permission_denied", () =>
    Effect.gen(function* () {
      const listOnly = yield* issue({
        id: "list-only",
        scope: { access_tokens: { prefix: "" }, ops: ["list-access-tokens"] }
      })
      const readGroup = yield* issue({
        id: "read-group",
        scope: { access_tokens: { prefix: "" }, op_groups: { account: { read: true } } }
      })
      const both = yield* issue({
        id: "both",
        scope: { access_tokens: { prefix: "" }, ops: ["revoke-access-token"], op_groups: { account: { read: true } } }
      })
      const streamOnly = yield* issue({
        id: "stream",
        scope: { access_tokens: { prefix: "" }, op_groups: { stream: { read: true, write: true } } }
      })

      assert.strictEqual((yield* call("GET", "/access-tokens", { token: listOnly })).status, 200)
      assert.strictEqual((yield* call("GET", "/access-tokens", { token: readGroup })).status, 200)
      assertError(yield* call("GET", "/access-tokens", { token: streamOnly }), 403, "permission_denied")
      assertError(
        yield* call("POST", "/access-tokens", { token: readGroup, body: { id: "x", scope: {} } }),
        403,
        "permission_denied"
      )
      assertError(yield* call("DELETE", "/access-tokens/stream", { token: listOnly }), 403, "permission_denied")
      assert.strictEqual((yield* call("DELETE", "/access-tokens/stream", { token: both })).status, 204)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("the access_tokens resource set limits which ids a token lists, issues and revokes", () =>
    Effect.gen(function* () {
      const admin = yield* issue({ id: "team/admin", scope: tokenAdmin("team/") })
      yield* issue({ id: "team/a", scope: {} })
      yield* issue({ id: "other/b", scope: {} })

      const listed = yield* call("GET", "/access-tokens", { token: admin })
      assert.deepStrictEqual(
        listed.json.access_tokens.map((t: any) => t.id),
        ["team/a", "team/admin"]
      )
      assert.strictEqual(
        (yield* call("POST", "/access-tokens", { token: admin, body: { id: "team/c", scope: {} } })).status,
        201
      )
      assertError(
        yield* call("POST", "/access-tokens", { token: admin, body: { id: "other/c", scope: {} } }),
        403,
        "permission_denied"
      )
      assertError(yield* call("DELETE", "/access-tokens/other%2Fb", { token: admin }), 403, "permission_denied")
      // Permission is checked before existence, so ids outside the scope do not leak.
      assertError(yield* call("DELETE", "/access-tokens/other%2Fnone", { token: admin }), 403, "permission_denied")
      assert.strictEqual((yield* call("DELETE", "/access-tokens/team%2Fa", { token: admin })).status, 204)

      const exact = yield* issue({
        id: "solo",
        scope: { access_tokens: { exact: "solo" }, ops: ["list-access-tokens"] }
      })
      assert.deepStrictEqual(
        (yield* call("GET", "/access-tokens", { token: exact })).json.access_tokens.map((t: any) => t.id),
        ["solo"]
      )
      const nothing = yield* issue({ id: "none", scope: { access_tokens: { exact: "" }, ops: ["list-access-tokens"] } })
      assert.deepStrictEqual((yield* call("GET", "/access-tokens", { token: nothing })).json.access_tokens, [])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("a token cannot issue one with more rights than itself", () =>
    Effect.gen(function* () {
      const limited = yield* issue({
        id: "limited",
        scope: {
          basins: { prefix: "prod-" },
          streams: { exact: "logs" },
          access_tokens: { prefix: "l/" },
          ops: ["issue-access-token", "read"]
        }
      })
      const attempt = (scope: Record<string, unknown>) =>
        call("POST", "/access-tokens", { token: limited, body: { id: "l/child", scope } })

      assertError(yield* attempt({ ops: ["append"] }), 403, "permission_denied")
      assertError(yield* attempt({ op_groups: { stream: { read: true } } }), 403, "permission_denied")
      assertError(yield* attempt({ basins: { prefix: "" } }), 403, "permission_denied")
      assertError(yield* attempt({ basins: { prefix: "prod" } }), 403, "permission_denied")
      assertError(yield* attempt({ streams: { prefix: "logs" } }), 403, "permission_denied")
      assertError(yield* attempt({ access_tokens: { prefix: "" } }), 403, "permission_denied")
      assert.strictEqual(
        (yield* attempt({ basins: { exact: "prod-basin-1" }, streams: { exact: "logs" }, ops: ["read"] })).status,
        201
      )
    }).pipe(Effect.provide(inMemory))
  )
})

describe("issue", () => {
  it.effect("answers 201 with a random secret that works at once and is never listed", () =>
    Effect.gen(function* () {
      const a = yield* call("POST", "/access-tokens", { body: { id: "a", scope: tokenAdmin() } })
      const b = yield* call("POST", "/access-tokens", { body: { id: "b", scope: tokenAdmin() } })
      assert.strictEqual(a.status, 201)
      assert.strictEqual(a.contentType, "application/json")
      assert.deepStrictEqual(Object.keys(a.json), ["access_token"])
      assert.isAtLeast(a.json.access_token.length, 40)
      assert.notStrictEqual(a.json.access_token, b.json.access_token)
      assert.strictEqual((yield* call("GET", "/access-tokens", { token: a.json.access_token })).status, 200)
      const listed = yield* call("GET", "/access-tokens")
      assert.notInclude(listed.text, a.json.access_token)
      assert.notInclude(listed.text, b.json.access_token)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("id rules are 400 bad_json; a duplicate id is 409 resource_already_exists", () =>
    Effect.gen(function* () {
      for (const id of ["", ".", "..", "a".repeat(97), "é".repeat(49), "nul\u0000", 7]) {
        assertError(yield* call("POST", "/access-tokens", { body: { id, scope: {} } }), 400, "bad_json")
      }
      assert.strictEqual(
        (yield* call("POST", "/access-tokens", { body: { id: "a".repeat(96), scope: {} } })).status,
        201
      )
      assert.strictEqual(
        (yield* call("POST", "/access-tokens", { body: { id: "é".repeat(48), scope: {} } })).status,
        201
      )
      assertError(
        yield* call("POST", "/access-tokens", { body: { id: "a".repeat(96), scope: {} } }),
        409,
        "resource_already_exists"
      )
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("malformed bodies are 400 bad_json", () =>
    Effect.gen(function* () {
      const bad = [
        "{",
        "[]",
        JSON.stringify({ scope: {} }),
        JSON.stringify({ id: "x" }),
        JSON.stringify({ id: "x", scope: { ops: ["fly"] } }),
        JSON.stringify({ id: "x", scope: { basins: { exact: "a", prefix: "b" } } }),
        JSON.stringify({ id: "x", scope: { basins: { exact: "UPPER" } } }),
        JSON.stringify({ id: "x", scope: { streams: { glob: "*" } } }),
        JSON.stringify({ id: "x", scope: { op_groups: { stream: { read: "yes" } } } }),
        JSON.stringify({ id: "x", scope: {}, expires_at: "tomorrow" }),
        JSON.stringify({ id: "x", scope: {}, auto_prefix_streams: "true" })
      ]
      for (const raw of bad) assertError(yield* call("POST", "/access-tokens", { raw }), 400, "bad_json")
      assertError(
        yield* call("POST", "/access-tokens", {
          raw: JSON.stringify({ id: "x", scope: {} }),
          contentType: "text/plain"
        }),
        400,
        "bad_json"
      )
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("auto_prefix_streams needs a prefix streams scope: 422 invalid", () =>
    Effect.gen(function* () {
      const body = (streams: unknown) => ({ id: "auto", scope: { streams }, auto_prefix_streams: true })
      assertError(yield* call("POST", "/access-tokens", { body: body({ exact: "s" }) }), 422, "invalid")
      assertError(yield* call("POST", "/access-tokens", { body: body(null) }), 422, "invalid")
      assert.strictEqual((yield* call("POST", "/access-tokens", { body: body({ prefix: "tenant/" }) })).status, 201)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("expires_at defaults to the issuer's expiry and may not exceed it", () =>
    Effect.gen(function* () {
      const issuer = yield* issue({ id: "issuer", scope: tokenAdmin(), expires_at: "2030-01-01T00:00:00Z" })
      const post = (body: Record<string, unknown>) => call("POST", "/access-tokens", { token: issuer, body })

      assert.strictEqual((yield* post({ id: "default", scope: {} })).status, 201)
      assert.strictEqual(
        (yield* post({ id: "earlier", scope: {}, expires_at: "2029-06-01T12:30:00.250+02:00" })).status,
        201
      )
      assertError(yield* post({ id: "later", scope: {}, expires_at: "2030-01-01T00:00:01Z" }), 422, "invalid")
      assertError(yield* post({ id: "past", scope: {}, expires_at: "1969-12-31T00:00:00Z" }), 422, "invalid")
      // The root token never expires, so tokens it issues without expires_at do not either.
      assert.strictEqual((yield* call("POST", "/access-tokens", { body: { id: "forever", scope: {} } })).status, 201)

      const { json } = yield* call("GET", "/access-tokens")
      const expiry = Object.fromEntries(json.access_tokens.map((t: any) => [t.id, t.expires_at]))
      assert.deepStrictEqual(expiry, {
        default: "2030-01-01T00:00:00Z",
        earlier: "2029-06-01T10:30:00.25Z",
        forever: null,
        issuer: "2030-01-01T00:00:00Z"
      })
    }).pipe(Effect.provide(inMemory))
  )
})

describe("list", () => {
  it.effect("lists ids in UTF-8 byte order, not JS string order", () =>
    Effect.gen(function* () {
      // U+FFFD sorts before U+1F600 in UTF-8 bytes (EF.. < F0..) but after it in UTF-16 (FFFD > D83D).
      const ids = ["\u{1F600}", "\uFFFD", "b", "a/2", "a/10", "A", "é"]
      for (const id of ids) yield* issue({ id, scope: {} })
      const { json } = yield* call("GET", "/access-tokens")
      assert.deepStrictEqual(
        json.access_tokens.map((t: any) => t.id),
        ["A", "a/10", "a/2", "b", "é", "\uFFFD", "\u{1F600}"]
      )
      assert.isFalse(json.has_more)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("prefix, start_after, limit and has_more page through the tokens", () =>
    Effect.gen(function* () {
      for (const id of ["u/1", "u/2", "u/3", "u/4", "u/5", "v/1"]) yield* issue({ id, scope: {} })
      const page = (query: string) => Effect.map(call("GET", `/access-tokens?${query}`), (a) => a.json)

      const first = yield* page("prefix=u%2F&limit=2")
      assert.deepStrictEqual(
        first.access_tokens.map((t: any) => t.id),
        ["u/1", "u/2"]
      )
      assert.isTrue(first.has_more)
      const second = yield* page("prefix=u%2F&limit=2&start_after=u%2F2")
      assert.deepStrictEqual(
        second.access_tokens.map((t: any) => t.id),
        ["u/3", "u/4"]
      )
      assert.isTrue(second.has_more)
      const last = yield* page("prefix=u/&limit=2&start_after=u/4")
      assert.deepStrictEqual(
        last.access_tokens.map((t: any) => t.id),
        ["u/5"]
      )
      assert.isFalse(last.has_more)
      // start_after need not be an existing id.
      assert.deepStrictEqual(
        (yield* page("start_after=u%2F4z")).access_tokens.map((t: any) => t.id),
        ["u/5", "v/1"]
      )
      assert.deepStrictEqual((yield* page("prefix=w")).access_tokens, [])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("limit 0 or over 1000 means 1000", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 1001; i++) yield* issue({ id: `t${String(i).padStart(4, "0")}`, scope: {} })
      for (const query of ["", "?limit=0", "?limit=1001", "?limit=99999"]) {
        const { json } = yield* call("GET", `/access-tokens${query}`)
        assert.strictEqual(json.access_tokens.length, 1000, query)
        assert.isTrue(json.has_more)
      }
      const { json } = yield* call("GET", "/access-tokens?limit=1000&start_after=t0999")
      assert.deepStrictEqual(
        json.access_tokens.map((t: any) => t.id),
        ["t1000"]
      )
      assert.isFalse(json.has_more)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("malformed queries are 400 bad_query", () =>
    Effect.gen(function* () {
      for (const query of [
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "limit=1&limit=2",
        `prefix=${"a".repeat(97)}`
      ]) {
        assertError(yield* call("GET", `/access-tokens?${query}`), 400, "bad_query")
      }
      assert.strictEqual((yield* call("GET", `/access-tokens?prefix=${"a".repeat(96)}&other=1`)).status, 200)
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("list items are serialized like the service: every scope field, explicit booleans, null sets", () =>
    Effect.gen(function* () {
      yield* issue({
        id: "shape",
        scope: {
          basins: { exact: "my-basin-1" },
          streams: { prefix: "s/" },
          access_tokens: { exact: "" },
          ops: ["read", "list-basins", "read"],
          op_groups: { basin: { read: true } }
        },
        auto_prefix_streams: true,
        expires_at: "2031-02-03T04:05:06Z"
      })
      yield* issue({ id: "bare", scope: {} })
      const { json } = yield* call("GET", "/access-tokens")
      assert.deepStrictEqual(json, {
        access_tokens: [
          {
            id: "bare",
            expires_at: null,
            auto_prefix_streams: false,
            scope: {
              basins: null,
              streams: null,
              access_tokens: null,
              op_groups: {
                account: { read: false, write: false },
                basin: { read: false, write: false },
                stream: { read: false, write: false }
              },
              ops: []
            }
          },
          {
            id: "shape",
            expires_at: "2031-02-03T04:05:06Z",
            auto_prefix_streams: true,
            scope: {
              basins: { exact: "my-basin-1" },
              streams: { prefix: "s/" },
              access_tokens: null,
              op_groups: {
                account: { read: false, write: false },
                basin: { read: true, write: false },
                stream: { read: false, write: false }
              },
              ops: ["list-basins", "read"]
            }
          }
        ],
        has_more: false
      })
    }).pipe(Effect.provide(inMemory))
  )
})

describe("revoke", () => {
  it.effect("answers 204 with no body; unknown or already revoked ids are 404 access_token_not_found", () =>
    Effect.gen(function* () {
      yield* issue({ id: "user/1", scope: {} })
      const revoked = yield* call("DELETE", "/access-tokens/user%2F1")
      assert.strictEqual(revoked.status, 204)
      assert.strictEqual(revoked.text, "")
      assertError(yield* call("DELETE", "/access-tokens/user%2F1"), 404, "access_token_not_found")
      assertError(yield* call("DELETE", "/access-tokens/never"), 404, "access_token_not_found")
      assert.deepStrictEqual((yield* call("GET", "/access-tokens")).json.access_tokens, [])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("malformed ids in the path are 400 bad_path", () =>
    Effect.gen(function* () {
      // "." and ".." cannot be sent: URL normalization removes them (even percent-encoded) before sending.
      for (const segment of ["%ZZ", "", "a".repeat(97), "nul%00"]) {
        assertError(yield* call("DELETE", `/access-tokens/${segment}`), 400, "bad_path")
      }
    }).pipe(Effect.provide(inMemory))
  )
})

describe("routing and the request record", () => {
  it.effect("unknown routes and methods answer S2-style JSON errors", () =>
    Effect.gen(function* () {
      assertError(yield* call("GET", "/basins"), 404, "not_found")
      assertError(yield* call("PUT", "/access-tokens"), 405, "method_not_allowed")
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("records every request with authorization redacted", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* call("GET", "/access-tokens?prefix=a&limit=5")
      yield* call("POST", "/access-tokens", { body: { id: "r", scope: {} } })
      yield* call("DELETE", "/access-tokens/r", { token: null })
      const requests = yield* server.requests
      assert.deepStrictEqual(
        requests.map((r) => [r.method, r.path, r.operation]),
        [
          ["GET", "/v1/access-tokens", "list-access-tokens"],
          ["POST", "/v1/access-tokens", "issue-access-token"],
          ["DELETE", "/v1/access-tokens/r", "revoke-access-token"]
        ]
      )
      assert.deepStrictEqual(requests[0]!.query, { prefix: "a", limit: "5" })
      assert.deepStrictEqual(JSON.parse(requests[1]!.body), { id: "r", scope: {} })
      const authorization = requests[0]!.headers.authorization
      assert.isTrue(Redacted.isRedacted(authorization))
      assert.notInclude(JSON.stringify(requests), Redacted.value(server.rootToken))
      assert.notInclude(String(authorization), Redacted.value(server.rootToken))
      assert.isUndefined(requests[2]!.headers.authorization)
      yield* server.clearRequests
      assert.deepStrictEqual(yield* server.requests, [])
    }).pipe(Effect.provide(inMemory))
  )

  it.effect("the root token does not show in the service's string forms", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      const secret = Redacted.value(server.rootToken)
      assert.notInclude(String(server.rootToken), secret)
      assert.notInclude(JSON.stringify(server), secret)
    }).pipe(Effect.provide(inMemory))
  )
})
