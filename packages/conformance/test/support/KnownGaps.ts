/**
 * THE reviewed list of known differences between the published spec (s2-specs f7c8dd3, 2026-05-14) and what
 * the S2 service, our test server and our client do. Nothing is tolerated anywhere else: a violation or
 * schema difference that no entry here explains fails its test. Every entry is also checked to still hold
 * (known-gaps.test.ts and the tests that use it), so an entry goes stale loudly when the spec catches up.
 *
 * Sources: ../../../shared/s2-api/NOTES.md section a (the spec copy in spec/ is byte-identical).
 */
import { Operation } from "@effect-s2/client/Models"
import * as Schema from "effect/Schema"
import type { Exchange, Violation } from "./Wire.js"

export type OperationId = "list_access_tokens" | "issue_access_token" | "revoke_access_token"

export const OPERATION_IDS: ReadonlyArray<OperationId> = [
  "list_access_tokens",
  "issue_access_token",
  "revoke_access_token"
]

export type KnownGap =
  /** The service answers this status (with an `ErrorInfo` body), but the spec does not list it. */
  | {
      readonly _tag: "UndocumentedStatus"
      readonly operations: ReadonlyArray<OperationId>
      readonly status: number
      /** The `ErrorInfo.code` the service sends with it. */
      readonly code: string
      readonly reason: string
    }
  /** An operation name the service accepts (and lists) that the spec's `Operation` enum lacks. */
  | { readonly _tag: "NewerOperationName"; readonly name: string; readonly reason: string }
  /** The client sends names it does not know unchanged (`UnknownOperation`); the spec's enum rejects them. */
  | { readonly _tag: "UnknownOperationPassThrough"; readonly reason: string }
  /**
   * A difference between the JSON Schema of our models (encoded, wire side) and the spec's component, at
   * `field` (a path such as `AccessTokenScope.ops[]`; it also matches where the component is nested).
   */
  | {
      readonly _tag: "SchemaDrift"
      readonly field: string
      readonly ours: string
      readonly spec: string
      readonly reason: string
    }
  /** A field the newer service always sends that the published spec marks optional. */
  | { readonly _tag: "NewerRequiredField"; readonly schema: string; readonly field: string; readonly reason: string }

const ALL = OPERATION_IDS

export const NEWER_OPERATION_NAMES = ["list-locations", "get-default-location", "set-default-location"] as const

export const KNOWN_GAPS: ReadonlyArray<KnownGap> = [
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 401,
    code: "authn",
    reason: "missing, invalid or expired token (s2.dev error-codes table); the spec lists 403 only"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ["revoke_access_token"],
    status: 404,
    code: "access_token_not_found",
    reason: "revoking an unknown or already revoked id (official TS SDK e2e tests against the service)"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ["issue_access_token"],
    status: 422,
    code: "invalid",
    reason: "semantic validation, e.g. auto_prefix_streams with an exact streams scope or a past expires_at"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 429,
    code: "rate_limited",
    reason: "rate limiting applies to every request (error-codes table)"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 500,
    code: "other",
    reason: "internal error (error-codes table: other, storage)"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 502,
    code: "hot_server",
    reason: "overloaded server (error-codes table)"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 503,
    code: "unavailable",
    reason: "temporarily unavailable or draining (error-codes table; server_draining in the server source)"
  },
  {
    _tag: "UndocumentedStatus",
    operations: ALL,
    status: 504,
    code: "upstream_timeout",
    reason: "upstream timeout (error-codes table)"
  },
  ...NEWER_OPERATION_NAMES.map(
    (name): KnownGap => ({
      _tag: "NewerOperationName",
      name,
      reason: "added with /locations after the published spec (s2 PR #485; @s2-dev/streamstore 0.27.0 types)"
    })
  ),
  {
    _tag: "UnknownOperationPassThrough",
    reason:
      "deliberate: a listed scope with names this client does not know yet can be issued again unchanged " +
      "(Models.ts UnknownOperation); the service, not the client, decides whether they are valid"
  },
  {
    _tag: "NewerRequiredField",
    schema: "AccessTokenInfo",
    field: "auto_prefix_streams",
    reason:
      "the newer spec (s2 PR #574) makes it required in listed tokens; the published one has it optional; " +
      "our decoder accepts both (absent = false)"
  },
  {
    _tag: "SchemaDrift",
    field: "Operation",
    ours: "+ list-locations, get-default-location, set-default-location",
    spec: "21 names",
    reason: "the three newer operation names (see NewerOperationName)"
  },
  {
    _tag: "SchemaDrift",
    field: "ops[]",
    ours: "Operation or any string",
    spec: "Operation",
    reason: "UnknownOperation: unknown names are kept on decode and re-sent on encode (see above)"
  },
  {
    _tag: "SchemaDrift",
    field: "id",
    ours: "string",
    spec: "string, 1 to 96 characters",
    reason:
      "AccessTokenId checks 1 to 96 UTF-8 bytes (S2's rule, stricter than 96 characters), not . or .., no NUL, " +
      "as Schema filters that have no JSON Schema form"
  },
  {
    _tag: "SchemaDrift",
    field: "expires_at",
    ours: "string or null",
    spec: "string (date-time) or null",
    reason: "Rfc3339Date is a transformation; its RFC 3339 check runs in code and has no JSON Schema form"
  },
  {
    _tag: "SchemaDrift",
    field: "ListAccessTokensResponse.access_tokens",
    ours: "array",
    spec: "array, at most 1000 items",
    reason: "the decoder does not cap a page: a longer page from the service would still be read"
  }
]

