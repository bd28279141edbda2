/**
 * Every request the client builds is valid by the published spec: the client's own operations send it to
 * `prism mock`, which validates it (query, path, body, security) and reports violations in `sl-violations`.
 */
import * as AccessTokens from "@effect-s2/client/AccessTokens"
import type { IssueAccessTokenRequest } from "@effect-s2/client/Models"
import { Operation } from "@effect-s2/client/Models"
import { ErrorResponse } from "@effect-s2/client/Errors"
import { S2Config } from "@effect-s2/client/S2Config"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { EDGE_IDS, EDGE_PREFIXES, issueRequests, listRequests, revokeRequests } from "./support/Arbitraries.js"
import { explain, NEWER_OPERATION_NAMES, unexplained } from "./support/KnownGaps.js"
import { Prism } from "./support/Prism.js"
import { checkProperty } from "./support/Property.js"
import * as Wire from "./support/Wire.js"

const ClientViaPrism = Layer.unwrapEffect(
  Effect.map(Prism, (prism) =>
    Wire.layer({ accountEndpoint: `${prism.url}/v1`, accessToken: Redacted.make("conformance-token") })
  )
).pipe(Layer.provideMerge(Prism.mock))

/**
 * Sends one request through `send` and checks the one exchange it made: no violation that the reviewed list
 * does not explain, and, when there is none at all, the operation's success status (Prism's mock answers
 * an invalid request with a 400).
 */
const conforms = <A, E, R>(
  send: Effect.Effect<A, E, R>,
  success: number,
  sentOps?: ReadonlyArray<string> | null
): Effect.Effect<void, Error, R | Wire.Exchanges> =>
  Effect.gen(function* () {
    const exchanges = yield* Wire.Exchanges
    yield* exchanges.take
    const outcome = yield* Effect.either(send)
    const sent = yield* exchanges.take
    const [exchange] = sent
    if (sent.length !== 1 || exchange === undefined) {
      return yield* Effect.fail(new Error(`expected one request, the client sent ${sent.length}: ${String(outcome)}`))
    }
    yield* conformsExchange(exchange, success, sentOps, outcome._tag === "Left" ? String(outcome.left) : undefined)
  })

const conformsExchange = (
  exchange: Wire.Exchange,
  success: number,
  sentOps?: ReadonlyArray<string> | null,
  /** How the operation failed, if it did. */
  failure?: string
): Effect.Effect<void, Error> => {
  const violations = unexplained(exchange, sentOps)
  if (violations.length > 0) {
    return Effect.fail(
      new Error(`Prism: request violates the spec\n${Wire.formatExchange({ ...exchange, violations })}`)
    )
  }
  if (exchange.violations.length === 0 && (exchange.status !== success || failure !== undefined)) {
    return Effect.fail(
      new Error(`expected ${success} from Prism: ${Wire.formatExchange(exchange)}\n${failure ?? "no failure"}`)
    )
  }
  return Effect.void
}

const issue = (request: IssueAccessTokenRequest) =>
  conforms(AccessTokens.issueAccessToken(request), 201, request.scope.ops)

layer(ClientViaPrism, { excludeTestServices: true })("requests against the published spec", (it) => {
  it.effect("list: prefix, start_after and limit as the model generates them", () =>
    checkProperty(listRequests, 150, (request) => conforms(AccessTokens.listAccessTokens(request), 200))
  )

  it.effect("list: every edge prefix and start_after, and no query at all", () =>
    Effect.gen(function* () {
      yield* conforms(AccessTokens.listAccessTokens(), 200)
      for (const prefix of EDGE_PREFIXES) {
        yield* conforms(AccessTokens.listAccessTokens({ prefix, startAfter: prefix, limit: 0 }), 200)
      }
    })
  )

  it.effect("issue: requests as the model generates them", () => checkProperty(issueRequests, 200, issue))

  it.effect("revoke: ids as the model generates them, with 96-byte and multi-byte ids", () =>
    Effect.gen(function* () {
      for (const id of EDGE_IDS) yield* conforms(AccessTokens.revokeAccessToken({ id }), 204)
      yield* checkProperty(revokeRequests, 150, (request) => conforms(AccessTokens.revokeAccessToken(request), 204))
    })
  )

  it.effect("issue: every operation name; the newer ones are the reviewed gap and nothing else", () =>
    Effect.gen(function* () {
      const exchanges = yield* Wire.Exchanges
      for (const name of Operation.literals) {
        yield* exchanges.take
        yield* Effect.either(AccessTokens.issueAccessToken({ id: "ops", scope: { ops: [name] } }))
        const [exchange] = yield* exchanges.take
        assert.isDefined(exchange, name)
        const report = Wire.formatExchange(exchange!)
        if ((NEWER_OPERATION_NAMES as ReadonlyArray<string>).includes(name)) {
          // The gap must still be real: Prism rejects exactly this name, and the list explains it.
          assert.strictEqual(exchange!.violations.length, 1, report)
          assert.strictEqual(explain(exchange!, exchange!.violations[0]!, [name])?._tag, "NewerOperationName", report)
        } else {
          assert.deepStrictEqual([exchange!.status, exchange!.violations], [201, []], report)
        }
      }
    })
  )

  it.effect("issue: null and absent optional fields are both valid", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<IssueAccessTokenRequest> = [
        { id: "absent", scope: {} },
        {
          id: "null",
          scope: { basins: null, streams: null, accessTokens: null, opGroups: null, ops: null },
          expiresAt: null
        },
        { id: "groups-absent", scope: { opGroups: {} } },
        { id: "groups-null", scope: { opGroups: { account: null, basin: null, stream: null } } },
        { id: "rw-absent", scope: { opGroups: { account: {}, basin: { read: true }, stream: { write: false } } } },
        { id: "ops-empty", scope: { ops: [] } },
        { id: "sets-empty", scope: { basins: { exact: "" }, streams: { prefix: "" }, accessTokens: { prefix: "" } } },
        { id: "auto-false", scope: { streams: { exact: "s" } }, autoPrefixStreams: false },
        { id: "auto-true", scope: { streams: { prefix: "tenant/" } }, autoPrefixStreams: true },
        { id: "expires", scope: {}, expiresAt: new Date("2030-01-01T00:00:00.123Z") }
      ]
      for (const request of cases) yield* issue(request)
    })
  )

  it.effect("issue: an expires_at outside the years 0000-9999 is refused before sending", () =>
    Effect.gen(function* () {
      const exchanges = yield* Wire.Exchanges
      yield* exchanges.take
      const far = new Date("+010000-01-01T00:00:00.000Z")
      const error = yield* Effect.flip(AccessTokens.issueAccessToken({ id: "far-future", scope: {}, expiresAt: far }))
      assert.instanceOf(error, ErrorResponse)
      assert.strictEqual((error as ErrorResponse).field, "expiresAt")
      assert.deepStrictEqual(yield* exchanges.take, [])
    })
  )

  it.effect("a request the spec forbids is reported with Prism's message (the check can fail)", () =>
    Effect.gen(function* () {
      const exchanges = yield* Wire.Exchanges
      const config = yield* S2Config
      yield* exchanges.take
      // The client refuses limit 5000 before sending, so it goes out through the configured HttpClient.
      yield* Effect.scoped(config.accountClient.get("/access-tokens", { urlParams: { limit: 5000 } }))
      const [exchange] = yield* exchanges.take
      assert.isDefined(exchange)
      const failure = yield* Effect.flip(conformsExchange(exchange!, 200))
      assert.include(failure.message, "request.query.limit: Request query parameter limit must be <= 1000")
    })
  )
})
