/**
 * The request and response types of the Promise client, under the names the S2 SDK documentation uses.
 *
 * They are the decoded (`Type`) side of the schemas in `Models`: camelCase fields, `Date` for times. The one
 * difference is the issued secret, which here is a plain string.
 *
 * @since 0.1.0
 */
import type * as Models from "../Models.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccessTokensRequest = Models.ListAccessTokensRequest

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccessTokensResponse = Models.ListAccessTokensResponse

/**
 * An access token as S2 lists it; its secret is never part of it.
 *
 * @since 0.1.0
 * @category models
 */
export type AccessTokenInfo = Models.AccessTokenInfo

/**
 * The request to issue an access token. An `AccessTokenInfo` is one too.
 *
 * @since 0.1.0
 * @category models
 */
export type IssueAccessTokenRequest = Models.IssueAccessTokenRequest

/**
 * The issued token's secret. S2 returns it this once and never again.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueAccessTokenResponse {
  readonly accessToken: string
}

/**
 * @since 0.1.0
 * @category models
 */
export type RevokeAccessTokenRequest = Models.RevokeAccessTokenRequest

/**
 * @since 0.1.0
 * @category models
 */
export type AccessTokenScope = Models.AccessTokenScope

/**
 * @since 0.1.0
 * @category models
 */
export type ResourceSet = Models.ResourceSet

/**
 * @since 0.1.0
 * @category models
 */
export type PermittedOperationGroups = Models.PermittedOperationGroups

/**
 * @since 0.1.0
 * @category models
 */
export type ReadWritePermissions = Models.ReadWritePermissions

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = Models.Operation
