/**
 * Prism (`@stoplight/prism-cli`) as a scoped resource: started on 127.0.0.1 with a free port, stopped (and
 * waited for) when the scope closes, so no process outlives the tests.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The published spec, copied into this package (see spec/PROVENANCE.md). */
export const SPEC_PATH = fileURLToPath(new URL("../../spec/openapi.json", import.meta.url))

export type OpenApi = {
  readonly servers?: ReadonlyArray<{ readonly url: string }>
  readonly paths: Record<string, Record<string, unknown>>
  readonly components: { readonly schemas: Record<string, unknown> }
}

export const readSpec = (): OpenApi => JSON.parse(Fs.readFileSync(SPEC_PATH, "utf8")) as OpenApi

/**
 * The spec as Prism must see it. In OpenAPI a path is appended to the server URL, so the spec's
 * `https://aws.s2.dev/v1` + `/access-tokens` is `/v1/access-tokens` on the wire, which is what the client sends
 * (it appends `/v1` to an endpoint without a path). Prism matches request paths against `paths` alone and
 * ignores the servers' base path, so the base path is moved into every path here; nothing else changes.
 */
export const prismDocument = (spec: OpenApi): OpenApi => {
  const basePath = new URL(spec.servers?.[0]?.url ?? "http://localhost/").pathname.replace(/\/+$/, "")
  const paths: Record<string, Record<string, unknown>> = {}
  for (const [path, item] of Object.entries(spec.paths)) {
    const { servers: _servers, ...rest } = item
    paths[`${basePath}${path}`] = rest
  }
  const { servers: _servers, ...rest } = spec
  return { ...rest, paths }
}

export class PrismError extends Data.TaggedError("PrismError")<{ readonly message: string }> {}

export type Mode = { readonly _tag: "Mock" } | { readonly _tag: "Proxy"; readonly upstream: string }

export interface PrismService {
  /** Where Prism listens, e.g. `http://127.0.0.1:41234`; the account endpoint is this plus `/v1`. */
  readonly url: string
  /** Prism's own log so far, for failure messages. */
  readonly log: () => string
}

const cli = createRequire(import.meta.url).resolve("@stoplight/prism-cli/dist/index.js")

const STARTUP = Duration.seconds(30)

/** Stops the process and waits for it; SIGKILL if it does not exit on SIGTERM within 5 seconds. */
const stop = (child: ChildProcess.ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const force = setTimeout(() => child.kill("SIGKILL"), 5000)
    child.once("exit", () => {
      clearTimeout(force)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

/**
 * Starts `prism mock` (validating every request) or `prism proxy` (validating requests and the upstream's
 * responses). Violations come back in each response's `sl-violations` header; the response itself is left
 * as it is (no `--errors`), so the tests see both.
 */
export const start = (mode: Mode): Effect.Effect<PrismService, PrismError, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-s2-prism-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const document = Path.join(dir, "openapi.json")
    Fs.writeFileSync(document, JSON.stringify(prismDocument(readSpec())))

    const command = mode._tag === "Mock" ? ["mock", document] : ["proxy", document, mode.upstream]
    const args = [
      cli,
      ...command,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      // One process: stopping it stops Prism (the forked mode would leave a worker to reap).
      "--multiprocess=false",
      "--errors=false",
      "--cors=false"
    ]
    let log = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const child = ChildProcess.spawn(process.execPath, args, {
          stdio: ["ignore", "pipe", "pipe"],
          // No colours in the log we quote; NODE_ENV=production would switch Prism to its forked mode.
          env: { ...process.env, FORCE_COLOR: "0", NODE_ENV: "test" }
        })
        // If the test process exits without closing the scope (a crash, a killed worker), Prism goes too.
        const onExit = () => child.kill("SIGKILL")
        process.once("exit", onExit)
        child.once("exit", () => process.off("exit", onExit))
        return child
      }),
      stop
    )
    const append = (chunk: Buffer) => {
      log += chunk.toString("utf8")
      // Keep the tail only: a long run logs every request.
      if (log.length > 200_000) log = log.slice(-100_000)
    }
    child.stdout?.on("data", append)
    child.stderr?.on("data", append)

    const url = yield* Effect.async<string, PrismError>((resume) => {
      const onData = () => {
        const match = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
        if (match !== null) {
          cleanup()
          resume(Effect.succeed(match[1]!))
        }
      }
      const onExit = (code: number | null) => {
        cleanup()
        resume(Effect.fail(new PrismError({ message: `Prism exited (${code}) before listening:\n${log}` })))
      }
      const cleanup = () => {
        child.stdout?.off("data", onData)
        child.off("exit", onExit)
      }
      child.stdout?.on("data", onData)
      child.once("exit", onExit)
      onData()
      return Effect.sync(cleanup)
    }).pipe(
      Effect.timeoutFail({
        duration: STARTUP,
        onTimeout: () => new PrismError({ message: `Prism did not start within 30s:\n${log}` })
      })
    )
    return { url, log: () => log }
  })

export class Prism extends Context.Tag("@effect-s2/conformance/Prism")<Prism, PrismService>() {
  static readonly mock: Layer.Layer<Prism, PrismError> = Layer.scoped(Prism, start({ _tag: "Mock" }))
}
