/**
 * The server itself: token state, authentication, authorization, the three operations, fault injection and
 * the request record, as one `HttpApp` that both transports serve.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Fault from "../Fault.js"
import * as Wire from "./wire.js"

/** A request as the server received it, authorization redacted. */
export interface RecordedRequest {
  readonly method: string
  /** Path as sent, still percent-encoded, e.g. `/v1/access-tokens/user%2F1`. */
  readonly path: string
  readonly query: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
  readonly body: string
  /** The S2 operation the request was routed to, if any. */
  readonly operation: Fault.Operation | undefined
}

/** What an operation answers before any fault spoils it. */
interface Reply {
  readonly status: number
  /** JSON body; `undefined` for an empty body (204). */
  readonly body: unknown
}

const reply = (status: number, body?: unknown): Reply => ({ status, body })

const failure = (status: number, code: string, message: string): Reply => reply(status, { code, message })

/** A token the server knows: its listed info plus its secret. */
interface StoredToken extends Wire.TokenInfo {
  readonly secret: Redacted.Redacted<string>
}

/** Who is calling: the root token, or an issued token. */
interface Caller {
  readonly scope: Wire.Scope
  readonly expiresAt: number | undefined
  readonly autoPrefixStreams: boolean
}

const ROOT: Caller = { scope: Wire.ROOT_SCOPE, expiresAt: undefined, autoPrefixStreams: false }

export const BASE_PATH = "/v1"
const COLLECTION = `${BASE_PATH}/access-tokens`

