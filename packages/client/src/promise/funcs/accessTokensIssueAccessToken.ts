/**
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AccessTokens from "../../AccessTokens.js"
import type { S2Error } from "../../Errors.js"
import type { S2Core } from "../core.js"
import { effectOptions, runnerOf } from "../internal/run.js"
import type { IssueAccessTokenRequest, IssueAccessTokenResponse } from "../models.js"
import type { RequestOptions, Result } from "../types.js"

/**
 * Issues a new access token and resolves to its secret, which S2 shows only this once.
 *
 * Issuing is not idempotent: unless `options.retries` is given, it is retried only after failures that
 * certainly had no side effect. Given `retries` apply as they are; a retry that then finds the id taken after
 * an attempt with an unknown outcome fails with `earlierAttemptMayHaveSucceeded` set.
 *
 * Resolves to `{ ok: false, error }` when S2 or the connection fails (`ErrorResponse`, `RetryableError` or
 * `APIError`); rejects only when `options.fetchOptions.signal` aborts (with its reason) or the client is closed.
 *
 * @since 0.1.0
 * @category access tokens
 */
export async function accessTokensIssueAccessToken(
  client: S2Core,
  request: IssueAccessTokenRequest,
  options?: RequestOptions
): Promise<Result<IssueAccessTokenResponse, S2Error>> {
  return runnerOf(client).run(
    Effect.map(AccessTokens.issueAccessToken(request, effectOptions(options)), ({ accessToken }) => ({
      accessToken: Redacted.value(accessToken)
    })),
    options?.fetchOptions
  )
}