export const undocumentedStatuses = KNOWN_GAPS.filter(
  (gap): gap is Extract<KnownGap, { _tag: "UndocumentedStatus" }> => gap._tag === "UndocumentedStatus"
)

export const schemaDrifts = KNOWN_GAPS.filter(
  (gap): gap is Extract<KnownGap, { _tag: "SchemaDrift" }> => gap._tag === "SchemaDrift"
)

export const operationIdOf = (method: string, target: string): OperationId | undefined => {
  const path = target.split("?")[0] ?? ""
  if (path === "/v1/access-tokens") {
    return method === "GET" ? "list_access_tokens" : method === "POST" ? "issue_access_token" : undefined
  }
  return path.startsWith("/v1/access-tokens/") && method === "DELETE" ? "revoke_access_token" : undefined
}

const isOperation = Schema.is(Operation)

const STATUS_NOT_IN_SPEC = "Unable to match the returned status code"

/**
 * The entry that explains `violation` of `exchange`, if any. `sentOps` is the `scope.ops` the request
 * body carried, when it was an issue request: Prism names the index of a rejected name, not the name.
 */
export const explain = (
  exchange: Exchange,
  violation: Violation,
  sentOps?: ReadonlyArray<string> | null
): KnownGap | undefined => {
  const operation = operationIdOf(exchange.method, exchange.target)
  const [side, part, ...rest] = violation.location
  if (side === "response" && part === undefined && violation.message.startsWith(STATUS_NOT_IN_SPEC)) {
    return undocumentedStatuses.find(
      (gap) => operation !== undefined && gap.operations.includes(operation) && gap.status === exchange.status
    )
  }
  if (
    side === "request" &&
    part === "body" &&
    operation === "issue_access_token" &&
    violation.code === "enum" &&
    rest.length === 3 &&
    rest[0] === "scope" &&
    rest[1] === "ops"
  ) {
    const name = sentOps?.[Number(rest[2])]
    if (name === undefined) return undefined
    const newer = KNOWN_GAPS.find((gap) => gap._tag === "NewerOperationName" && gap.name === name)
    if (newer !== undefined) return newer
    // A name of our own Operation list that the spec rejects is not a pass-through: it needs its own entry.
    return isOperation(name) ? undefined : KNOWN_GAPS.find((gap) => gap._tag === "UnknownOperationPassThrough")
  }
  return undefined
}

/** The violations no reviewed entry explains. */
export const unexplained = (exchange: Exchange, sentOps?: ReadonlyArray<string> | null): ReadonlyArray<Violation> =>
  exchange.violations.filter((v) => explain(exchange, v, sentOps) === undefined)