/** The base64url alphabet over 32 random bytes: 256 bits, never guessable. */
export const randomSecret = (): string => {
  const bytes = new Uint8Array(32)
  globalThis.crypto.getRandomValues(bytes)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * How a transport closes the connection of a request without answering. The returned effect never
 * produces a response that reaches the client.
 */
export type DropConnection = (
  request: HttpServerRequest.HttpServerRequest
) => Effect.Effect<HttpServerResponse.HttpServerResponse>

export interface Core {
  readonly rootToken: Redacted.Redacted<string>
  readonly inject: (operation: Fault.Operation, faults: ReadonlyArray<Fault.Fault>) => Effect.Effect<void>
  readonly pendingFaults: (operation: Fault.Operation) => Effect.Effect<number>
  readonly clearFaults: Effect.Effect<void>
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  readonly makeApp: (drop: DropConnection) => HttpApp.Default
}

const operationOf = (method: string, path: string): Fault.Operation | undefined => {
  if (path === COLLECTION) {
    return method === "GET" ? "list-access-tokens" : method === "POST" ? "issue-access-token" : undefined
  }
  if (path.startsWith(`${COLLECTION}/`) && method === "DELETE") return "revoke-access-token"
  return undefined
}

const splitUrl = (url: string): { readonly path: string; readonly search: string } => {
  const at = url.indexOf("?")
  return at === -1 ? { path: url, search: "" } : { path: url.slice(0, at), search: url.slice(at + 1) }
}

const queryRecord = (search: string): Record<string, string | ReadonlyArray<string>> => {
  const record: Record<string, string | Array<string>> = {}
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = record[key]
    record[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return record
}

const isJsonContentType = (value: string | undefined): boolean => {
  if (value === undefined) return false
  const mime = value.split(";")[0]!.trim().toLowerCase()
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"))
}

export const makeCore = (options: { readonly rootToken: Redacted.Redacted<string> }): Core => {
  const tokens = new Map<string, StoredToken>()
  const bySecret = new Map<string, string>()
  const scripted = new Map<Fault.Operation, Array<Fault.Fault>>()
  let recorded: Array<RecordedRequest> = []

  // --- authentication and authorization -------------------------------------------------------------------

  const authenticate = (headers: Headers.Headers, now: number): Caller | Reply => {
    const header = Option.getOrUndefined(Headers.get(headers, "authorization"))
    const match = header === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(header)
    if (match === null) return failure(401, "authn", "missing or malformed bearer access token")
    const presented = match[1]!
    if (presented === Redacted.value(options.rootToken)) return ROOT
    const id = bySecret.get(presented)
    const token = id === undefined ? undefined : tokens.get(id)
    if (token === undefined) return failure(401, "authn", "invalid access token")
    if (token.expiresAt !== undefined && now >= token.expiresAt) {
      return failure(401, "authn", "access token has expired")
    }
    return token
  }

  const isReply = (u: Caller | Reply): u is Reply => "status" in u

  const permits = (caller: Caller, op: Wire.Operation): boolean => Wire.effectiveOps(caller.scope).has(op)

  const denied = (message: string) => failure(403, "permission_denied", message)

  // --- operations ------------------------------------------------------------------------------------------

  const list = (caller: Caller, search: string): Reply => {
    const query = Wire.parseListQuery(search)
    if (!query.ok) return failure(400, "bad_query", query.problem)
    if (!permits(caller, "list-access-tokens")) {
      return denied("operation list-access-tokens is not allowed by this token")
    }
    const { limit, prefix, startAfter } = query.value
    // A token sees only the ids its access_tokens resource set covers.
    const visible = [...tokens.values()]
      .filter(
        (t) =>
          Wire.matches(caller.scope.accessTokens, t.id) &&
          t.id.startsWith(prefix) &&
          Wire.compareBytes(t.id, startAfter) > 0
      )
      .sort((a, b) => Wire.compareBytes(a.id, b.id))
    return reply(200, {
      access_tokens: visible.slice(0, limit).map(Wire.tokenInfoJson),
      has_more: visible.length > limit
    })
  }

  const issue = (caller: Caller, contentType: string | undefined, body: string, now: number): Reply => {
    if (!isJsonContentType(contentType)) {
      return failure(400, "bad_json", "Expected request with `Content-Type: application/json`")
    }
    const parsed = Wire.parseIssueRequest(body)
    if (!parsed.ok) return failure(400, "bad_json", parsed.problem)
    const request = parsed.value
    if (!permits(caller, "issue-access-token")) {
      return denied("operation issue-access-token is not allowed by this token")
    }
    if (!Wire.matches(caller.scope.accessTokens, request.id)) {
      return denied(`access token id "${request.id}" is outside this token's access_tokens scope`)
    }
    if (request.autoPrefixStreams && request.scope.streams._tag !== "Prefix") {
      return failure(422, "invalid", "auto_prefix_streams requires a prefix streams scope")
    }
    if (request.expiresAt !== undefined && request.expiresAt <= now) {
      return failure(422, "invalid", "expires_at must be in the future")
    }
    if (request.expiresAt !== undefined && caller.expiresAt !== undefined && request.expiresAt > caller.expiresAt) {
      return failure(422, "invalid", "expires_at must not be later than the expiry of the requestor's token")
    }
    const escalation = escalationOf(caller, request)
    if (escalation !== undefined) return denied(`the new token would have more rights than this one: ${escalation}`)
    if (tokens.has(request.id)) {
      return failure(409, "resource_already_exists", `access token "${request.id}" already exists`)
    }
    const secret = randomSecret()
    tokens.set(request.id, {
      id: request.id,
      scope: request.scope,
      autoPrefixStreams: request.autoPrefixStreams,
      expiresAt: request.expiresAt ?? caller.expiresAt,
      secret: Redacted.make(secret)
    })
    bySecret.set(secret, request.id)
    return reply(201, { access_token: secret })
  }

  const revoke = (caller: Caller, segment: string): Reply => {
    const id = Wire.parseIdSegment(segment)
    if (!id.ok) return failure(400, "bad_path", id.problem)
    if (!permits(caller, "revoke-access-token")) {
      return denied("operation revoke-access-token is not allowed by this token")
    }
    if (!Wire.matches(caller.scope.accessTokens, id.value)) {
      return denied(`access token id "${id.value}" is outside this token's access_tokens scope`)
    }
    const token = tokens.get(id.value)
    if (token === undefined) return failure(404, "access_token_not_found", `access token "${id.value}" not found`)
    tokens.delete(id.value)
    bySecret.delete(Redacted.value(token.secret))
    return reply(204)
  }

  // --- faults ---------------------------------------------------------------------------------------------

  const nextFault = (operation: Fault.Operation): Fault.Fault | undefined => scripted.get(operation)?.shift()

  const encode = (r: Reply): Uint8Array | undefined =>
    r.body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(r.body))

  const toResponse = (r: Reply): HttpServerResponse.HttpServerResponse => {
    const bytes = encode(r)
    return bytes === undefined
      ? HttpServerResponse.empty({ status: r.status })
      : HttpServerResponse.uint8Array(bytes, { status: r.status, contentType: "application/json" })
  }

  const withFault = (
    fault: Fault.Fault | undefined,
    request: HttpServerRequest.HttpServerRequest,
    apply: Effect.Effect<Reply>,
    drop: DropConnection
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    if (fault === undefined) return Effect.map(apply, toResponse)
    switch (fault._tag) {
      case "Delay":
        return Effect.zipRight(Effect.sleep(fault.duration), withFault(fault.then, request, apply, drop))
      case "Error": {
        const headers: Record<string, string> = {}
        if (fault.retryAfter !== undefined) {
          headers["retry-after"] = String(Math.ceil(Duration.toMillis(fault.retryAfter) / 1000))
        }
        if (fault.retryAfterMillis !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMillis)
        const response = HttpServerResponse.setHeaders(
          toResponse(failure(fault.status, fault.code, fault.message)),
          headers
        )
        return fault.applied ? Effect.as(apply, response) : Effect.succeed(response)
      }
      case "DropBeforeApply":
        return drop(request)
      case "DropAfterApply":
        return Effect.zipRight(apply, drop(request))
      case "TruncatedBody":
        return Effect.map(apply, (r) => {
          const bytes = encode(r) ?? new Uint8Array()
          const keep = Math.max(0, Math.min(bytes.length, fault.bytes ?? Math.floor(bytes.length / 2)))
          return HttpServerResponse.uint8Array(bytes.slice(0, keep), {
            status: r.status,
            contentType: "application/json"
          })
        })
      case "MalformedBody":
        return Effect.map(apply, (r) =>
          HttpServerResponse.text("<html><body>upstream error</body></html>", {
            status: r.status,
            contentType: "application/json"
          })
        )
      case "WrongContentType":
        return Effect.map(apply, (r) =>
          HttpServerResponse.uint8Array(encode(r) ?? new Uint8Array(), {
            status: r.status,
            contentType: fault.contentType
          })
        )
    }
  }

  // --- the app --------------------------------------------------------------------------------------------

  const route =
    (operation: Fault.Operation, drop: DropConnection) =>
    (run: (caller: Caller, request: HttpServerRequest.HttpServerRequest, body: string, now: number) => Reply) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const body = yield* Effect.orElseSucceed(request.text, () => "")
        const fault = nextFault(operation)
        // Authentication and the operation run when the request is applied, so after any injected delay.
        const apply = Effect.map(Clock.currentTimeMillis, (now) => {
          const caller = authenticate(request.headers, now)
          return isReply(caller) ? caller : run(caller, request, body, now)
        })
        return yield* withFault(fault, request, apply, drop)
      })

  const makeApp = (drop: DropConnection): HttpApp.Default => {
    const revokeRoute = route(
      "revoke-access-token",
      drop
    )((caller, request) => revoke(caller, splitUrl(request.url).path.slice(COLLECTION.length + 1)))
    const router = HttpRouter.empty.pipe(
      HttpRouter.get(
        COLLECTION,
        route("list-access-tokens", drop)((caller, request) => list(caller, splitUrl(request.url).search))
      ),
      HttpRouter.post(
        COLLECTION,
        route(
          "issue-access-token",
          drop
        )((caller, request, body, now) =>
          issue(caller, Option.getOrUndefined(Headers.get(request.headers, "content-type")), body, now)
        )
      ),
      HttpRouter.del(`${COLLECTION}/:id`, revokeRoute)
    )
    const unrouted = (request: HttpServerRequest.HttpServerRequest) => {
      const { path } = splitUrl(request.url)
      // The router refuses ids it cannot percent-decode; S2 answers those with bad_path.
      const segment = path.slice(COLLECTION.length + 1)
      if (request.method === "DELETE" && path.startsWith(`${COLLECTION}/`) && !segment.includes("/")) {
        return revokeRoute
      }
      const known = path === COLLECTION || path.startsWith(`${COLLECTION}/`)
      return Effect.succeed(
        toResponse(
          known
            ? failure(405, "method_not_allowed", `${request.method} is not allowed on ${path}`)
            : failure(404, "not_found", `no route for ${request.method} ${path}`)
        )
      )
    }
    return Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const { path, search } = splitUrl(request.url)
      const operation = operationOf(request.method, path)
      recorded.push({
        method: request.method,
        path,
        query: queryRecord(search),
        headers: Headers.redact(request.headers, ["authorization"]) as RecordedRequest["headers"],
        body,
        operation
      })
      yield* Effect.logDebug("S2 test server request").pipe(
        Effect.annotateLogs({ "http.request.method": request.method, "url.path": path })
      )
      return yield* Effect.catchTag(router, "RouteNotFound", () => unrouted(request))
    }).pipe(Effect.catchAllCause((cause) => Effect.as(Effect.logDebug("S2 test server failed", cause), internalError)))
  }

  const internalError = toResponse(failure(500, "other", "internal error in the S2 test server"))

  return {
    rootToken: options.rootToken,
    inject: (operation, faults) =>
      Effect.sync(() => {
        const queue = scripted.get(operation) ?? []
        queue.push(...faults)
        scripted.set(operation, queue)
      }),
    pendingFaults: (operation) => Effect.sync(() => scripted.get(operation)?.length ?? 0),
    clearFaults: Effect.sync(() => scripted.clear()),
    requests: Effect.sync(() => [...recorded]),
    clearRequests: Effect.sync(() => {
      recorded = []
    }),
    makeApp
  }
}

/** Why `request` would give the new token rights its issuer does not have, or `undefined`. */
const escalationOf = (caller: Caller, request: Wire.IssueRequest): string | undefined => {
  const have = Wire.effectiveOps(caller.scope)
  const extra = [...Wire.effectiveOps(request.scope)].filter((op) => !have.has(op))
  if (extra.length > 0) return `operations ${extra.join(", ")}`
  if (!Wire.isSubset(request.scope.basins, caller.scope.basins)) return "scope.basins"
  if (!Wire.isSubset(request.scope.streams, caller.scope.streams)) return "scope.streams"
  if (!Wire.isSubset(request.scope.accessTokens, caller.scope.accessTokens)) return "scope.access_tokens"
  // An auto-prefixed token sees only its namespace; a child without auto-prefixing would see the real names.
  if (caller.autoPrefixStreams && !request.autoPrefixStreams) return "auto_prefix_streams"
  return undefined
}
