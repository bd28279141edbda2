/**
 * A Stream of an Effect operation as an `AsyncIterable`, pulled one chunk at a time through the client's runner,
 * so that aborting, closing and errors behave as for a single call.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { S2Config } from "../../S2Config.js"
import type { FetchOptions } from "../types.js"
import type { Runner } from "./run.js"

export const toAsyncIterable = <A, E>(
  runner: Runner,
  stream: Stream.Stream<A, E, S2Config>,
  fetchOptions: FetchOptions | undefined
): AsyncIterable<A> => ({
  [Symbol.asyncIterator]: (): AsyncIterator<A, undefined> => {
    let scope: Scope.CloseableScope | undefined
    let pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, S2Config> | undefined
    let unregister: (() => void) | undefined
    let buffer: ReadonlyArray<A> = []
    let index = 0
    let done = false

    const finish = async () => {
      done = true
      unregister?.()
      const open = scope
      scope = undefined
      if (open !== undefined) await Effect.runPromise(Scope.close(open, Exit.void))
    }

    const nextChunk = async (): Promise<boolean> => {
      if (pull === undefined) {
        const opened = Effect.runSync(Scope.make())
        scope = opened
        unregister = runner.onClose(finish)
        const result = await runner.run(Scope.extend(Stream.toPull(stream), opened), fetchOptions)
        if (!result.ok) return false
        pull = result.value
      }
      const result = await runner.run(pull, fetchOptions)
      if (result.ok) {
        buffer = Chunk.toReadonlyArray(result.value)
        index = 0
        return true
      }
      await finish()
      if (Option.isSome(result.error)) throw result.error.value
      return false
    }

    return {
      next: async () => {
        try {
          while (index >= buffer.length) {
            if (done || !(await nextChunk())) {
              await finish()
              return { done: true, value: undefined }
            }
          }
        } catch (error) {
          await finish()
          throw error
        }
        const value = buffer[index] as A
        index++
        return { done: false, value }
      },
      return: async () => {
        await finish()
        return { done: true, value: undefined }
      }
    }
  }
})
