/**
 * The fault soak: thousands of operations at concurrency against the loopback test server, with every kind of
 * fault it offers injected at random. It proves that every operation ends in a value or a typed error, that
 * nothing leaks, that what a caller is told about an issued token matches the server's state, and that no
 * secret shows up in a log line, a span or an error rendering.
 *
 * Replay a run with `S2_SOAK_SEED=<seed>`; scale it with `S2_SOAK_OPS` and `S2_SOAK_CONCURRENCY`. Each worker's
 * choices come from its own PRNG, so a seed replays them; which request a scripted fault lands on still
 * depends on timing.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import { AccessTokens, type S2Error, S2Config, S2Retry } from "@effect-s2/client"
import { Fault, S2TestServer } from "@effect-s2/testing"
import {
  eventually,
  numberFromEnv,
  type Outcome,
  openTcpHandles,
  outcome,
  Prng,
  recordingLogger,
  recordingTracer,
  renderings,
  seedFromEnv
} from "./support.js"

const SEED = seedFromEnv()
const OPERATIONS = numberFromEnv("S2_SOAK_OPS", 800)
const CONCURRENCY = numberFromEnv("S2_SOAK_CONCURRENCY", 16)
const FAULT_RATE = Number(process.env.S2_SOAK_FAULT_RATE ?? 0.35)

/** Per attempt: above what a busy shared machine needs, below the long `Delay` fault, which must time out. */
const TIMEOUT = Duration.millis(1500)
const LONG_DELAY = Duration.millis(2000)

/** Fast retries, so that the soak spends its time on requests, not on backoff. */
const retry = S2Retry.backoff({ minBaseDelay: "1 millis", maxBaseDelay: "5 millis", maxRetryAfter: "10 millis" })

/**
 * Every kind of fault the server offers. `applied` is set only where S2 itself says the request may have been
 * applied (`mayHaveSideEffects`); a server that applies a request and then answers "certainly not applied"
 * would be lying, and no client could be right.
 */
const FAULTS: ReadonlyArray<(prng: Prng) => Fault.Fault> = [
  () => Fault.error(503, "unavailable", { applied: true }),
  () => Fault.error(503, "unavailable"),
  () => Fault.error(500, "other", { applied: true }),
  () => Fault.error(504, "upstream_timeout", { applied: true }),
  () => Fault.error(408, "request_timeout", { applied: true }),
  () => Fault.error(429, "rate_limited", { retryAfterMillis: 3 }),
  () => Fault.error(502, "hot_server"),
  () => Fault.error(503, "server_draining", { retryAfter: "1 millis" }),
  () => Fault.error(409, "transaction_conflict"),
  () => Fault.error(403, "permission_denied"),
  () => Fault.error(418, "teapot"),
  (prng) => Fault.delay(Duration.millis(1 + prng.int(20))),
  (prng) => Fault.delay(Duration.millis(1 + prng.int(10)), Fault.dropAfterApply),
  () => Fault.delay(LONG_DELAY),
  () => Fault.dropBeforeApply,
  () => Fault.dropAfterApply,
  (prng) => Fault.truncatedBody(prng.chance(0.3) ? 0 : undefined),
  () => Fault.malformedBody,
  () => Fault.wrongContentType()
]

const OPS: ReadonlyArray<Fault.Operation> = ["list-access-tokens", "issue-access-token", "revoke-access-token"]

/** What the soak knows about a token id. `unknown`: an outcome was uncertain; the id is not used again. */
type Known = "exists" | "absent" | "unknown"

/** The errors after which an issue may have created the token, as the client documents them. */
const mayHaveIssued = (error: S2Error): boolean =>
  (error._tag === "RetryableError" && error.mayHaveSideEffects) ||
  (error._tag === "ErrorResponse" && error.earlierAttemptMayHaveSucceeded === true) ||
  (error._tag === "APIError" &&
    (error.earlierAttemptMayHaveSucceeded === true ||
      error.status === 0 ||
      (error.status >= 200 && error.status < 300)))

const mayHaveRevoked = (error: S2Error): boolean =>
  (error._tag === "RetryableError" && error.mayHaveSideEffects) ||
  (error._tag === "ErrorResponse" && error.earlierAttemptMayHaveSucceeded === true) ||
  error._tag === "APIError"

const unknownOutcome = (error: S2Error): boolean => error._tag === "RetryableError" && error.mayHaveSideEffects

