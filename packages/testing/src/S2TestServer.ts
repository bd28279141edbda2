/**
 * A local S2 access-token server for tests: `GET /v1/access-tokens`, `POST /v1/access-tokens` and
 * `DELETE /v1/access-tokens/{id}`, behaving like the S2 service, served in memory or on loopback.
 *
 * ```ts
 * it.effect("issues a token", () =>
 *   Effect.gen(function* () {
 *     const server = yield* S2TestServer
 *     yield* server.faults.inject("issue-access-token", Fault.error(503, "unavailable"))
 *     // ... run code that uses HttpClient against server.url, with server.rootToken
 *   }).pipe(Effect.provide(S2TestServer.layerHttpClient())))
 * ```
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Fault from "./Fault.js"
import * as Server from "./internal/server.js"

/**
 * A request as the server received it. The `authorization` header is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedRequest = Server.RecordedRequest

/**
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /**
   * Scripts the next responses of `operation`: the first matching request gets the first fault, and so on;
   * once the script runs out, requests are handled normally again.
   */
  readonly inject: (operation: Fault.Operation, ...faults: ReadonlyArray<Fault.Fault>) => Effect.Effect<void>
  /** How many scripted faults of `operation` have not been used yet. */
  readonly pending: (operation: Fault.Operation) => Effect.Effect<number>
  /** Forgets every scripted fault. */
  readonly clear: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface S2TestServerService {
  /** The account endpoint to point a client at, with its `/v1` path, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string
  /** The token the server was started with: it may do everything, never expires and is never listed. */
  readonly rootToken: Redacted.Redacted<string>
  readonly faults: Faults
  /** Every request received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The root token. Default: a random one. */
  readonly rootToken?: Redacted.Redacted<string> | string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LoopbackOptions extends Options {
  /** The port on 127.0.0.1. Default 0: a free port chosen by the system. */
  readonly port?: number | undefined
}

/**
 * The account endpoint of the in-memory server. The `.invalid` name never resolves, so a request that
 * escapes to a real network fails instead of reaching anyone.
 *
 * @since 0.1.0
 * @category constants
 */
export const IN_MEMORY_URL = "http://s2-test-server.invalid/v1"

const rootTokenOf = (options: Options): Redacted.Redacted<string> =>
  options.rootToken === undefined
    ? Redacted.make(Server.randomSecret())
    : typeof options.rootToken === "string"
      ? Redacted.make(options.rootToken)
      : options.rootToken

const serviceOf = (core: Server.Core, url: string): S2TestServerService => ({
  url,
  rootToken: core.rootToken,
  faults: {
    inject: (operation, ...faults) => core.inject(operation, faults),
    pending: core.pendingFaults,
    clear: core.clearFaults
  },
  requests: core.requests,
  clearRequests: core.clearRequests
})

/** Like undici when a peer resets the connection: `TypeError("fetch failed")` caused by `ECONNRESET`. */
const connectionReset = (): TypeError =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error("other side closed"), { code: "ECONNRESET" })
  })

/**
 * A `fetch` that hands every request to the server's app on the caller's runtime, without sockets.
 * A dropped connection rejects like a reset socket; an aborted request rejects with the abort reason.
 */
const inMemoryFetch = (core: Server.Core): Effect.Effect<typeof globalThis.fetch> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const dropped = new WeakSet<object>()
    const drop: Server.DropConnection = (request) =>
      Effect.sync(() => {
        dropped.add(request.source as object)
        return HttpServerResponse.empty({ status: 599 })
      })
    const handler = HttpApp.toWebHandlerRuntime(runtime)(core.makeApp(drop))
    const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
      new Promise((resolve, reject) => {
        const request = new Request(input, init)
        const { signal } = request
        if (signal.aborted) return reject(signal.reason)
        const onAbort = () => reject(signal.reason)
        signal.addEventListener("abort", onAbort, { once: true })
        handler(request).then((response) => {
          signal.removeEventListener("abort", onAbort)
          if (dropped.has(request)) reject(connectionReset())
          else resolve(response)
        }, reject)
      })
    return fetch as typeof globalThis.fetch
  })

/** On a real socket, dropping the connection is destroying it; the handler is then interrupted. */
const dropSocket: Server.DropConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()),
    Effect.never
  )

/**
 * Starts the server on 127.0.0.1 for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLoopback = (
  options: LoopbackOptions = {}
): Effect.Effect<S2TestServerService, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const core = Server.makeCore({ rootToken: rootTokenOf(options) })
    const nodeServer = Http.createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { host: "127.0.0.1", port: options.port ?? 0 })
    // Runs before the server closes: a test server should stop at once, not wait for clients' keep-alive
    // connections (or requests they gave up on) to end.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* server.serve(core.makeApp(dropSocket))
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const url = `http://127.0.0.1:${port}${Server.BASE_PATH}`
    yield* Effect.logDebug("S2 test server listening").pipe(Effect.annotateLogs("url", url))
    return serviceOf(core, url)
  })

/**
 * The S2 test server.
 *
 * @since 0.1.0
 * @category tags
 */
export class S2TestServer extends Context.Tag("@effect-s2/testing/S2TestServer")<S2TestServer, S2TestServerService>() {
  /**
   * The server in memory, and an `HttpClient` that sends every request to it, without sockets. The server
   * runs on the runtime that builds the layer, so its time is that runtime's `Clock` (a `TestClock` in
   * `it.effect`). The client answers every request whatever its host; use `url` as the account endpoint.
   *
   * @since 0.1.0
   */
  static readonly layerHttpClient = (options: Options = {}): Layer.Layer<S2TestServer | HttpClient.HttpClient> =>
    Layer.unwrapEffect(
      Effect.gen(function* () {
        const core = Server.makeCore({ rootToken: rootTokenOf(options) })
        const fetch = yield* inMemoryFetch(core)
        return Layer.merge(
          Layer.succeed(S2TestServer, serviceOf(core, IN_MEMORY_URL)),
          FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
        )
      })
    )

  /**
   * The server on 127.0.0.1 (an ephemeral port unless `port` is given), for as long as the layer lives.
   * Bring your own `HttpClient` (e.g. `FetchHttpClient.layer`) or any other HTTP client.
   *
   * @since 0.1.0
   */
  static readonly layerLoopback = (
    options: LoopbackOptions = {}
  ): Layer.Layer<S2TestServer, HttpServerError.ServeError> => Layer.scoped(S2TestServer, makeLoopback(options))
}
