/**
 * S2's data types as Schemas: camelCase in TypeScript, snake_case on the wire.
 *
 * Decoding follows one rule: strict where S2's contract is fixed, tolerant where the service evolves.
 * - Fields this version does not know are ignored.
 * - An operation name this version does not know is kept as an `UnknownOperation` (a branded string)
 *   instead of failing the whole response, so that a list never breaks when S2 adds an operation.
 * - `auto_prefix_streams` missing from a listed token means `false`, as S2 defines it.
 * - Everything else (ids, resource sets, booleans, RFC 3339 times) must be what the API defines.
 *
 * Encoding validates before anything is sent: a request that breaks one of S2's rules never leaves
 * the process.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { accessTokenIdProblem, hasFourDigitYear, idPrefixProblem, parseRfc3339 } from "./internal/rules.js"

/**
 * An access token's id: 1 to 96 UTF-8 bytes, not `.` or `..`, no NUL.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const AccessTokenId = Schema.String.pipe(Schema.filter((s) => accessTokenIdProblem(s) ?? true)).annotations({
  identifier: "AccessTokenId"
})

const IdPrefix = Schema.String.pipe(Schema.filter((s) => idPrefixProblem(s) ?? true))

const FourDigitYearDate = Schema.ValidDateFromSelf.pipe(
  Schema.filter((date) => hasFourDigitYear(date) || "must be in the years 0000 to 9999")
)

/**
 * A point in time: a `Date` in TypeScript, an RFC 3339 string on the wire.
 *
 * @since 0.1.0
 * @category common
 */
export const Rfc3339Date = Schema.transformOrFail(Schema.String, FourDigitYearDate, {
  strict: true,
  decode: (s, _, ast) => {
    const date = parseRfc3339(s)
    return date === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, "must be an RFC 3339 date-time"))
      : ParseResult.succeed(date)
  },
  encode: (date) => ParseResult.succeed(date.toISOString())
}).annotations({ identifier: "Rfc3339Date" })

/**
 * S2's error body.
 *
 * @since 0.1.0
 * @category common
 */
export const ErrorInfo = Schema.Struct({
  code: Schema.String,
  message: Schema.String
}).annotations({ identifier: "ErrorInfo" })

/**
 * @since 0.1.0
 * @category common
 */
export type ErrorInfo = typeof ErrorInfo.Type

/**
 * A set of resources by name: one `exact` name (the empty string matches none), or every name that
 * starts with a `prefix` (the empty string matches all).
 *
 * @since 0.1.0
 * @category access tokens
 */
