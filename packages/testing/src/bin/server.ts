/**
 * Runs the S2 test server on 127.0.0.1 until interrupted, and prints its account endpoint and root token.
 *
 *   pnpm --filter @effect-s2/testing serve [--port 8080]
 *
 * The root token is random unless `S2_TEST_ROOT_TOKEN` is set. Printing it is the point of this command:
 * it is a local, throwaway credential.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { makeLoopback } from "../S2TestServer.js"

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}

const port = Number(argument("--port") ?? "0")
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${argument("--port")}`)
  process.exit(2)
}

const rootToken = process.env.S2_TEST_ROOT_TOKEN

const program = Effect.gen(function* () {
  const server = yield* makeLoopback({ port, rootToken })
  console.log(`S2 test server listening on ${server.url}`)
  console.log(`S2_ACCOUNT_ENDPOINT=${server.url}`)
  console.log(`S2_ACCESS_TOKEN=${Redacted.value(server.rootToken)}`)
  console.log("Press Ctrl-C to stop.")
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
