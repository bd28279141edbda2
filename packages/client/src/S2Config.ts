/**
 * Where and how to reach S2: credentials, endpoint, HTTP client, retry policy and timeout.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { pipe } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as S2Retry from "./S2Retry.js"

/**
 * The account endpoint of the S2 cloud service.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ACCOUNT_ENDPOINT = "https://a.s2.dev/v1"

/**
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_USER_AGENT = "effect-s2/0.1.0"

/**
 * @since 0.1.0
 * @category models
 */
export interface S2ConfigOptions {
  /** The access token that authenticates every request. */
  readonly accessToken: Redacted.Redacted<string>
  /**
   * The account endpoint: a host, `host:port` or URL. `https://` is assumed without a scheme, and `/v1`
   * is appended when there is no path. Default `https://a.s2.dev/v1`.
   */
  readonly accountEndpoint?: string | undefined
  /** Retry policy for every operation unless a call says otherwise. Default `S2Retry.defaultPolicy`. */
  readonly retry?: S2Retry.Policy | undefined
  /** Time limit for one attempt, response body included. Default 5 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The `user-agent` header. */
  readonly userAgent?: string | undefined
  /** Applied last to the HTTP client the operations use, e.g. to add middleware. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The resolved configuration the operations run with.
 *
 * @since 0.1.0
 * @category models
 */
export interface S2ConfigService {
  readonly accessToken: Redacted.Redacted<string>
  /** The normalized account endpoint, e.g. `https://a.s2.dev/v1`. */
  readonly accountEndpoint: string
  /** Sends requests to the account endpoint with the access token; relative paths such as `/access-tokens`. */
  readonly accountClient: HttpClient.HttpClient
  readonly retry: S2Retry.Policy
  readonly timeout: Duration.Duration
}

/**
 * Normalizes an endpoint the way the S2 SDKs do. Returns an error message for input that is not one.
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeEndpoint = (input: string): Either.Either<string, string> => {
  const trimmed = input.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return Either.left(`"${input}" is not a host, host:port or URL`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Either.left(`"${input}" must use http or https`)
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return Either.left(`"${input}" must not carry credentials, a query or a fragment`)
  }
  const path = url.pathname.replace(/\/+$/, "")
  return Either.right(`${url.origin}${path === "" ? "/v1" : path}`)
}

/**
 * The S2 configuration the operations need.
 *
 * @since 0.1.0
 * @category tags
 */
export class S2Config extends Context.Tag("@effect-s2/client/S2Config")<S2Config, S2ConfigService>() {
  /**
   * Builds the configuration from plain values, using the `HttpClient` in context.
   *
   * @since 0.1.0
   */
  static readonly layer = (
    options: S2ConfigOptions
  ): Layer.Layer<S2Config, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.effect(S2Config, make(options))

  /**
   * Builds the configuration from `Config` values, e.g.
   * `S2Config.layerConfig({ accessToken: Config.redacted("S2_ACCESS_TOKEN") })`.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = (
    options: S2ConfigFromConfig
  ): Layer.Layer<S2Config, ConfigError.ConfigError, HttpClient.HttpClient> =>
    Layer.effect(
      S2Config,
      Effect.flatMap(
        Config.all({
          accessToken: options.accessToken,
          accountEndpoint: optional(options.accountEndpoint),
          timeout: optional(options.timeout),
          userAgent: optional(options.userAgent)
        }),
        (values) =>
          make({
            accessToken: values.accessToken,
            accountEndpoint: Option.getOrUndefined(values.accountEndpoint),
            timeout: Option.getOrUndefined(values.timeout),
            userAgent: Option.getOrUndefined(values.userAgent),
            retry: options.retry,
            transformClient: options.transformClient
          })
      )
    )
}

/**
 * @since 0.1.0
 * @category models
 */
export interface S2ConfigFromConfig {
  readonly accessToken: Config.Config<Redacted.Redacted<string>>
  readonly accountEndpoint?: Config.Config<string> | undefined
  readonly timeout?: Config.Config<Duration.Duration> | undefined
  readonly userAgent?: Config.Config<string> | undefined
  readonly retry?: S2Retry.Policy | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

// An optional setting that is missing from the environment falls back to its default.
const optional = <A>(config: Config.Config<A> | undefined): Config.Config<Option.Option<A>> =>
  config === undefined ? Config.succeed(Option.none()) : Config.option(config)

const invalid = (field: string, message: string) => ConfigError.InvalidData([field], message)

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: S2ConfigOptions
): Effect.Effect<S2ConfigService, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const accountEndpoint = yield* Either.mapLeft(
      normalizeEndpoint(options.accountEndpoint ?? DEFAULT_ACCOUNT_ENDPOINT),
      (message) => invalid("accountEndpoint", message)
    )
    const timeout = yield* pipe(
      Duration.decodeUnknown(options.timeout ?? Duration.seconds(5)),
      Option.filter((d) => Duration.greaterThan(d, Duration.zero)),
      Either.fromOption(() => invalid("timeout", "must be a positive duration"))
    )
    const base = yield* HttpClient.HttpClient
    const accountClient = base.pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(accountEndpoint),
          HttpClientRequest.bearerToken(options.accessToken),
          HttpClientRequest.setHeader("user-agent", options.userAgent ?? DEFAULT_USER_AGENT),
          HttpClientRequest.acceptJson
        )
      ),
      options.transformClient ?? ((client) => client)
    )
    return {
      accessToken: options.accessToken,
      accountEndpoint,
      accountClient,
      retry: options.retry ?? S2Retry.defaultPolicy,
      timeout
    }
  })