export const ResourceSet = Schema.Union(
  Schema.Struct({ exact: Schema.String }),
  Schema.Struct({ prefix: Schema.String })
).annotations({ identifier: "ResourceSet" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type ResourceSet = typeof ResourceSet.Type

/**
 * @since 0.1.0
 * @category access tokens
 */
export const ReadWritePermissions = Schema.Struct({
  read: Schema.optional(Schema.Boolean),
  write: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "ReadWritePermissions" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type ReadWritePermissions = typeof ReadWritePermissions.Type

/**
 * Read and write permissions by level; a group also covers operations that S2 adds to it later.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const PermittedOperationGroups = Schema.Struct({
  account: Schema.optional(Schema.NullOr(ReadWritePermissions)),
  basin: Schema.optional(Schema.NullOr(ReadWritePermissions)),
  stream: Schema.optional(Schema.NullOr(ReadWritePermissions))
}).annotations({ identifier: "PermittedOperationGroups" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type PermittedOperationGroups = typeof PermittedOperationGroups.Type

/**
 * Every operation an access token can be allowed, by S2's names.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const Operation = Schema.Literal(
  "list-basins",
  "create-basin",
  "delete-basin",
  "reconfigure-basin",
  "get-basin-config",
  "issue-access-token",
  "revoke-access-token",
  "list-access-tokens",
  "list-streams",
  "create-stream",
  "delete-stream",
  "get-stream-config",
  "reconfigure-stream",
  "check-tail",
  "append",
  "read",
  "trim",
  "fence",
  "account-metrics",
  "basin-metrics",
  "stream-metrics",
  "list-locations",
  "get-default-location",
  "set-default-location"
).annotations({ identifier: "Operation" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type Operation = typeof Operation.Type

/**
 * An operation name S2 sent that this version of the client does not know yet. It is kept, not
 * dropped, so that a listed scope can be issued again unchanged.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const UnknownOperation = Schema.String.pipe(Schema.brand("UnknownOperation"))

/**
 * @since 0.1.0
 * @category access tokens
 */
export type UnknownOperation = typeof UnknownOperation.Type

/**
 * What an access token may do: resource sets for basins, streams and access tokens (absent or `null`
 * matches nothing), plus the union of `opGroups` and `ops`.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const AccessTokenScope = Schema.Struct({
  basins: Schema.optional(Schema.NullOr(ResourceSet)),
  streams: Schema.optional(Schema.NullOr(ResourceSet)),
  accessTokens: Schema.optional(Schema.NullOr(ResourceSet)).pipe(Schema.fromKey("access_tokens")),
  opGroups: Schema.optional(Schema.NullOr(PermittedOperationGroups)).pipe(Schema.fromKey("op_groups")),
  ops: Schema.optional(Schema.NullOr(Schema.Array(Schema.Union(Operation, UnknownOperation))))
}).annotations({ identifier: "AccessTokenScope" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type AccessTokenScope = typeof AccessTokenScope.Type

/**
 * An access token as S2 lists it. Its secret is never part of it.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const AccessTokenInfo = Schema.Struct({
  id: AccessTokenId,
  scope: AccessTokenScope,
  /** Stream names are prefixed with the token's stream prefix, and the prefix is stripped when listing. */
  autoPrefixStreams: Schema.optionalWith(Schema.Boolean, { default: () => false }).pipe(
    Schema.fromKey("auto_prefix_streams")
  ),
  /** When the token expires; `null` or absent: it does not expire. */
  expiresAt: Schema.optional(Schema.NullOr(Rfc3339Date)).pipe(Schema.fromKey("expires_at"))
}).annotations({ identifier: "AccessTokenInfo" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type AccessTokenInfo = typeof AccessTokenInfo.Type

const streamsScopeIsPrefix = (request: {
  readonly autoPrefixStreams?: boolean | undefined
  readonly scope: AccessTokenScope
}) =>
  request.autoPrefixStreams !== true ||
  (request.scope.streams != null && "prefix" in request.scope.streams) || {
    path: ["autoPrefixStreams"],
    message: "needs a prefix streams scope (scope.streams = { prefix })"
  }

/**
 * The request to issue a token. An `AccessTokenInfo` is one too.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const IssueAccessTokenRequest = Schema.Struct({
  id: AccessTokenId,
  scope: AccessTokenScope,
  /** Defaults to `false`. Needs a prefix streams scope. */
  autoPrefixStreams: Schema.optional(Schema.Boolean).pipe(Schema.fromKey("auto_prefix_streams")),
  /** Defaults to, and may not exceed, the expiry of the token that issues it. */
  expiresAt: Schema.optional(Schema.NullOr(Rfc3339Date)).pipe(Schema.fromKey("expires_at"))
})
  .pipe(Schema.filter(streamsScopeIsPrefix))
  .annotations({ identifier: "IssueAccessTokenRequest" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type IssueAccessTokenRequest = typeof IssueAccessTokenRequest.Type

/**
 * The issued token's secret. S2 returns it once and never again; it stays `Redacted`.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const IssueAccessTokenResponse = Schema.Struct({
  accessToken: Schema.Redacted(Schema.String).pipe(Schema.propertySignature, Schema.fromKey("access_token"))
}).annotations({ identifier: "IssueAccessTokenResponse" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type IssueAccessTokenResponse = typeof IssueAccessTokenResponse.Type

/**
 * One page of a listing: ids in lexicographic byte order.
 *
 * @since 0.1.0
 * @category access tokens
 */
export const ListAccessTokensRequest = Schema.Struct({
  /** Only ids that start with this. */
  prefix: Schema.optional(IdPrefix),
  /** Only ids that sort after this one. */
  startAfter: Schema.optional(IdPrefix).pipe(Schema.fromKey("start_after")),
  /** At most this many tokens, up to 1000; S2 reads 0 as 1000. */
  limit: Schema.optional(
    Schema.Number.pipe(
      Schema.filter((n) => (Number.isInteger(n) && n >= 0 && n <= 1000) || "must be a whole number from 0 to 1000")
    )
  )
}).annotations({ identifier: "ListAccessTokensRequest" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type ListAccessTokensRequest = typeof ListAccessTokensRequest.Type

/**
 * @since 0.1.0
 * @category access tokens
 */
export const ListAccessTokensResponse = Schema.Struct({
  accessTokens: Schema.Array(AccessTokenInfo).pipe(Schema.propertySignature, Schema.fromKey("access_tokens")),
  hasMore: Schema.Boolean.pipe(Schema.propertySignature, Schema.fromKey("has_more"))
}).annotations({ identifier: "ListAccessTokensResponse" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type ListAccessTokensResponse = typeof ListAccessTokensResponse.Type

/**
 * @since 0.1.0
 * @category access tokens
 */
export const RevokeAccessTokenRequest = Schema.Struct({
  id: AccessTokenId
}).annotations({ identifier: "RevokeAccessTokenRequest" })

/**
 * @since 0.1.0
 * @category access tokens
 */
export type RevokeAccessTokenRequest = typeof RevokeAccessTokenRequest.Type
