/**
 * The one place where an S2 call becomes an HTTP exchange, and a response becomes a value or a typed error.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { APIError, ErrorResponse, RetryableError, type S2Error } from "../Errors.js"
import { ErrorInfo } from "../Models.js"
import { S2Config, type S2ConfigService } from "../S2Config.js"
import * as S2Retry from "../S2Retry.js"

/**
 * Options every operation takes.
 *
 * @since 0.1.0
 */
export interface RequestOptions {
  /** Retry policy for this call; `S2Retry.none` to make one attempt. */
  readonly retry?: S2Retry.Policy | undefined
  /** Time limit for each attempt of this call. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Extra request headers. They cannot replace `authorization`. */
  readonly headers?: Headers.Input | undefined
}

/** How the result is read from a successful response. */
export type Success<A> =
  | { readonly _tag: "Json"; readonly decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError> }
  | { readonly _tag: "Empty"; readonly value: A }

/** Everything `execute` needs to know about one S2 operation. */
export interface Call<A> {
  /** Span name, e.g. `S2.accessTokens.listAccessTokens`. */
  readonly span: string
  /** Validates the input and builds the request, with a path relative to the endpoint. */
  readonly request: Effect.Effect<HttpClientRequest.HttpClientRequest, ErrorResponse, S2Config>
  /** What a successful response carries: JSON to decode, or nothing (its body is drained and ignored). */
  readonly success: Success<A>
  /**
   * What the request does to S2: `nothing` (a read); a write that is harmless to apply twice (`idempotently`);
   * or a write that must be applied `once` (there is no idempotency key), so by default only failures that
   * certainly had no side effect are retried.
   */
  readonly writes: "nothing" | "idempotently" | "once"
  /** A successful response carries a secret: errors must not quote it. */
  readonly secretResponse: boolean
  /** Span attributes; never secrets. */
  readonly attributes: Record<string, unknown>
}

/** The most a response body may hold; S2's largest page of access tokens is far below it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024

/** How much of a body an error quotes, in characters. */
const QUOTED_BODY_BYTES = 4096

const retryableStatuses = new Set([408, 429, 499, 500, 502, 503, 504])

/** Retryable codes after which S2 guarantees the request was not applied (S2's own classification). */
const noSideEffectCodes = new Set(["rate_limited", "hot_server", "transaction_conflict", "server_draining"])

/** Transport failures where no connection was made, so nothing can have reached S2. */
const neverConnectedCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

const isRetryableServerError = (status: number, code: string) =>
  retryableStatuses.has(status) || (status === 409 && code === "transaction_conflict")

interface Target {
  readonly method: string
  readonly path: string
}

/** Method and path of a request not yet sent, whose url is still relative to the endpoint. */
export const targetBeforeSending = (accountEndpoint: string, request: HttpClientRequest.HttpClientRequest): Target => ({
  method: request.method,
  path: `${new URL(accountEndpoint).pathname}${request.url}`
})

const targetOf = (request: HttpClientRequest.HttpClientRequest): Target => {
  try {
    return { method: request.method, path: new URL(request.url).pathname }
  } catch {
    return { method: request.method, path: request.url }
  }
}

const quote = (text: string): string => (text.length > QUOTED_BODY_BYTES ? text.slice(0, QUOTED_BODY_BYTES) : text)

const requestIdOf = (headers: Headers.Headers): string | undefined =>
  Option.getOrUndefined(
    Option.orElse(Headers.get(headers, "x-request-id"), () => Headers.get(headers, "s2-request-id"))
  )

/** `retry-after-ms` (milliseconds), else `Retry-After` (seconds or an HTTP date). */
const retryAfterMillis = (headers: Headers.Headers): Effect.Effect<number | undefined> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const ms = Option.getOrUndefined(Headers.get(headers, "retry-after-ms"))
    if (ms !== undefined && /^\d+$/.test(ms.trim())) return Number(ms.trim())
    const after = Option.getOrUndefined(Headers.get(headers, "retry-after"))?.trim()
    if (after === undefined || after === "") return undefined
    if (/^\d+$/.test(after)) return Number(after) * 1000
    const date = Date.parse(after)
    return Number.isNaN(date) ? undefined : Math.max(0, date - now)
  })

