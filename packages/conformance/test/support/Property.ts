/**
 * Runs a fast-check property whose body is an Effect, on the runtime of the calling test. Runs are
 * deterministic: one fixed seed (override with CONFORMANCE_SEED), printed by fast-check on failure together
 * with the shrunk counterexample.
 */
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Runtime from "effect/Runtime"

export const SEED = Number(process.env.CONFORMANCE_SEED ?? 20_260_514)

export const checkProperty = <A, R>(
  arbitrary: FastCheck.Arbitrary<A>,
  numRuns: number,
  property: (input: A) => Effect.Effect<void, unknown, R>
): Effect.Effect<void, never, R> =>
  Effect.flatMap(Effect.runtime<R>(), (runtime) => {
    const run = Runtime.runPromise(runtime)
    return Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(arbitrary, (input) => run(property(input))),
        { seed: SEED, numRuns }
      )
    )
  })
