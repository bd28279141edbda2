/**
 * `S2`, the Promise client with its operations as methods: `s2.accessTokens.listAccessTokens(...)`.
 *
 * @since 0.1.0
 */
import { S2Core } from "./core.js"
import { accessTokensIssueAccessToken } from "./funcs/accessTokensIssueAccessToken.js"
import { accessTokensListAccessTokens } from "./funcs/accessTokensListAccessTokens.js"
import { accessTokensListAllAccessTokens } from "./funcs/accessTokensListAllAccessTokens.js"
import { accessTokensRevokeAccessToken } from "./funcs/accessTokensRevokeAccessToken.js"
import type {
  AccessTokenInfo,
  IssueAccessTokenRequest,
  IssueAccessTokenResponse,
  ListAccessTokensRequest,
  ListAccessTokensResponse,
  RevokeAccessTokenRequest
} from "./models.js"
import type { RequestOptions, Result } from "./types.js"

const unwrap = async <T, E>(result: Promise<Result<T, E>>): Promise<T> => {
  const settled = await result
  if (!settled.ok) throw settled.error
  return settled.value
}

/**
 * Manage access tokens. Each method rejects with the `ErrorResponse`, `RetryableError` or `APIError` the call
 * failed with, or with the signal's reason when `options.fetchOptions.signal` aborts.
 *
 * @since 0.1.0
 * @category access tokens
 */
export class AccessTokens {
  readonly #client: S2Core

  constructor(client: S2Core) {
    this.#client = client
  }

  /**
   * Lists one page of access tokens, in lexicographic order of id. Their secrets are never listed.
   *
   * @since 0.1.0
   */
  listAccessTokens(request: ListAccessTokensRequest = {}, options?: RequestOptions): Promise<ListAccessTokensResponse> {
    return unwrap(accessTokensListAccessTokens(this.#client, request, options))
  }

  /**
   * Issues a new access token and resolves to its secret, which S2 shows only this once. Unless
   * `options.retries` is given, it is retried only after failures that certainly had no side effect.
   *
   * @since 0.1.0
   */
  issueAccessToken(request: IssueAccessTokenRequest, options?: RequestOptions): Promise<IssueAccessTokenResponse> {
    return unwrap(accessTokensIssueAccessToken(this.#client, request, options))
  }

  /**
   * Revokes an access token.
   *
   * @since 0.1.0
   */
  revokeAccessToken(request: RevokeAccessTokenRequest, options?: RequestOptions): Promise<void> {
    return unwrap(accessTokensRevokeAccessToken(this.#client, request, options))
  }

  /**
   * Every access token that matches, for `for await`, fetched page by page as it is consumed.
   *
   * @since 0.1.0
   */
  listAllAccessTokens(request: ListAccessTokensRequest = {}, options?: RequestOptions): AsyncIterable<AccessTokenInfo> {
    return accessTokensListAllAccessTokens(this.#client, request, options)
  }
}

/**
 * The Promise client of S2.
 *
 * ```ts
 * const s2 = new S2({ bearerAuth: process.env["S2_BEARER_AUTH"] ?? "" })
 * const { accessTokens } = await s2.accessTokens.listAccessTokens({})
 * await s2.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export class S2 extends S2Core {
  #accessTokens: AccessTokens | undefined

  /**
   * Manage access tokens.
   *
   * @since 0.1.0
   */
  get accessTokens(): AccessTokens {
    this.#accessTokens ??= new AccessTokens(this)
    return this.#accessTokens
  }
}