/** Finds the system error code (`ECONNREFUSED`, ...) somewhere in a transport failure's causes. */
const systemCodeOf = (cause: unknown, depth = 0): string | undefined => {
  if (depth > 6 || typeof cause !== "object" || cause === null) return undefined
  const code = (cause as { code?: unknown }).code
  if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code
  const errors = (cause as { errors?: unknown }).errors
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = systemCodeOf(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return systemCodeOf((cause as { cause?: unknown }).cause, depth + 1)
}

const transportError = (target: Target, error: HttpClientError.HttpClientError): S2Error => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new APIError({ ...target, status: 0, detail: `could not send the request (${error.reason})` })
  }
  const system = systemCodeOf(error.cause)
  const neverConnected = error._tag === "RequestError" && system !== undefined && neverConnectedCodes.has(system)
  const code = system === "ECONNREFUSED" ? "connection_refused" : neverConnected ? "connect_failed" : "connection_error"
  const stage = error._tag === "RequestError" ? "sending the request" : "reading the response"
  return new RetryableError({
    ...target,
    origin: "transport",
    status: error._tag === "ResponseError" ? error.response.status : 0,
    code,
    detail: `connection failed while ${stage}${system === undefined ? "" : ` (${system})`}`,
    mayHaveSideEffects: !neverConnected
  })
}

interface Body {
  readonly text: string
  readonly tooLarge: boolean
}

const decoder = new TextDecoder()

const emptyBody: Body = { text: "", tooLarge: false }

/** Reads a body of a declared length at once, and one of unknown length as a stream, up to `MAX_BODY_BYTES`. */
const readBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const declared = Number(Option.getOrElse(Headers.get(response.headers, "content-length"), () => Number.NaN))
  // 204 and 304 have no body by definition.
  if (declared === 0 || response.status === 204 || response.status === 304) return Effect.succeed(emptyBody)
  return Number.isInteger(declared) && declared > 0 && declared <= MAX_BODY_BYTES
    ? Effect.map(response.arrayBuffer, (buffer) => ({ text: decoder.decode(buffer), tooLarge: false }))
    : readBodyStream(response)
}

/** Reads a body chunk by chunk, stopping past `MAX_BODY_BYTES`, so a runaway response cannot exhaust memory. */
const readBodyStream = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> =>
  Effect.map(
    Stream.runFoldWhile(
      // A response without a body (204) reads as empty.
      Stream.catchAll(response.stream, (error) => (error.reason === "EmptyBody" ? Stream.empty : Stream.fail(error))),
      { chunks: [] as Array<Uint8Array>, size: 0 },
      (acc) => acc.size <= MAX_BODY_BYTES,
      (acc, chunk) => {
        acc.chunks.push(chunk)
        return { chunks: acc.chunks, size: acc.size + chunk.length }
      }
    ),
    ({ chunks, size }) => {
      const bytes = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.length
      }
      return { text: decoder.decode(bytes), tooLarge: size > MAX_BODY_BYTES }
    }
  )

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const decodeErrorInfo = Schema.decodeUnknownOption(ErrorInfo)

/** What every error about a response carries: the request, the status, the request id and the content type. */
const responseFields = (target: Target, response: HttpClientResponse.HttpClientResponse) => {
  const requestId = requestIdOf(response.headers)
  const contentType = Option.getOrUndefined(Headers.get(response.headers, "content-type"))
  return {
    context: { ...target, status: response.status, ...(requestId === undefined ? {} : { requestId }) },
    contentType: contentType === undefined ? {} : { contentType }
  }
}

