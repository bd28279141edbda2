/**
 * List, issue and revoke S2 access tokens.
 *
 * Every operation validates its input before anything is sent, runs in a span named after it
 * (`S2.accessTokens.<operation>`), and fails only with `ErrorResponse`, `RetryableError` or `APIError`.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { APIError, type S2Error } from "./Errors.js"
import * as FastDecode from "./internal/fastDecode.js"
import { encodeInput, execute, type RequestOptions, targetBeforeSending } from "./internal/request.js"
import {
  type AccessTokenInfo,
  IssueAccessTokenRequest,
  IssueAccessTokenResponse,
  ListAccessTokensRequest,
  ListAccessTokensResponse,
  RevokeAccessTokenRequest
} from "./Models.js"
import { S2Config } from "./S2Config.js"

export type {
  /** @since 0.1.0 */
  RequestOptions
} from "./internal/request.js"

const PATH = "/access-tokens"

const decodeListWithSchema = Schema.decodeUnknown(ListAccessTokensResponse)

// Pages of up to 1000 tokens are decoded by hand where possible; the Schema decides the rest.
const decodeList = (json: unknown) => {
  const page = FastDecode.listAccessTokensResponse(json)
  return page === undefined ? decodeListWithSchema(json) : Effect.succeed(page)
}
const decodeIssued = Schema.decodeUnknown(IssueAccessTokenResponse)

/**
 * Lists one page of access tokens, in lexicographic order of id. Their secrets are never listed.
 *
 * @since 0.1.0
 * @category operations
 */
export const listAccessTokens = (
  request: ListAccessTokensRequest = {},
  options?: RequestOptions
): Effect.Effect<ListAccessTokensResponse, S2Error, S2Config> =>
  execute(
    {
      span: "S2.accessTokens.listAccessTokens",
      attributes: {
        "s2.prefix": request.prefix,
        "s2.start_after": request.startAfter,
        "s2.limit": request.limit
      },
      request: Effect.map(encodeInput(ListAccessTokensRequest, request, "GET", PATH), (query) =>
        HttpClientRequest.get(PATH, { urlParams: query })
      ),
      success: { _tag: "Json", decode: decodeList },
      writes: "nothing",
      secretResponse: false
    },
    options
  )

/**
 * Issues a new access token and returns its secret, which S2 shows only this once.
 *
 * Issuing is not idempotent: by default it is retried only after failures that certainly had no side
 * effect. With a wider `options.retry`, a retry that finds the id taken after an attempt whose outcome was
 * unknown fails with `earlierAttemptMayHaveSucceeded` set, since that attempt may have issued the token.
 *
 * @since 0.1.0
 * @category operations
 */
export const issueAccessToken = (
  request: IssueAccessTokenRequest,
  options?: RequestOptions
): Effect.Effect<IssueAccessTokenResponse, S2Error, S2Config> =>
  execute(
    {
      span: "S2.accessTokens.issueAccessToken",
      attributes: { "s2.access_token.id": request.id },
      request: Effect.map(encodeInput(IssueAccessTokenRequest, request, "POST", PATH), (body) =>
        HttpClientRequest.post(PATH).pipe(HttpClientRequest.bodyUnsafeJson(body))
      ),
      success: { _tag: "Json", decode: decodeIssued },
      writes: "once",
      secretResponse: true
    },
    options
  ).pipe(
    Effect.mapError((error) =>
      // The token exists but its secret is lost: say so, since S2 will never show it again.
      error._tag === "APIError" && error.status >= 200 && error.status < 300
        ? new APIError({
            ...error,
            detail: `${error.detail}; the token was issued but its secret could not be read: revoke it`
          })
        : error
    )
  )

/**
 * Revokes an access token. Revoking an unknown or already revoked id fails with an `ErrorResponse`
 * (404 `access_token_not_found`).
 *
 * @since 0.1.0
 * @category operations
 */
export const revokeAccessToken = (
  request: RevokeAccessTokenRequest,
  options?: RequestOptions
): Effect.Effect<void, S2Error, S2Config> =>
  execute(
    {
      span: "S2.accessTokens.revokeAccessToken",
      attributes: { "s2.access_token.id": request.id },
      request: Effect.map(encodeInput(RevokeAccessTokenRequest, request, "DELETE", PATH), ({ id }) =>
        HttpClientRequest.del(`${PATH}/${encodeURIComponent(id)}`)
      ),
      success: { _tag: "Empty", value: undefined },
      writes: "idempotently",
      secretResponse: false
    },
    options
  )

/**
 * Every access token that matches, page after page (`start_after` = the last id while `has_more`).
 * Pages are fetched as they are consumed, so memory does not grow with the number of tokens.
 * `limit` sets the page size.
 *
 * @since 0.1.0
 * @category operations
 */
export const listAllAccessTokens = (
  request: ListAccessTokensRequest = {},
  options?: RequestOptions
): Stream.Stream<AccessTokenInfo, S2Error, S2Config> =>
  Stream.paginateChunkEffect(request.startAfter, (startAfter) =>
    Effect.flatMap(
      listAccessTokens(startAfter === undefined ? request : { ...request, startAfter }, options),
      ({ accessTokens, hasMore }) => {
        const last = accessTokens.at(-1)
        if (!hasMore) return Effect.succeed([Chunk.unsafeFromArray(accessTokens), Option.none()] as const)
        if (last === undefined) {
          return Effect.flatMap(S2Config, (config) =>
            Effect.fail(
              new APIError({
                ...targetBeforeSending(config.accountEndpoint, HttpClientRequest.get(PATH)),
                status: 200,
                detail: "the service said it has more access tokens but sent an empty page"
              })
            )
          )
        }
        return Effect.succeed([Chunk.unsafeFromArray(accessTokens), Option.some(last.id)] as const)
      }
    )
  )
