import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AccessTokens from "../src/AccessTokens.js"
import { normalizeEndpoint, S2Config } from "../src/S2Config.js"
import { makeFake, TOKEN } from "./fake.js"

const emptyPage = { status: 200, json: { access_tokens: [], has_more: false } } as const

describe("normalizeEndpoint", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["a.s2.dev", "https://a.s2.dev/v1"],
    ["localhost:8080", "https://localhost:8080/v1"],
    ["http://127.0.0.1:4243", "http://127.0.0.1:4243/v1"],
    ["http://127.0.0.1:4243/", "http://127.0.0.1:4243/v1"],
    ["https://a.s2.dev/v1", "https://a.s2.dev/v1"],
    ["https://proxy.example/s2/v1/", "https://proxy.example/s2/v1"],
    [" https://A.S2.dev ", "https://a.s2.dev/v1"]
  ]
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} becomes ${expected}`, () => {
      assert.deepStrictEqual(normalizeEndpoint(input), Either.right(expected))
    })
  }

  for (const input of ["", "ftp://a.s2.dev", "https://user:pw@a.s2.dev", "https://a.s2.dev/v1?x=1", "http://"]) {
    it(`${JSON.stringify(input)} is refused`, () => {
      assert.isTrue(Either.isLeft(normalizeEndpoint(input)))
    })
  }
})

describe("S2Config.layer", () => {
  it.effect("defaults to the S2 cloud account endpoint", () => {
    const fake = makeFake([emptyPage])
    return Effect.gen(function* () {
      const config = yield* S2Config
      assert.strictEqual(config.accountEndpoint, "https://a.s2.dev/v1")
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(5)))
      yield* AccessTokens.listAccessTokens()
      assert.strictEqual(fake.sent[0]?.url.href, "https://a.s2.dev/v1/access-tokens")
    }).pipe(Effect.provide(S2Config.layer({ accessToken: Redacted.make(TOKEN) }).pipe(Layer.provide(fake.layer))))
  })

  it.effect("a bad endpoint or timeout is a ConfigError naming the field", () =>
    Effect.gen(function* () {
      const fake = makeFake([emptyPage])
      const endpoint = yield* Effect.flip(
        Layer.build(
          S2Config.layer({ accessToken: Redacted.make(TOKEN), accountEndpoint: "ftp://x" }).pipe(
            Layer.provide(fake.layer)
          )
        ).pipe(Effect.scoped)
      )
      assert.include(String(endpoint), "accountEndpoint")
      const timeout = yield* Effect.flip(
        Layer.build(
          S2Config.layer({ accessToken: Redacted.make(TOKEN), timeout: "-1 seconds" as Duration.DurationInput }).pipe(
            Layer.provide(fake.layer)
          )
        ).pipe(Effect.scoped)
      )
      assert.include(String(timeout), "timeout")
      assert.strictEqual(fake.sent.length, 0)
    })
  )

  it.effect("transformClient wraps the client the operations use", () => {
    const fake = makeFake([emptyPage])
    const layer = S2Config.layer({
      accessToken: Redacted.make(TOKEN),
      accountEndpoint: "http://s2.test",
      transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-extra", "yes"))
    }).pipe(Layer.provide(fake.layer))
    return Effect.gen(function* () {
      yield* AccessTokens.listAccessTokens()
      assert.strictEqual(fake.sent[0]?.headers["x-extra"], "yes")
    }).pipe(Effect.provide(layer))
  })
})

describe("S2Config.layerConfig", () => {
  it.effect("reads Config values, and a missing optional one falls back to its default", () => {
    const fake = makeFake([emptyPage])
    const layer = S2Config.layerConfig({
      accessToken: Config.redacted("S2_ACCESS_TOKEN"),
      accountEndpoint: Config.string("S2_ACCOUNT_ENDPOINT"),
      timeout: Config.duration("S2_TIMEOUT")
    }).pipe(Layer.provide(fake.layer))
    const provider = ConfigProvider.fromMap(
      new Map([
        ["S2_ACCESS_TOKEN", TOKEN],
        ["S2_ACCOUNT_ENDPOINT", "http://127.0.0.1:9999"]
      ])
    )
    return Effect.gen(function* () {
      const config = yield* S2Config
      assert.strictEqual(config.accountEndpoint, "http://127.0.0.1:9999/v1")
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(5)))
      assert.isTrue(Redacted.isRedacted(config.accessToken))
      assert.notInclude(String(config.accessToken), TOKEN)
      yield* AccessTokens.listAccessTokens()
      assert.strictEqual(fake.sent[0]?.headers.authorization, `Bearer ${TOKEN}`)
    }).pipe(Effect.provide(layer), Effect.withConfigProvider(provider))
  })

  it.effect("a missing access token is a ConfigError", () =>
    Effect.gen(function* () {
      const fake = makeFake([emptyPage])
      const layer = S2Config.layerConfig({ accessToken: Config.redacted("S2_ACCESS_TOKEN") }).pipe(
        Layer.provide(fake.layer)
      )
      const error = yield* Effect.flip(Layer.build(layer).pipe(Effect.scoped))
      assert.strictEqual(error._tag, "ConfigError")
      assert.include(String(error), "S2_ACCESS_TOKEN")
    }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
  )
})
