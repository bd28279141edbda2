/**
 * The fault soak through the Promise edge: callers with `await`, some of which abort mid-request, against the
 * loopback test server with faults injected at random. Every call must resolve, or reject with one of the
 * three error classes (or, when its caller aborted, with the abort's reason); no rejection may go unhandled;
 * what callers were told about issued and revoked tokens must match the server's final state; nothing may stay
 * open after `close()`; and no secret may show up in a rejection.
 *
 * Replay with `S2_SOAK_SEED=<seed>`; scale with `S2_SOAK_OPS`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { APIError, ErrorResponse, RetryableError, S2 } from "@effect-s2/client/promise"
import { Fault, S2TestServer } from "@effect-s2/testing"
import { eventually, numberFromEnv, openTcpHandles, Prng, renderings, seedFromEnv } from "./support.js"

const SEED = seedFromEnv()
const OPERATIONS = Math.max(40, Math.floor(numberFromEnv("S2_SOAK_OPS", 800) / 2))
const CONCURRENCY = 8
const FAULT_RATE = 0.35

const FAULTS: ReadonlyArray<(prng: Prng) => Fault.Fault> = [
  () => Fault.error(503, "unavailable", { applied: true }),
  () => Fault.error(500, "other"),
  () => Fault.error(429, "rate_limited", { retryAfterMillis: 2 }),
  () => Fault.error(502, "hot_server"),
  () => Fault.error(403, "permission_denied"),
  (prng) => Fault.delay(Duration.millis(1 + prng.int(15))),
  () => Fault.dropBeforeApply,
  () => Fault.dropAfterApply,
  () => Fault.truncatedBody(),
  () => Fault.malformedBody,
  () => Fault.wrongContentType()
]
const OPS: ReadonlyArray<Fault.Operation> = ["list-access-tokens", "issue-access-token", "revoke-access-token"]

/** What a caller was told: the token is there, it is not, or the outcome is unknown. */
type Known = "exists" | "absent" | "unknown"

const isTyped = (u: unknown): u is ErrorResponse | RetryableError | APIError =>
  u instanceof ErrorResponse || u instanceof RetryableError || u instanceof APIError

/** The rejections after which the request may have been applied, as the client documents them. */
const mayHaveApplied = (error: ErrorResponse | RetryableError | APIError): boolean =>
  error instanceof RetryableError
    ? error.mayHaveSideEffects
    : error.earlierAttemptMayHaveSucceeded === true || (error instanceof APIError && error.status < 300)

