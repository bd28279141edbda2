/**
 * `S2Core`, the smallest Promise client: it holds the connection settings, and the standalone functions in
 * `funcs/` call S2 with it. Use it, not `S2`, for the smallest bundles.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { normalizeEndpoint, S2Config } from "../S2Config.js"
import { makeRunner, register, runnerOf, timeoutOf } from "./internal/run.js"
import { type RetryConfig, toPolicy } from "./lib/retries.js"

export type {
  /** @since 0.1.0 */
  BackoffStrategy,
  /** @since 0.1.0 */
  RetryConfig
} from "./lib/retries.js"
export type {
  /** @since 0.1.0 */
  FetchOptions,
  /** @since 0.1.0 */
  RequestOptions,
  /** @since 0.1.0 */
  Result
} from "./types.js"

/**
 * How to reach S2.
 *
 * @since 0.1.0
 * @category models
 */
export interface SDKOptions {
  /** The access token that authenticates every request. It is never logged or shown. */
  readonly bearerAuth: string
  /**
   * The account endpoint: a host, `host:port` or URL; `https://` is assumed without a scheme and `/v1` is
   * appended when there is no path. Default `https://a.s2.dev/v1`.
   */
  readonly serverURL?: string | undefined
  /**
   * Retries for every call that does not give its own `retries`. Default: 3 attempts in all with jittered
   * exponential backoff from 100 ms up to 1 s (`S2Retry.defaultPolicy`, what the S2 SDKs do), connection
   * failures included. Issuing an access token is retried only after failures that certainly had no side
   * effect, whatever this says.
   */
  readonly retryConfig?: RetryConfig | undefined
  /** Time limit for each attempt, in milliseconds; `0` or less: none. Default 5000. */
  readonly timeoutMs?: number | undefined
  /** The `user-agent` header. */
  readonly userAgent?: string | undefined
  /** The `fetch` to send requests with, e.g. to record or fake them in tests. Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

const layerOf = (options: SDKOptions): Layer.Layer<S2Config> => {
  if (typeof options.bearerAuth !== "string") throw new TypeError("bearerAuth must be a string")
  const accountEndpoint = options.serverURL
  if (accountEndpoint !== undefined && Either.isLeft(normalizeEndpoint(accountEndpoint))) {
    throw new TypeError(`serverURL: ${Either.merge(normalizeEndpoint(accountEndpoint))}`)
  }
  const http =
    options.fetch === undefined
      ? FetchHttpClient.layer
      : Layer.provide(FetchHttpClient.layer, Layer.succeed(FetchHttpClient.Fetch, options.fetch))
  return S2Config.layer({
    accessToken: Redacted.make(options.bearerAuth),
    accountEndpoint,
    retry: options.retryConfig === undefined ? undefined : toPolicy(options.retryConfig),
    timeout: options.timeoutMs === undefined ? undefined : timeoutOf("timeoutMs", options.timeoutMs),
    userAgent: options.userAgent
  }).pipe(Layer.provide(http), Layer.orDie)
}

/**
 * A Promise client of S2 with nothing but its settings; pass it to the standalone functions. One instance can
 * serve a whole application. `close()` ends the calls still running and releases what the client holds.
 *
 * The constructor throws a `TypeError` for an invalid `serverURL` or `bearerAuth`, and a `RangeError` for an
 * invalid `retryConfig` or `timeoutMs`.
 *
 * @since 0.1.0
 * @category constructors
 */
export class S2Core {
  constructor(options: SDKOptions) {
    register(this, makeRunner(ManagedRuntime.make(layerOf(options))))
  }

  /**
   * Ends the calls still running (they reject with an `AbortError`) and releases the client. Calls made
   * afterwards reject with an `AbortError` too. Safe to call more than once.
   *
   * @since 0.1.0
   */
  close(): Promise<void> {
    return runnerOf(this).close()
  }
}
