/**
 * Where an Effect operation becomes a Promise: one runtime per client, calls tracked so that `close()`
 * can end them, and failures handed over as they are (never a FiberFailure or a squashed Cause).
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import type { RequestOptions as EffectRequestOptions } from "../../AccessTokens.js"
import type { S2Config } from "../../S2Config.js"
import { toPolicy } from "../lib/retries.js"
import type { FetchOptions, RequestOptions, Result } from "../types.js"

/** Runs the operations of one client. */
export interface Runner {
  /**
   * Runs an operation. Resolves to its value or its failure; rejects with the signal's reason when
   * `fetchOptions.signal` aborts, with an `AbortError` when the client is or gets closed, and with the defect
   * itself if the operation dies.
   */
  readonly run: <A, E>(effect: Effect.Effect<A, E, S2Config>, fetchOptions?: FetchOptions) => Promise<Result<A, E>>
  /** Registers clean-up to run on `close()`; returns a function that unregisters it. */
  readonly onClose: (finalizer: () => Promise<void>) => () => void
  /** Ends every running call, runs the clean-up, and releases the runtime. Idempotent. */
  readonly close: () => Promise<void>
}

const closedError = () => new DOMException("The S2 client is closed", "AbortError")

/** Makes the runner of a client around its runtime, which is built on the first call. */
export const makeRunner = (runtime: ManagedRuntime.ManagedRuntime<S2Config, never>): Runner => {
  const fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  const finalizers = new Set<() => Promise<void>>()
  let closing: Promise<void> | undefined

  const run = <A, E>(effect: Effect.Effect<A, E, S2Config>, fetchOptions?: FetchOptions): Promise<Result<A, E>> => {
    if (closing !== undefined) return Promise.reject(closedError())
    // FetchHttpClient reads the RequestInit service when it sends; it uses its own signal, so ours is handled here.
    const { signal, ...init } = fetchOptions ?? {}
    if (signal?.aborted) return Promise.reject(signal.reason)

    return new Promise<Result<A, E>>((resolve, reject) => {
      let settled = false
      const fiber = runtime.runFork(Effect.provideService(effect, FetchHttpClient.RequestInit, init))
      const onAbort = () => {
        if (settled) return
        settled = true
        reject(signal?.reason)
        // Interrupting the fiber aborts the HTTP request; its exit is then ignored.
        fiber.unsafeInterruptAsFork(FiberId.none)
      }
      fibers.add(fiber)
      signal?.addEventListener("abort", onAbort, { once: true })
      fiber.addObserver((exit) => {
        fibers.delete(fiber)
        signal?.removeEventListener("abort", onAbort)
        if (settled) return
        settled = true
        if (Exit.isSuccess(exit)) return resolve({ ok: true, value: exit.value })
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure)) return resolve({ ok: false, error: failure.value })
        reject(Cause.isInterruptedOnly(exit.cause) ? closedError() : Cause.squash(exit.cause))
      })
    })
  }

  const onClose = (finalizer: () => Promise<void>) => {
    finalizers.add(finalizer)
    return () => {
      finalizers.delete(finalizer)
    }
  }

  const close = () => {
    closing ??= (async () => {
      await Promise.all(Array.from(fibers, (fiber) => Effect.runPromise(Fiber.interrupt(fiber))))
      await Promise.all(Array.from(finalizers, (finalizer) => finalizer()))
      await runtime.dispose()
    })()
    return closing
  }

  return { run, onClose, close }
}

const runners = new WeakMap<object, Runner>()

/** Attaches a runner to a client object, keeping the runtime out of sight of `inspect` and `JSON.stringify`. */
export const register = (client: object, runner: Runner): void => {
  runners.set(client, runner)
}

/** The runner of a client; throws a `TypeError` for an object that is not one. */
export const runnerOf = (client: object): Runner => {
  const runner = runners.get(client)
  if (runner === undefined) throw new TypeError("expected an S2Core or S2 client")
  return runner
}

/** A time limit in milliseconds as a Duration; `0` or less means none. */
export const timeoutOf = (name: string, ms: number): Duration.Duration => {
  if (typeof ms !== "number" || Number.isNaN(ms)) throw new RangeError(`${name} must be a number of milliseconds`)
  return ms > 0 ? Duration.millis(ms) : Duration.infinity
}

/** The per-call options of the Effect operations. Throws a `RangeError` for invalid retries or timeout. */
export const effectOptions = (options: RequestOptions | undefined): EffectRequestOptions => ({
  ...(options?.retries === undefined ? {} : { retry: toPolicy(options.retries) }),
  ...(options?.timeoutMs === undefined ? {} : { timeout: timeoutOf("timeoutMs", options.timeoutMs) })
})