describe("soak through the Promise edge", () => {
  it.live(
    `every call settles typed and consistent under random faults (seed ${SEED})`,
    () =>
      Effect.gen(function* () {
        const server = yield* S2TestServer
        const root = Redacted.value(server.rootToken)
        const baselineHandles = openTcpHandles()
        const unhandled: Array<unknown> = []
        const onUnhandled = (reason: unknown) => unhandled.push(reason)
        process.on("unhandledRejection", onUnhandled)
        yield* Effect.addFinalizer(() => Effect.sync(() => process.off("unhandledRejection", onUnhandled)))

        const s2 = new S2({
          bearerAuth: root,
          serverURL: server.url,
          timeoutMs: 1500,
          retryConfig: {
            strategy: "backoff",
            backoff: { initialInterval: 1, maxInterval: 5, exponent: 2, maxElapsedTime: 2000 },
            retryConnectionErrors: true
          }
        })
        const known = new Map<string, Known>()
        const secrets: Array<string> = []
        const problems: Array<string> = []
        const rendered: Array<string> = []
        let settled = 0

        /** Runs a call that may be aborted; answers how it ended, after checking the rejection's type. */
        const call = async <A>(
          prng: Prng,
          run: (signal: AbortSignal) => Promise<A>
        ): Promise<{ ok: true; value: A } | { ok: false; error: unknown; aborted: boolean }> => {
          const controller = new AbortController()
          const aborts = prng.chance(0.05)
          if (aborts) setTimeout(() => controller.abort(), prng.int(4))
          try {
            const value = await run(controller.signal)
            return { ok: true, value }
          } catch (error) {
            const aborted = controller.signal.aborted && error === controller.signal.reason
            if (!aborted && !isTyped(error)) problems.push(`untyped rejection: ${String(error)}`)
            rendered.push(...renderings(error))
            return { ok: false, error, aborted }
          } finally {
            settled++
          }
        }

        const worker = async (w: number) => {
          const prng = new Prng(SEED + w * 104_729)
          for (let i = 0; i < OPERATIONS / CONCURRENCY; i++) {
            if (prng.chance(FAULT_RATE)) {
              await Effect.runPromise(server.faults.inject(prng.pick(OPS), prng.pick(FAULTS)(prng)))
            }
            const roll = prng.next()
            const existing = [...known].filter(([id, k]) => k === "exists" && id.startsWith(`w${w}/`))
            if (roll < 0.45 || existing.length === 0) {
              const id = `w${w}/${i}`
              const result = await call(prng, (signal) =>
                s2.accessTokens.issueAccessToken({ id, scope: { ops: ["read"] } }, { fetchOptions: { signal } })
              )
              if (result.ok) {
                known.set(id, "exists")
                secrets.push(result.value.accessToken)
              } else if (result.aborted || (isTyped(result.error) && mayHaveApplied(result.error))) {
                known.set(id, "unknown")
              } else known.set(id, "absent")
            } else if (roll < 0.7) {
              const [id] = prng.pick(existing)
              const result = await call(prng, (signal) =>
                s2.accessTokens.revokeAccessToken({ id }, { fetchOptions: { signal } })
              )
              if (result.ok) known.set(id, "absent")
              else if (result.error instanceof ErrorResponse && result.error.status === 404) known.set(id, "absent")
              else if (result.aborted || (isTyped(result.error) && mayHaveApplied(result.error))) {
                known.set(id, "unknown")
              }
            } else if (roll < 0.9) {
              await call(prng, (signal) =>
                s2.accessTokens.listAccessTokens({ prefix: `w${w}/`, limit: 5 }, { fetchOptions: { signal } })
              )
            } else {
              await call(prng, async () => {
                let seen = 0
                for await (const _ of s2.accessTokens.listAllAccessTokens({ prefix: `w${w}/`, limit: 3 })) {
                  if (++seen >= 7) break
                }
                return seen
              })
            }
          }
        }

        yield* Effect.promise(() => Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w))))
        yield* server.faults.clear
        // Calls whose request the server may still apply late (a timed-out attempt) are given time to land.
        yield* Effect.sleep("2500 millis")

        const listed = new Set<string>()
        yield* Effect.promise(async () => {
          for await (const token of s2.accessTokens.listAllAccessTokens({ prefix: "w" })) listed.add(token.id)
        })
        for (const [id, state] of known) {
          if (state === "exists" && !listed.has(id)) problems.push(`${id}: told issued, but it is not there`)
          if (state === "absent" && listed.has(id)) problems.push(`${id}: told not issued or revoked, but it is there`)
        }

        yield* Effect.promise(() => s2.close())
        const closed = yield* Effect.promise(() => eventually(() => openTcpHandles() <= baselineHandles, 3000))

        for (const text of rendered) {
          if (text.includes(root)) problems.push("a rejection shows the access token")
          for (const secret of secrets) if (text.includes(secret)) problems.push("a rejection shows an issued secret")
        }
        console.log(
          `promise soak: ${settled} calls settled, ${known.size} ids, ${rendered.length / 6} rejections (seed ${SEED})`
        )
        assert.isAtLeast(settled, OPERATIONS * 0.9)
        assert.deepStrictEqual(problems.slice(0, 10), [], `problems (seed ${SEED})`)
        assert.deepStrictEqual(unhandled, [], "unhandled rejections")
        assert.isTrue(closed, "sockets left open after close()")
      }).pipe(Effect.scoped, Effect.provide(S2TestServer.layerLoopback())),
    60_000
  )
})
