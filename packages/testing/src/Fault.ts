/**
 * Faults the test server can answer with instead of (or on top of) its normal response, scripted per
 * operation with `S2TestServer.faults`.
 *
 * Each fault says whether the request is applied: an `error` or `dropBeforeApply` leaves the server's state
 * untouched (unless `applied` is set), while `dropAfterApply`, `truncatedBody`, `malformedBody` and
 * `wrongContentType` apply the request and then spoil its response, as when a response is lost on the way.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/**
 * The operations faults can be scripted for, by S2's operation names.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "list-access-tokens" | "issue-access-token" | "revoke-access-token"

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = Data.TaggedEnum<{
  /** Answer with this status and S2 error body `{code, message}`. */
  Error: {
    readonly status: number
    readonly code: string
    readonly message: string
    /** Sent as `Retry-After`, in whole seconds (rounded up). */
    readonly retryAfter: Duration.Duration | undefined
    /** Sent as `retry-after-ms`. */
    readonly retryAfterMillis: number | undefined
    /** Apply the request before answering with the error, as a 5xx after a side effect would. */
    readonly applied: boolean
  }
  /** Wait (on the server's `Clock`) before handling the request, then handle it normally or with `then`. */
  Delay: { readonly duration: Duration.Duration; readonly then: Fault | undefined }
  /** Close the connection without answering; the request is not applied. */
  DropBeforeApply: {}
  /** Apply the request, then close the connection without answering: the response is lost. */
  DropAfterApply: {}
  /** Apply the request and answer with only the first `bytes` of the real body (default: half of it). */
  TruncatedBody: { readonly bytes: number | undefined }
  /** Apply the request and answer with the real status but a body that is not JSON. */
  MalformedBody: {}
  /** Apply the request and answer with the real status and body, labelled with another content type. */
  WrongContentType: { readonly contentType: string }
}>

const {
  Delay,
  DropAfterApply,
  DropBeforeApply,
  Error: ErrorFault,
  MalformedBody,
  TruncatedBody,
  WrongContentType
} = Data.taggedEnum<Fault>()

/**
 * An S2 error response, e.g. `Fault.error(503, "unavailable")` or
 * `Fault.error(429, "rate_limited", { retryAfterMillis: 250 })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (
  status: number,
  code: string,
  options: {
    readonly message?: string | undefined
    readonly retryAfter?: Duration.DurationInput | undefined
    readonly retryAfterMillis?: number | undefined
    readonly applied?: boolean | undefined
  } = {}
): Fault =>
  ErrorFault({
    status,
    code,
    message: options.message ?? `injected fault: ${code}`,
    retryAfter: options.retryAfter === undefined ? undefined : Duration.decode(options.retryAfter),
    retryAfterMillis: options.retryAfterMillis,
    applied: options.applied ?? false
  })

/**
 * Delays the response; with `then`, the delayed response is that fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const delay = (duration: Duration.DurationInput, then?: Fault): Fault =>
  Delay({ duration: Duration.decode(duration), then })

/**
 * @since 0.1.0
 * @category constructors
 */
export const dropBeforeApply: Fault = DropBeforeApply()

/**
 * @since 0.1.0
 * @category constructors
 */
export const dropAfterApply: Fault = DropAfterApply()

/**
 * @since 0.1.0
 * @category constructors
 */
export const truncatedBody = (bytes?: number): Fault => TruncatedBody({ bytes })

/**
 * @since 0.1.0
 * @category constructors
 */
export const malformedBody: Fault = MalformedBody()

/**
 * @since 0.1.0
 * @category constructors
 */
export const wrongContentType = (contentType = "text/html; charset=utf-8"): Fault => WrongContentType({ contentType })
