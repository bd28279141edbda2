/**
 * The S2 operations as a service, for dependency injection: the methods need nothing from the context,
 * because the `S2Config` they run with was captured when the service was built.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as AccessTokens from "./AccessTokens.js"
import type { S2Error } from "./Errors.js"
import type {
  AccessTokenInfo,
  IssueAccessTokenRequest,
  IssueAccessTokenResponse,
  ListAccessTokensRequest,
  ListAccessTokensResponse,
  RevokeAccessTokenRequest
} from "./Models.js"
import { S2Config } from "./S2Config.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface S2AccessTokens {
  readonly listAccessTokens: (
    request?: ListAccessTokensRequest,
    options?: AccessTokens.RequestOptions
  ) => Effect.Effect<ListAccessTokensResponse, S2Error>
  readonly issueAccessToken: (
    request: IssueAccessTokenRequest,
    options?: AccessTokens.RequestOptions
  ) => Effect.Effect<IssueAccessTokenResponse, S2Error>
  readonly revokeAccessToken: (
    request: RevokeAccessTokenRequest,
    options?: AccessTokens.RequestOptions
  ) => Effect.Effect<void, S2Error>
  readonly listAllAccessTokens: (
    request?: ListAccessTokensRequest,
    options?: AccessTokens.RequestOptions
  ) => Stream.Stream<AccessTokenInfo, S2Error>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface S2ClientService {
  readonly accessTokens: S2AccessTokens
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<S2ClientService, never, S2Config> = Effect.map(S2Config, (config) => {
  const run = Effect.provideService(S2Config, config)
  return {
    accessTokens: {
      listAccessTokens: (request, options) => run(AccessTokens.listAccessTokens(request, options)),
      issueAccessToken: (request, options) => run(AccessTokens.issueAccessToken(request, options)),
      revokeAccessToken: (request, options) => run(AccessTokens.revokeAccessToken(request, options)),
      listAllAccessTokens: (request, options) =>
        Stream.provideService(AccessTokens.listAllAccessTokens(request, options), S2Config, config)
    }
  }
})

/**
 * @since 0.1.0
 * @category tags
 */
export class S2Client extends Context.Tag("@effect-s2/client/S2Client")<S2Client, S2ClientService>() {
  /**
   * Builds the client from the `S2Config` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<S2Client, never, S2Config> = Layer.effect(S2Client, make)
}