/** A call's retry policy that also records every failed attempt, to tell what its earlier attempts did. */
const observed = (policy: S2Retry.Policy) => {
  const attempts: Array<S2Error> = []
  const recorded = Schedule.tapInput(policy, (error: S2Error) => Effect.sync(() => attempts.push(error)))
  return {
    policy: recorded,
    /** A failed attempt before the last one may have been applied. */
    earlierUnknown: (failed: boolean) => (failed ? attempts.slice(0, -1) : attempts).some(unknownOutcome),
    /** An attempt timed out: the server may still apply it later. */
    timedOut: () => attempts.some((e) => e._tag === "RetryableError" && e.code === "timeout")
  }
}

interface Tally {
  success: number
  failure: Record<string, number>
  defects: Array<string>
  problems: Array<string>
  /** Calls whose final error said "not applied" after an earlier attempt with an unknown outcome. */
  gaps: Array<string>
}

const count = <A>(tally: Tally, label: string, result: Outcome<A>) => {
  if (result._tag === "Success") tally.success++
  else if (result._tag === "Failure") {
    const code = "code" in result.error ? result.error.code : ""
    const key = `${label} ${result.error._tag} ${result.error.status} ${code}`
    tally.failure[key] = (tally.failure[key] ?? 0) + 1
  } else tally.defects.push(`${label}: ${result.cause}`)
}

