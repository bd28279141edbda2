import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as AccessTokens from "../src/AccessTokens.js"
import { configLayer, errorBody, TOKEN } from "./fake.js"

interface Recorded {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<string>
  exit?: Exit.Exit<unknown, unknown>
}

/** A tracer that keeps every span it was asked for. */
const recordingTracer = () => {
  const spans: Array<Recorded> = []
  let ids = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const recorded: Recorded = { name, attributes: new Map(), events: [] }
      spans.push(recorded)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span-${++ids}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: recorded.attributes,
        links,
        sampled: true,
        kind,
        end: (_endTime, exit) => {
          recorded.exit = exit
        },
        attribute: (key, value) => {
          recorded.attributes.set(key, value)
        },
        event: (name, _startTime, attributes) => {
          recorded.events.push(`${name} ${Inspectable.format(attributes)}`)
        },
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}

const recordingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push(`${logLevel.label} ${Inspectable.format(message)} ${Inspectable.format(annotations)}`)
  })
  return { lines, logger }
}

describe("spans", () => {
  it.effect("each operation runs in a span named after it, with useful attributes", () => {
    const fake = configLayer([
      { status: 200, json: { access_tokens: [], has_more: false } },
      { status: 201, json: { access_token: "s" } },
      errorBody(404, "access_token_not_found")
    ])
    const { spans, tracer } = recordingTracer()
    return Effect.gen(function* () {
      yield* AccessTokens.listAccessTokens({ prefix: "svc/", limit: 5 })
      yield* AccessTokens.issueAccessToken({ id: "svc/a", scope: {} })
      yield* Effect.flip(AccessTokens.revokeAccessToken({ id: "svc/zzz" }))
      const ours = spans.filter((s) => s.name.startsWith("S2."))
      assert.deepStrictEqual(
        ours.map((s) => s.name),
        ["S2.accessTokens.listAccessTokens", "S2.accessTokens.issueAccessToken", "S2.accessTokens.revokeAccessToken"]
      )
      const [list, issue, revoke] = ours
      assert.strictEqual(list?.attributes.get("s2.prefix"), "svc/")
      assert.strictEqual(list?.attributes.get("s2.limit"), 5)
      assert.isFalse(list?.attributes.has("s2.start_after"))
      assert.strictEqual(list?.attributes.get("http.response.status_code"), 200)
      assert.strictEqual(list?.attributes.get("s2.attempts"), 1)
      assert.strictEqual(issue?.attributes.get("s2.access_token.id"), "svc/a")
      assert.strictEqual(revoke?.attributes.get("http.response.status_code"), 404)
      assert.isTrue(revoke?.exit !== undefined && Exit.isFailure(revoke.exit))
    }).pipe(Effect.provide(fake.layer), Effect.withTracer(tracer))
  })

  it.effect("the span counts the attempts", () => {
    const fake = configLayer([errorBody(503, "unavailable")])
    const { spans, tracer } = recordingTracer()
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(AccessTokens.listAccessTokens())
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.await(fiber)
      const list = spans.find((s) => s.name === "S2.accessTokens.listAccessTokens")
      assert.strictEqual(list?.attributes.get("s2.attempts"), 3)
    }).pipe(Effect.provide(fake.layer), Effect.withTracer(tracer))
  })
})

describe("secrets stay secret", () => {
  const ISSUED = "issued-7c1d2f-secret-value"

  it.effect("neither the access token nor an issued secret appears in logs, spans or errors", () => {
    const fake = configLayer([
      errorBody(429, "rate_limited"),
      { status: 201, json: { access_token: ISSUED } },
      { transport: "ECONNRESET" },
      { status: 201, text: `{"access_token":"${ISSUED}"`, headers: { "content-type": "application/json" } },
      errorBody(401, "authn", "bad token"),
      { hang: true }
    ])
    const { spans, tracer } = recordingTracer()
    const { lines, logger } = recordingLogger()
    return Effect.gen(function* () {
      const rendered: Array<string> = []
      const record = (exit: Exit.Exit<unknown, unknown>) => {
        rendered.push(Inspectable.format(exit))
        if (Exit.isFailure(exit)) {
          rendered.push(Cause.pretty(exit.cause))
          const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
          rendered.push(String(error), JSON.stringify(error), (error as Error | undefined)?.stack ?? "")
        } else {
          rendered.push(String(exit.value), JSON.stringify(exit.value))
        }
      }
      const fiber = yield* Effect.fork(AccessTokens.issueAccessToken({ id: "a", scope: {} }))
      yield* TestClock.adjust("1 second")
      record(yield* Fiber.await(fiber))
      record(yield* Effect.exit(AccessTokens.issueAccessToken({ id: "b", scope: {} })))
      record(yield* Effect.exit(AccessTokens.issueAccessToken({ id: "c", scope: {} })))
      record(yield* Effect.exit(AccessTokens.listAccessTokens()))
      const hung = yield* Effect.fork(AccessTokens.listAccessTokens({}, { timeout: "1 second" }))
      yield* TestClock.adjust("10 seconds")
      record(yield* Fiber.await(hung))

      assert.strictEqual(fake.sent.length, 8)
      assert.isAbove(lines.length, 0)
      assert.isAbove(spans.length, 0)
      const spanText = spans.map((s) => `${s.name} ${Inspectable.format([...s.attributes])} ${s.events.join(" ")}`)
      for (const text of [...rendered, ...lines, ...spanText]) {
        assert.notInclude(text, TOKEN)
        assert.notInclude(text, ISSUED)
      }
      // The client's own HTTP spans do carry headers; authorization is among them, redacted.
      assert.isTrue(spanText.some((text) => text.includes("http.request.header.authorization")))
    }).pipe(
      Effect.provide(fake.layer),
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })
})

describe("interruption", () => {
  it.effect("interrupting the fiber aborts the HTTP request", () => {
    const fake = configLayer([{ hang: true }])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(AccessTokens.listAccessTokens())
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(fake.sent.length, 1)
      assert.isFalse(fake.sent[0]?.signal.aborted)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(fake.sent[0]?.signal.aborted)
    }).pipe(Effect.provide(fake.layer))
  })

  it.effect("interrupting during a backoff sends nothing more", () => {
    const fake = configLayer([errorBody(503, "unavailable")])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(AccessTokens.listAccessTokens())
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(fake.sent.length, 1)
    }).pipe(Effect.provide(fake.layer))
  })
})