const failureOf = (
  target: Target,
  response: HttpClientResponse.HttpClientResponse,
  body: Body
): Effect.Effect<never, S2Error> =>
  Effect.flatMap(retryAfterMillis(response.headers), (retryAfter): Effect.Effect<never, S2Error> => {
    const status = response.status
    const { context, contentType } = responseFields(target, response)
    const info = body.tooLarge ? Option.none() : Option.flatMap(parseJson(body.text), decodeErrorInfo)
    const quoted = body.text === "" ? {} : { body: quote(body.text) }

    if (Option.isNone(info)) {
      const detail = body.tooLarge
        ? `error response body larger than ${MAX_BODY_BYTES} bytes`
        : `unexpected response without an S2 error body`
      return Effect.fail(new APIError({ ...context, ...quoted, ...contentType, detail }))
    }
    const { code, message } = info.value
    if (isRetryableServerError(status, code)) {
      return Effect.fail(
        new RetryableError({
          ...context,
          ...quoted,
          origin: "server",
          code,
          detail: message,
          mayHaveSideEffects: !noSideEffectCodes.has(code),
          ...(retryAfter === undefined ? {} : { retryAfterMillis: retryAfter })
        })
      )
    }
    if ((status >= 400 && status < 500) || status === 501) {
      return Effect.fail(new ErrorResponse({ ...context, ...quoted, origin: "server", code, detail: message }))
    }
    return Effect.fail(
      new APIError({ ...context, ...quoted, ...contentType, code, detail: `unexpected status: ${message}` })
    )
  })

const successOf = <A>(
  call: Call<A>,
  decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError>,
  target: Target,
  response: HttpClientResponse.HttpClientResponse,
  body: Body
): Effect.Effect<A, APIError> => {
  const { context, contentType } = responseFields(target, response)
  const undecodable = (detail: string) =>
    new APIError({
      ...context,
      ...contentType,
      detail,
      // A body that may hold a secret is never quoted.
      ...(call.secretResponse || body.text === "" ? {} : { body: quote(body.text) })
    })
  if (body.tooLarge) return Effect.fail(undecodable(`response body larger than ${MAX_BODY_BYTES} bytes`))
  const json = parseJson(body.text)
  if (Option.isNone(json)) return Effect.fail(undecodable("response body is not JSON"))
  return Effect.mapError(decode(json.value), (error) =>
    undecodable(
      call.secretResponse
        ? "response body does not have the expected shape"
        : `response body does not have the expected shape: ${describeParseError(error)}`
    )
  )
}

/** A per-call timeout must be a positive duration; anything else is refused before sending. */
const timeoutOption = (
  config: S2ConfigService,
  request: HttpClientRequest.HttpClientRequest,
  input: Duration.DurationInput
): Effect.Effect<Duration.Duration, ErrorResponse> =>
  Option.match(Option.filter(Duration.decodeUnknown(input), Duration.greaterThan(Duration.zero)), {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.fail(
        new ErrorResponse({
          ...targetBeforeSending(config.accountEndpoint, request),
          origin: "client",
          status: 0,
          code: "invalid_argument",
          detail: "must be a positive duration",
          field: "timeout"
        })
      )
  })

/** The final error of a write that was retried after an attempt whose outcome was unknown. */
const afterUnknownOutcome = (error: S2Error): S2Error => {
  switch (error._tag) {
    case "RetryableError":
      return error.mayHaveSideEffects ? error : new RetryableError({ ...error, mayHaveSideEffects: true })
    case "ErrorResponse":
      return new ErrorResponse({ ...error, earlierAttemptMayHaveSucceeded: true })
    case "APIError":
      return new APIError({ ...error, earlierAttemptMayHaveSucceeded: true })
  }
}

/** Describes a ParseError; a value too deeply nested to print must not turn a typed error into a crash. */
const describeParseError = (error: ParseResult.ParseError): string => {
  try {
    return ParseResult.TreeFormatter.formatErrorSync(error)
  } catch {
    return "the value is too deeply nested to describe"
  }
}

/**
 * Runs one S2 call inside a span named after the operation: validates its input, then sends it with the
 * configured timeout per attempt and retry policy, and turns the response into its value or a typed error.
 */