describe("soak", () => {
  it.live(
    `every operation under random faults ends typed, consistent, leak-free and secret-free (seed ${SEED})`,
    () => {
      console.log(`soak: seed ${SEED}, ${OPERATIONS} operations at concurrency ${CONCURRENCY}`)
      const rootToken = Redacted.make(`root-${SEED}-${crypto.randomUUID()}`)
      const { lines, logger } = recordingLogger()
      const issuedSecrets = new Set<string>()
      const renderedErrors: Array<string> = []
      const tally: Tally = { success: 0, failure: {}, defects: [], problems: [], gaps: [] }
      const unhandled: Array<unknown> = []
      const onUnhandled = (reason: unknown) => unhandled.push(reason)
      const tcpBefore = openTcpHandles()

      // Reads every issue response the server sent, through a clone, to learn secrets the caller never saw.
      const recordingFetch: typeof globalThis.fetch = async (input, init) => {
        const response = await globalThis.fetch(input, init)
        if ((init?.method ?? "GET") === "POST") {
          response
            .clone()
            .text()
            .then((text) => {
              const match = /"access_token"\s*:\s*"([^"]*)"?/.exec(text)
              if (match?.[1]) issuedSecrets.add(match[1])
            })
            .catch(() => {})
        }
        return response
      }

      const program = Effect.gen(function* () {
        const server = yield* S2TestServer
        const config = S2Config.layer({
          accessToken: rootToken,
          accountEndpoint: server.url,
          retry,
          timeout: TIMEOUT
        }).pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(Layer.succeed(FetchHttpClient.Fetch, recordingFetch))
        )
        const inner = yield* Effect.tracer
        const recorder = recordingTracer(inner)
        const supervisor = yield* Supervisor.track

        const known = new Map<string, Known>()
        // What each id went through, to explain an inconsistency.
        const history = new Map<string, Array<string>>()
        const note = (id: string, label: string, result: Outcome<unknown>) => {
          const what = result._tag === "Failure" ? result.error.message : result._tag
          history.set(id, [...(history.get(id) ?? []), `${label}: ${what}`])
        }
        const explain = (id: string) => `${id} [${(history.get(id) ?? []).join(" | ")}]`
        const secrets = new Map<string, string>()
        // Issued by a call with a timed-out attempt, which the server may apply late: never revoked, so that a
        // late issue cannot bring a revoked id back.
        const pinned = new Set<string>()
        const gap = (id: string, error: S2Error, label: string) => {
          tally.gaps.push(`${label} ${id}: ${error.message}`)
          tally.problems.push(`${label} ${id}: told "not applied" after an unknown attempt`)
        }

        const worker = (w: number, operations: number) =>
          Effect.gen(function* () {
            const prng = new Prng(SEED + w * 7919)
            const prefix = `soak/w${w}/`
            let next = 0
            const mine = (state: Known) => [...known].filter(([id, k]) => k === state && id.startsWith(prefix))

            for (let i = 0; i < operations; i++) {
              if (prng.chance(FAULT_RATE)) {
                const fault = prng.pick(FAULTS)(prng)
                yield* server.faults.inject(prng.pick(OPS), fault)
              }
              const roll = prng.next()
              const existing = mine("exists").filter(([id]) => !pinned.has(id))
              const absent = mine("absent")

              if (roll < 0.45 || existing.length === 0) {
                // Issue a fresh id; sometimes with a policy that retries after unknown outcomes as well.
                const id = `${prefix}${next++}`
                const wide = prng.chance(0.3)
                // The default for issuing is `noSideEffects(config.retry)`; "wide" also retries unknown outcomes.
                const calls = observed(wide ? retry : S2Retry.noSideEffects(retry))
                const result = yield* outcome(
                  AccessTokens.issueAccessToken({ id, scope: { ops: ["read"] } }, { retry: calls.policy })
                )
                count(tally, "issue", result)
                note(id, wide ? "issue (wide retry)" : "issue", result)
                if (result._tag === "Success") {
                  known.set(id, "exists")
                  if (calls.timedOut()) pinned.add(id)
                  const secret = Redacted.value(result.value.accessToken)
                  secrets.set(id, secret)
                  issuedSecrets.add(secret)
                } else if (result._tag === "Failure") {
                  renderedErrors.push(...renderings(result.error))
                  if (mayHaveIssued(result.error)) known.set(id, "unknown")
                  else if (calls.earlierUnknown(true)) {
                    gap(id, result.error, "issue")
                    known.set(id, "unknown")
                  } else known.set(id, "absent")
                }
              } else if (roll < 0.55) {
                // Issue an id that exists: S2 refuses a duplicate.
                const [id] = prng.pick(existing)
                const result = yield* outcome(AccessTokens.issueAccessToken({ id, scope: { ops: ["read"] } }))
                count(tally, "reissue", result)
                note(id, "reissue", result)
                if (result._tag === "Success") tally.problems.push(`issuing the existing id succeeded: ${explain(id)}`)
                if (result._tag === "Failure") renderedErrors.push(...renderings(result.error))
              } else if (roll < 0.75) {
                const [id] = prng.pick(existing)
                const calls = observed(retry)
                const result = yield* outcome(AccessTokens.revokeAccessToken({ id }, { retry: calls.policy }))
                count(tally, "revoke", result)
                note(id, "revoke", result)
                if (result._tag === "Success") known.set(id, "absent")
                else if (result._tag === "Failure") {
                  renderedErrors.push(...renderings(result.error))
                  // A 404 after an earlier attempt that revoked it is still "gone".
                  if (result.error._tag === "ErrorResponse" && result.error.status === 404) known.set(id, "absent")
                  else if (mayHaveRevoked(result.error)) known.set(id, "unknown")
                  else if (calls.earlierUnknown(true)) {
                    gap(id, result.error, "revoke")
                    known.set(id, "unknown")
                  }
                }
              } else if (roll < 0.8 && absent.length > 0) {
                const [id] = prng.pick(absent)
                const result = yield* outcome(AccessTokens.revokeAccessToken({ id }))
                count(tally, "revoke-absent", result)
                note(id, "revoke absent", result)
                if (result._tag === "Success") tally.problems.push(`revoking an absent id succeeded: ${explain(id)}`)
                if (result._tag === "Failure") renderedErrors.push(...renderings(result.error))
              } else if (roll < 0.92) {
                const limit = 1 + prng.int(20)
                const result = yield* outcome(AccessTokens.listAccessTokens({ prefix, limit }))
                count(tally, "list", result)
                if (result._tag === "Success") {
                  const ids = result.value.accessTokens.map((t) => t.id)
                  if (ids.length > limit || ids.some((id) => !id.startsWith(prefix))) {
                    tally.problems.push(`list ${prefix} (limit ${limit}) answered ${ids.join(", ")}`)
                  }
                } else if (result._tag === "Failure") renderedErrors.push(...renderings(result.error))
              } else {
                // Only this worker touches its prefix, so a complete listing must agree with what it knows.
                const result = yield* outcome(
                  Stream.runCollect(AccessTokens.listAllAccessTokens({ prefix, limit: 1 + prng.int(7) }))
                )
                count(tally, "listAll", result)
                if (result._tag === "Success") {
                  const listed = new Set(Chunk.toReadonlyArray(result.value).map((t) => t.id))
                  for (const [id, state] of known) {
                    if (!id.startsWith(prefix)) continue
                    if (state === "exists" && !listed.has(id)) tally.problems.push(`listAll misses ${explain(id)}`)
                    if (state === "absent" && listed.has(id)) tally.problems.push(`listAll shows absent ${explain(id)}`)
                  }
                } else if (result._tag === "Failure") renderedErrors.push(...renderings(result.error))
              }
            }
          })

        const started = Date.now()
        const perWorker = Math.ceil(OPERATIONS / CONCURRENCY)
        yield* Effect.forEach(
          Array.from({ length: CONCURRENCY }, (_, w) => w),
          (w) => worker(w, perWorker),
          { concurrency: "unbounded", discard: true }
        ).pipe(Effect.supervised(supervisor), Effect.withTracer(recorder.tracer), Effect.provide(config))
        const elapsed = Date.now() - started

        // Fibers: every one the workload forked has ended.
        const alive = yield* Effect.promise(() => eventually(() => Effect.runSync(supervisor.value).length === 0, 2000))
        const leftover = Effect.runSync(supervisor.value).length
        assert.isTrue(alive, `${leftover} fibers still running after the workload`)

        // The server's state: no faults, and time for any delayed request to land.
        yield* server.faults.clear
        yield* Effect.sleep(LONG_DELAY)
        const listed = yield* Stream.runCollect(AccessTokens.listAllAccessTokens({ prefix: "soak/" })).pipe(
          Effect.provide(config)
        )
        const onServer = new Set(Chunk.toReadonlyArray(listed).map((t) => t.id))
        let exists = 0
        let absent = 0
        let unknown = 0
        for (const [id, state] of known) {
          if (state === "exists") {
            exists++
            if (!onServer.has(id)) tally.problems.push(`issued (or left in place) but gone: ${explain(id)}`)
          } else if (state === "absent") {
            absent++
            if (onServer.has(id)) tally.problems.push(`exists, but the caller was told it was not: ${explain(id)}`)
          } else unknown++
        }

        // The secrets the caller was given work: a read-only token may not list (403), an unknown one is 401.
        const sample = [...secrets].filter(([id]) => known.get(id) === "exists").slice(0, 20)
        for (const [id, secret] of sample) {
          const probe = yield* outcome(AccessTokens.listAccessTokens()).pipe(
            Effect.provide(
              S2Config.layer({ accessToken: Redacted.make(secret), accountEndpoint: server.url }).pipe(
                Layer.provide(FetchHttpClient.layer)
              )
            )
          )
          const status = probe._tag === "Failure" ? probe.error.status : probe._tag
          if (status !== 403) tally.problems.push(`the secret of ${id} answered ${status}, not 403`)
        }

        const total = tally.success + Object.values(tally.failure).reduce((a, b) => a + b, 0) + tally.defects.length
        console.log(
          `soak: ${total} operations in ${elapsed} ms, ${tally.success} succeeded; ` +
            `ids ${exists} exist, ${absent} absent, ${unknown} unknown; ` +
            `${issuedSecrets.size} secrets seen; ${lines.length} log lines, ${recorder.spans.length} spans; ` +
            `${tally.gaps.length} final errors said "not applied" after an unknown attempt`
        )
        for (const line of tally.gaps.slice(0, 3)) console.log(`soak: known gap: ${line}`)
        console.log(
          `soak: failures ${JSON.stringify(
            Object.fromEntries(Object.entries(tally.failure).sort(([, a], [, b]) => b - a)),
            null,
            0
          )}`
        )

        assert.deepStrictEqual(tally.defects.slice(0, 5), [], `defects (seed ${SEED})`)
        assert.deepStrictEqual(tally.problems.slice(0, 10), [], `inconsistencies (seed ${SEED})`)
        assert.isAtLeast(total, OPERATIONS * 0.9)
        assert.isAtLeast(tally.success, total * 0.3, "the soak should mostly succeed")
        assert.isAtLeast(Object.keys(tally.failure).length, 8, "faults should produce varied errors")
        assert.isAbove(unknown, 0, "some outcomes should have been uncertain")

        // Secrets: the root token and every secret the server handed out, in every captured text.
        const texts = [...lines, ...recorder.spans.map(recorder.render), ...renderedErrors]
        const needles = [Redacted.value(rootToken), ...issuedSecrets].filter((s) => s.length >= 16)
        assert.isAbove(needles.length, 1)
        assert.isAbove(lines.length, 0, "debug logs should have been captured")
        assert.isAbove(recorder.spans.length, 0, "spans should have been captured")
        for (const text of texts) {
          if (text.includes('"access_token":')) assert.fail(`an issue response body was quoted: ${text.slice(0, 300)}`)
          for (const needle of needles) {
            // A secret cut short by a truncated body is still a secret: look for its first 16 characters.
            if (text.includes(needle.slice(0, 16))) assert.fail(`a secret appears in: ${text.slice(0, 300)}`)
          }
        }
      })

      process.on("unhandledRejection", onUnhandled)
      return program.pipe(
        Effect.provide(S2TestServer.layerLoopback({ rootToken })),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.ensuring(Effect.sync(() => process.off("unhandledRejection", onUnhandled))),
        Effect.zipRight(
          Effect.promise(async () => {
            // Sockets: once the server is gone, none of the client's remain open.
            const closed = await eventually(() => openTcpHandles() <= tcpBefore, 3000)
            assert.isTrue(closed, `${openTcpHandles() - tcpBefore} TCP handles left open`)
            assert.deepStrictEqual(unhandled, [], "unhandled rejections")
          })
        )
      )
    },
    120_000
  )
})
