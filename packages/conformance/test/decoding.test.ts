/**
 * Whatever the spec allows the service to answer, the client reads: Prism's mock generates a response from
 * the spec's schemas (`Prefer: dynamic=true, seed=N`, one seed per request, so runs are reproducible) and
 * the client's own operations must decode it, successes and error bodies alike.
 */
import * as AccessTokens from "@effect-s2/client/AccessTokens"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Prism } from "./support/Prism.js"
import { SEED } from "./support/Property.js"
import * as Wire from "./support/Wire.js"

/**
 * Seeds per operation. A generated list page always has the spec's maximum of 1000 tokens (about half a
 * second each to generate), so eight list pages already decode some 8,000 generated tokens.
 */
const SEEDS = { list: 8, issue: 120, revoke: 120 }

const ClientViaPrism = Layer.unwrapEffect(
  Effect.map(Prism, (prism) =>
    Wire.layer({ accountEndpoint: `${prism.url}/v1`, accessToken: Redacted.make("conformance-token") })
  )
).pipe(Layer.provideMerge(Prism.mock))

const seedsOf = (count: number) => Array.from({ length: count }, (_, i) => `${SEED}-${i}`)

const prefer = (seed: string, code?: number) => ({
  headers: { prefer: `${code === undefined ? "" : `code=${code}, `}dynamic=true, seed=${seed}` }
})

const OPERATIONS = {
  list: (seed: string, code?: number) => AccessTokens.listAccessTokens({ prefix: "p", limit: 10 }, prefer(seed, code)),
  issue: (seed: string, code?: number) =>
    AccessTokens.issueAccessToken({ id: "decoded", scope: { ops: ["read"] } }, prefer(seed, code)),
  revoke: (seed: string, code?: number) => AccessTokens.revokeAccessToken({ id: "decoded" }, prefer(seed, code))
}

/** The error statuses the spec lists for each operation. */
const ERROR_STATUSES = { list: [400, 403, 408], issue: [400, 403, 408, 409], revoke: [400, 403, 408] }

layer(ClientViaPrism, { excludeTestServices: true })("Prism's generated responses decode", (it) => {
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    const count = SEEDS[name as keyof typeof SEEDS]
    const seeds = seedsOf(count)
    it.effect(`${name}: ${count} generated successes`, () =>
      Effect.gen(function* () {
        const failures: Array<string> = []
        for (const seed of seeds) {
          const outcome = yield* Effect.either(operation(seed))
          if (outcome._tag === "Left") failures.push(`seed ${seed}: ${outcome.left.message}`)
        }
        const exchanges = yield* (yield* Wire.Exchanges).take
        assert.strictEqual(exchanges.length, count)
        // Prism validates its own output too; a generated body it objects to would make this test meaningless.
        assert.deepStrictEqual(exchanges.filter((e) => e.violations.length > 0).map(Wire.formatExchange), [])
        assert.deepStrictEqual(failures, [])
      })
    )

    it.effect(`${name}: generated error bodies become S2 errors with their status and code`, () =>
      Effect.gen(function* () {
        for (const status of ERROR_STATUSES[name as keyof typeof ERROR_STATUSES]) {
          for (const seed of seedsOf(10)) {
            const error = yield* Effect.flip(operation(seed, status))
            assert.strictEqual(error.status, status, error.message)
            // An ErrorInfo body is never an APIError: that tag is for responses the client cannot read.
            assert.notStrictEqual(error._tag, "APIError", error.message)
            assert.isString((error as { code?: unknown }).code)
          }
        }
        yield* (yield* Wire.Exchanges).take
      })
    )
  }
})
