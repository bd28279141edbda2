import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Net from "node:net"
import { Fault, type LoopbackOptions, S2TestServer, type S2TestServerService } from "../src/index.js"
import { call } from "./helpers.js"

const loopback = (options: LoopbackOptions = {}) =>
  Layer.merge(S2TestServer.layerLoopback(options), FetchHttpClient.layer)

const ids = Effect.map(call("GET", "/access-tokens"), (a) => a.json.access_tokens.map((t: any) => t.id))

/** A port that was free a moment ago. */
const freePort = Effect.async<number>((resume) => {
  const probe = Net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address() as Net.AddressInfo
    probe.close(() => resume(Effect.succeed(address.port)))
  })
})

describe("loopback", () => {
  it.effect("serves the same API on 127.0.0.1, on an ephemeral port", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.notStrictEqual(server.url, "http://127.0.0.1:0/v1")

      const issued = yield* call("POST", "/access-tokens", { body: { id: "user/1", scope: { ops: ["read"] } } })
      assert.strictEqual(issued.status, 201)
      assert.deepStrictEqual(yield* ids, ["user/1"])
      const denied = yield* call("GET", "/access-tokens", { token: issued.json.access_token })
      assert.deepStrictEqual([denied.status, denied.json.code], [403, "permission_denied"])
      assert.strictEqual((yield* call("DELETE", "/access-tokens/user%2F1")).status, 204)
      const gone = yield* call("DELETE", "/access-tokens/user%2F1")
      assert.deepStrictEqual(
        [gone.status, gone.contentType, gone.json.code],
        [404, "application/json", "access_token_not_found"]
      )
      assert.strictEqual((yield* server.requests).length, 5)
    }).pipe(Effect.provide(loopback()))
  )

  it.effect("listens on a chosen port with a chosen root token", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      yield* Effect.gen(function* () {
        const server = yield* S2TestServer
        assert.strictEqual(server.url, `http://127.0.0.1:${port}/v1`)
        assert.strictEqual((yield* call("GET", "/access-tokens", { token: "chosen" })).status, 200)
      }).pipe(Effect.provide(loopback({ port, rootToken: Redacted.make("chosen") })))
    })
  )

  it.effect("a dropped connection destroys the socket; after apply, the token exists", () =>
    Effect.gen(function* () {
      const server = yield* S2TestServer
      yield* server.faults.inject("issue-access-token", Fault.dropBeforeApply, Fault.dropAfterApply)
      const before = yield* Effect.flip(call("POST", "/access-tokens", { body: { id: "a", scope: {} } }))
      assert.instanceOf(before, HttpClientError.RequestError)
      assert.deepStrictEqual(yield* ids, [])
      const after = yield* Effect.flip(call("POST", "/access-tokens", { body: { id: "b", scope: {} } }))
      assert.instanceOf(after, HttpClientError.RequestError)
      assert.deepStrictEqual(yield* ids, ["b"])
    }).pipe(Effect.provide(loopback()))
  )

  it.effect("the port is released when the scope closes", () =>
    Effect.gen(function* () {
      const url = yield* Effect.map(S2TestServer, (s) => s.url).pipe(Effect.provide(loopback()))
      const error = yield* Effect.flip(
        call("GET", "/access-tokens", { token: null }).pipe(
          Effect.provide(Layer.succeed(S2TestServer, { url } as S2TestServerService)),
          Effect.provide(FetchHttpClient.layer)
        )
      )
      assert.instanceOf(error, HttpClientError.RequestError)
    })
  )

  it.live("closing does not wait for connections clients keep open", () =>
    Effect.gen(function* () {
      const closed = yield* Effect.gen(function* () {
        const server = yield* S2TestServer
        assert.strictEqual((yield* call("GET", "/access-tokens")).status, 200)
        yield* server.faults.inject("list-access-tokens", Fault.delay("1 hour"))
        const fiber = yield* Effect.fork(call("GET", "/access-tokens"))
        while ((yield* server.requests).length === 1) {
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        }
        yield* Fiber.interrupt(fiber)
        assert.strictEqual((yield* call("GET", "/access-tokens")).status, 200)
        return yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      }).pipe(Effect.provide(loopback()))
      const after = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      // A server that waited for open connections to end would take seconds (fetch keep-alive) to close.
      assert.isBelow(after - closed, 1000)
    })
  )
})
