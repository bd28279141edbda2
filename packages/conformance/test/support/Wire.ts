/**
 * The client as users run it (its own operations, `S2Config`, a real `HttpClient` over loopback), plus a
 * record of every exchange with the violations Prism reported for it.
 */
import { S2Config } from "@effect-s2/client/S2Config"
import * as S2Retry from "@effect-s2/client/S2Retry"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/** One finding of Prism's validator, as it sends them in `sl-violations`. */
export interface Violation {
  /** e.g. `["request", "body", "scope", "ops", "0"]` or `["response", "body", "has_more"]`. */
  readonly location: ReadonlyArray<string>
  readonly severity: string
  readonly code?: string | number | undefined
  readonly message: string
}

export interface Exchange {
  readonly method: string
  /** Path and query as sent, e.g. `/v1/access-tokens?limit=2`. */
  readonly target: string
  readonly status: number
  readonly violations: ReadonlyArray<Violation>
}

export const violationsOf = (headers: Headers.Headers): ReadonlyArray<Violation> =>
  Option.match(Headers.get(headers, "sl-violations"), {
    onNone: () => [],
    onSome: (raw) => {
      try {
        return JSON.parse(raw) as ReadonlyArray<Violation>
      } catch {
        // Prism truncates a very long list; keep it readable rather than lose it.
        return [{ location: [], severity: "Error", message: raw }]
      }
    }
  })

export const formatViolation = (v: Violation): string => `${v.location.join(".")}: ${v.message} (${v.severity})`

export const formatExchange = (e: Exchange): string =>
  `${e.method} ${e.target} -> ${e.status}\n${e.violations.map((v) => `  ${formatViolation(v)}`).join("\n")}`

export interface ExchangesService {
  readonly all: Effect.Effect<ReadonlyArray<Exchange>>
  /** The exchanges recorded so far, which are then forgotten. */
  readonly take: Effect.Effect<ReadonlyArray<Exchange>>
}

export class Exchanges extends Context.Tag("@effect-s2/conformance/Exchanges")<Exchanges, ExchangesService>() {}

const targetOf = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}

/**
 * `S2Config` for `accountEndpoint`, without retries (a conformance run must see every response as it came),
 * and `Exchanges` recording each response.
 */
export const layer = (options: {
  readonly accountEndpoint: string
  readonly accessToken: Redacted.Redacted<string>
}): Layer.Layer<S2Config | Exchanges> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      let recorded: Array<Exchange> = []
      const exchanges: ExchangesService = {
        all: Effect.sync(() => [...recorded]),
        take: Effect.sync(() => {
          const fresh = recorded
          recorded = []
          return fresh
        })
      }
      const record = HttpClient.tap((response) =>
        Effect.sync(() => {
          recorded.push({
            method: response.request.method,
            target: targetOf(response.request.url),
            status: response.status,
            violations: violationsOf(response.headers)
          })
        })
      )
      return Layer.merge(
        S2Config.layer({
          accessToken: options.accessToken,
          accountEndpoint: options.accountEndpoint,
          retry: S2Retry.none,
          timeout: "10 seconds",
          transformClient: record
        }).pipe(Layer.orDie),
        Layer.succeed(Exchanges, exchanges)
      ).pipe(Layer.provide(FetchHttpClient.layer))
    })
  )
