/**
 * The three ways an S2 operation can fail.
 *
 * - `ErrorResponse`: S2 refused the request and trying again will not help until something changes
 *   (bad input, authentication, permissions, a missing or duplicate resource). Input that this client can
 *   tell is bad is refused the same way before any request is sent, with `origin: "client"`.
 * - `RetryableError`: a transient failure: a retryable S2 error code, or the connection failed or timed
 *   out. `mayHaveSideEffects` says whether the request may have been applied.
 * - `APIError`: anything else: a status S2 does not document, an error body that is not S2's
 *   `{code, message}`, or a successful response whose body does not decode.
 *
 * None of them ever holds the access token or an issued token's secret.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const RequestFields = {
  /** HTTP method of the request, e.g. `POST`. */
  method: Schema.String,
  /** Path of the request on the endpoint, without the query, e.g. `/v1/access-tokens`. */
  path: Schema.String,
  /** The request id the service sent back, when it sent one. */
  requestId: Schema.optional(Schema.String)
}

const where = (self: { readonly status: number; readonly method: string; readonly path: string }) =>
  `${self.status === 0 ? "no response" : `HTTP ${self.status}`}, ${self.method} ${self.path}`

const EARLIER_ATTEMPT = ". An earlier attempt, whose outcome was unknown, may have succeeded"

const withRequestId = (text: string, requestId: string | undefined) =>
  requestId === undefined ? text : `${text}, request id ${requestId}`

/**
 * S2 refused the request; retrying it unchanged will not help.
 *
 * @since 0.1.0
 * @category errors
 */
export class ErrorResponse extends Schema.TaggedError<ErrorResponse>("@effect-s2/client/ErrorResponse")(
  "ErrorResponse",
  {
    /** `server` when S2 answered; `client` when this client refused the input before sending anything. */
    origin: Schema.Literal("server", "client"),
    /** HTTP status of the response, `0` when no request was sent. */
    status: Schema.Number,
    /** S2's error code, e.g. `permission_denied`; `invalid_argument` for input refused by this client. */
    code: Schema.String,
    /** S2's own `message`, or for input refused by this client, the rule it broke. */
    detail: Schema.String,
    /** For input refused by this client: the field that broke a rule, e.g. `id` or `scope.streams`. */
    field: Schema.optional(Schema.String),
    /**
     * Set when a write was retried after an attempt whose outcome was unknown: that attempt may have been
     * applied. For example a retried issue that finds its id taken: the earlier attempt may have issued the
     * token, whose secret is then lost.
     */
    earlierAttemptMayHaveSucceeded: Schema.optional(Schema.Boolean),
    /** The raw response body, when there was one. */
    body: Schema.optional(Schema.String),
    ...RequestFields
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    const subject = this.field === undefined ? "" : `${this.field}: `
    const head = `${subject}${this.detail} (${this.code}; ${where(this)}`
    const text = `${withRequestId(head, this.requestId)})`
    return this.earlierAttemptMayHaveSucceeded === true ? `${text}${EARLIER_ATTEMPT}` : text
  }
}

/**
 * A transient failure that may succeed if tried again.
 *
 * @since 0.1.0
 * @category errors
 */
export class RetryableError extends Schema.TaggedError<RetryableError>("@effect-s2/client/RetryableError")(
  "RetryableError",
  {
    /** `server` when S2 answered with a retryable error; `transport` when the connection failed or timed out. */
    origin: Schema.Literal("server", "transport"),
    /** HTTP status of the response, `0` when there was none. */
    status: Schema.Number,
    /**
     * S2's error code, e.g. `rate_limited`; for transport failures one of `connection_refused`,
     * `connection_error` or `timeout`.
     */
    code: Schema.String,
    /** S2's own `message`, or a description of the transport failure. */
    detail: Schema.String,
    /** Whether the request may have been applied before it failed. */
    mayHaveSideEffects: Schema.Boolean,
    /** How long the service asked us to wait (`retry-after-ms` or `Retry-After`), in milliseconds. */
    retryAfterMillis: Schema.optional(Schema.Number),
    /** The raw response body, when there was one. */
    body: Schema.optional(Schema.String),
    ...RequestFields
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${withRequestId(`${this.detail} (${this.code}; ${where(this)}`, this.requestId)})`
  }
}

/**
 * A response this client cannot make sense of.
 *
 * @since 0.1.0
 * @category errors
 */
export class APIError extends Schema.TaggedError<APIError>("@effect-s2/client/APIError")("APIError", {
  /** HTTP status of the response, `0` when there was none. */
  status: Schema.Number,
  /** S2's error code, when the body carried one. */
  code: Schema.optional(Schema.String),
  /** What was wrong with the response. */
  detail: Schema.String,
  /** The `content-type` of the response, when it had one. */
  contentType: Schema.optional(Schema.String),
  /** The raw response body (at most its first 4096 characters), when there was one. */
  body: Schema.optional(Schema.String),
  /** Set when a write was retried after an attempt whose outcome was unknown: that attempt may have been applied. */
  earlierAttemptMayHaveSucceeded: Schema.optional(Schema.Boolean),
  ...RequestFields
}) {
  /** @since 0.1.0 */
  override get message(): string {
    const code = this.code === undefined ? "" : `${this.code}; `
    const text = `${withRequestId(`${this.detail} (${code}${where(this)}`, this.requestId)})`
    return this.earlierAttemptMayHaveSucceeded === true ? `${text}${EARLIER_ATTEMPT}` : text
  }
}

/**
 * Every error an S2 operation can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type S2Error = ErrorResponse | RetryableError | APIError

/**
 * @since 0.1.0
 * @category guards
 */
export const isS2Error = (u: unknown): u is S2Error =>
  u instanceof ErrorResponse || u instanceof RetryableError || u instanceof APIError

/**
 * True for the failures that retrying can fix.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (u: unknown): u is RetryableError => Predicate.isTagged(u, "RetryableError")