export const execute = <A>(call: Call<A>, options: RequestOptions = {}): Effect.Effect<A, S2Error, S2Config> =>
  Effect.gen(function* () {
    const config = yield* S2Config
    const built = yield* call.request
    const timeout =
      options.timeout === undefined ? config.timeout : yield* timeoutOption(config, built, options.timeout)
    const policy = options.retry ?? (call.writes === "once" ? S2Retry.noSideEffects(config.retry) : config.retry)
    const request =
      options.headers === undefined ? built : HttpClientRequest.setHeaders(built, Headers.fromInput(options.headers))

    let attempts = 0
    let outcomeUnknown = false

    const attempt = Effect.suspend(() => {
      attempts++
      return config.accountClient.execute(request)
    }).pipe(
      Effect.flatMap((response) => {
        const target = targetOf(response.request)
        return Effect.flatMap(readBody(response), (body): Effect.Effect<A, S2Error> => {
          if (response.status >= 200 && response.status < 300) {
            return call.success._tag === "Json"
              ? successOf(call, call.success.decode, target, response, body)
              : Effect.succeed(call.success.value)
          }
          return failureOf(target, response, body)
        }).pipe(
          Effect.tap(() => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
          Effect.tapError(() => Effect.annotateCurrentSpan("http.response.status_code", response.status))
        )
      }),
      Effect.catchTags({
        RequestError: (error) => Effect.fail(transportError(targetOf(error.request), error)),
        ResponseError: (error) => Effect.fail(transportError(targetOf(error.request), error))
      }),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new RetryableError({
            ...targetBeforeSending(config.accountEndpoint, request),
            origin: "transport",
            status: 0,
            code: "timeout",
            detail: `no complete response within ${Duration.format(timeout)}`,
            mayHaveSideEffects: true
          })
      }),
      Effect.tapError((error) => {
        if (error._tag === "RetryableError" && error.mayHaveSideEffects) outcomeUnknown = true
        return Effect.logDebug("S2 request attempt failed").pipe(
          Effect.annotateLogs({
            "s2.operation": call.span,
            "s2.attempt": attempts,
            "s2.error": error._tag,
            "s2.code": "code" in error ? error.code : undefined,
            "http.response.status_code": error.status
          })
        )
      })
    )

    return yield* attempt.pipe(
      Effect.retry(policy),
      // The last attempt's error alone would hide that an earlier one may have been applied.
      Effect.mapError((error) => (outcomeUnknown && call.writes !== "nothing" ? afterUnknownOutcome(error) : error)),
      Effect.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("s2.attempts", attempts)))
    )
  }).pipe(
    Effect.withSpan(call.span, {
      kind: "client",
      // The span says where the call came from by its name; a stack trace per request costs more than it tells.
      captureStackTrace: false,
      // Options the caller left out are not attributes at all.
      attributes: Object.fromEntries(Object.entries(call.attributes).filter(([, value]) => value !== undefined))
    })
  )

const firstIssue = (error: ParseResult.ParseError): ParseResult.ArrayFormatterIssue | undefined => {
  try {
    return ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  } catch {
    return undefined
  }
}

/**
 * Validates an operation's input against its Schema and encodes it for the wire. A broken rule is an
 * `ErrorResponse` with `origin: "client"` that names the field, and nothing is sent.
 */
export const encodeInput = <A, I>(
  schema: Schema.Schema<A, I>,
  input: A,
  method: HttpClientRequest.HttpClientRequest["method"],
  path: string
): Effect.Effect<I, ErrorResponse, S2Config> =>
  Effect.catchTag(Schema.encode(schema)(input), "ParseError", (error) =>
    Effect.flatMap(S2Config, (config) => {
      const issue = firstIssue(error)
      const field = issue?.path.map(String).join(".") ?? ""
      return Effect.fail(
        new ErrorResponse({
          ...targetBeforeSending(config.accountEndpoint, HttpClientRequest.make(method)(path)),
          origin: "client",
          status: 0,
          code: "invalid_argument",
          detail: issue?.message ?? describeParseError(error),
          ...(field === "" ? {} : { field })
        })
      )
    })
  )
