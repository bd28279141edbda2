/**
 * What the soak and fuzz tests share: a seeded PRNG, recorders for logs, spans and error renderings, and the
 * checks for leaked sockets and fibers.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"
import * as Tracer from "effect/Tracer"
import * as Util from "node:util"
import { isS2Error, type S2Error } from "@effect-s2/client"

/** The seed of a run: `S2_SOAK_SEED` to replay one, else a fresh one (printed by the test). */
export const seedFromEnv = (): number => {
  const given = process.env.S2_SOAK_SEED
  return given === undefined || given === "" ? Math.floor(Math.random() * 2 ** 31) : Number(given)
}

/** A number from the environment, for longer manual runs. */
export const numberFromEnv = (name: string, fallback: number): number => {
  const given = Number(process.env[name])
  return Number.isFinite(given) && given > 0 ? given : fallback
}

/** A small deterministic PRNG (xorshift32 over a splitmix-style seed), so that a failing run can be replayed. */
export class Prng {
  #state: number

  constructor(seed: number) {
    let s = (seed ^ 0x9e3779b9) >>> 0
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0
    this.#state = (s ^ (s >>> 16)) >>> 0 || 1
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.#state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#state = x >>> 0
    return this.#state / 2 ** 32
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<A>(items: ReadonlyArray<A>): A {
    return items[this.int(items.length)]!
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}

/** Every way an error can end up in front of a person: message, string, JSON, inspect, and a pretty Cause. */
export const renderings = (error: unknown): Array<string> => [
  String(error),
  error instanceof Error ? error.message : "",
  safeJson(error),
  Util.inspect(error, { depth: 8 }),
  Inspectable.format(error),
  Cause.pretty(Cause.fail(error))
]

const safeJson = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? ""
  } catch {
    return ""
  }
}

/** A logger that keeps every line it is given, annotations, spans and cause included. */
export const recordingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    const causeText = Cause.isEmpty(cause) ? "" : Cause.pretty(cause, { renderErrorCause: true })
    lines.push(
      `${logLevel.label} ${Inspectable.format(message)} ${Inspectable.format(annotations)} ` +
        `${Inspectable.format(spans)} ${causeText}`
    )
  })
  return { lines, logger }
}

/** Wraps the tracer in use and keeps every span it makes, to render them after they end. */
export const recordingTracer = (inner: Tracer.Tracer) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = inner.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => inner.context(f, fiber)
  })
  const render = (span: Tracer.Span): string => {
    const status =
      span.status._tag === "Ended" && Exit.isFailure(span.status.exit)
        ? Cause.pretty(span.status.exit.cause, { renderErrorCause: true })
        : span.status._tag
    const events = (span as { readonly events?: unknown }).events
    return `${span.name} ${Inspectable.format(Object.fromEntries(span.attributes))} ${status} ${safeJson(events)}`
  }
  return { spans, tracer, render }
}

/** How an operation ended, as the soak classifies it. */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: S2Error }
  | { readonly _tag: "Defect"; readonly cause: string }

/** Runs an operation to its outcome: a value, one typed S2 error, or anything else (a defect, an interruption). */
export const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Outcome<A>, never, R> =>
  Effect.map(Effect.exit(effect), (exit): Outcome<A> => {
    if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
    const failures = [...Cause.failures(exit.cause)]
    const only = failures[0]
    const clean = Cause.isEmpty(Cause.stripFailures(exit.cause))
    if (failures.length === 1 && clean && isS2Error(only)) {
      return { _tag: "Failure", error: only }
    }
    return { _tag: "Defect", cause: Cause.pretty(exit.cause) }
  })

/** Open TCP sockets and servers of this process, by Node's own count. */
export const openTcpHandles = (): number =>
  process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap" || name === "TCPServerWrap").length

/** Waits until `check` holds, polling, for at most `ms`; answers the last result. */
export const eventually = async (check: () => boolean, ms: number): Promise<boolean> => {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}
