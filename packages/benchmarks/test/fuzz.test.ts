/**
 * Fuzzed responses on loopback: random bytes, truncated JSON, JSON of the wrong shape, deep nesting, huge and
 * endless bodies, bodies that stall, lying content lengths. Every call must end in a typed error (or a value,
 * when the fuzz happens to be valid) within its timeout, and memory must stay bounded.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import type * as Net from "node:net"
import { AccessTokens, S2Config, S2Retry } from "@effect-s2/client"
import { numberFromEnv, openTcpHandles, outcome, Prng, seedFromEnv } from "./support.js"

const SEED = seedFromEnv()
const CALLS = numberFromEnv("S2_FUZZ_CALLS", 120)
const TIMEOUT_MS = 1000
const MiB = 1024 * 1024

type Case = (prng: Prng, res: Http.ServerResponse) => void

const json = (res: Http.ServerResponse, status: number, body: string | Uint8Array) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(body)
}

const page = (n: number) =>
  JSON.stringify({
    access_tokens: Array.from({ length: n }, (_, i) => ({ id: `t/${i}`, scope: { ops: ["read"] } })),
    has_more: false
  })

/** Writes `chunk` until the client goes away or `limit` bytes are out; never buffers more than the socket. */
const pump = (res: Http.ServerResponse, chunk: Uint8Array, limit: number) => {
  let sent = 0
  const write = () => {
    while (sent < limit && !res.destroyed) {
      sent += chunk.length
      if (!res.write(chunk)) return void res.once("drain", write)
    }
    if (!res.destroyed) res.end()
  }
  write()
}

const STATUSES = [200, 201, 204, 400, 401, 403, 404, 408, 409, 418, 422, 429, 500, 502, 503, 504, 599]

const CASES: Record<string, Case> = {
  randomBytes: (prng, res) => json(res, prng.pick(STATUSES), prng.bytes(prng.int(4096))),
  truncatedJson: (prng, res) => {
    const text = page(1 + prng.int(50))
    json(res, prng.pick([200, 201, 503]), text.slice(0, prng.int(text.length)))
  },
  wrongShape: (prng, res) =>
    json(
      res,
      prng.pick([200, 201, 400, 503]),
      JSON.stringify(
        prng.pick([
          null,
          42,
          "text",
          [],
          { access_tokens: "no" },
          { access_tokens: [{ id: 1 }], has_more: "yes" },
          { access_token: 7 },
          { code: 5, message: [] },
          { access_tokens: [{ id: "", scope: {} }], has_more: false }
        ])
      )
    ),
  // Deeper nesting crashes the client today: see the pinned test below.
  deepNesting: (prng, res) => json(res, prng.pick([200, 500]), nested(1000)),
  hugeValid: (_prng, res) => {
    // A page far above the client's 16 MiB cap, as one valid JSON document that never ends in time.
    res.writeHead(200, { "content-type": "application/json" })
    res.write('{"access_tokens":[')
    pump(res, new TextEncoder().encode(`{"id":"${"x".repeat(90)}","scope":{}},`.repeat(1000)), 40 * MiB)
  },
  endless: (prng, res) => {
    res.writeHead(prng.pick([200, 500]), { "content-type": "application/json" })
    pump(res, prng.bytes(64 * 1024), Number.POSITIVE_INFINITY)
  },
  stallBeforeHeaders: () => {},
  stallMidBody: (prng, res) => {
    res.writeHead(prng.pick([200, 201, 503]), { "content-type": "application/json" })
    res.write(page(3).slice(0, 20))
  },
  shortContentLength: (_prng, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "5000" })
    res.write(page(2))
    setTimeout(() => res.socket?.destroy(), 10)
  },
  resetAfterHeaders: (_prng, res) => {
    res.writeHead(201, { "content-type": "application/json" })
    res.flushHeaders()
    setTimeout(() => res.socket?.destroy(), 5)
  }
}

const CASE_NAMES = Object.keys(CASES)

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`
}

describe("fuzzed responses", () => {
  it.live(
    `end in a typed error within the timeout, with bounded memory (seed ${SEED})`,
    () =>
      Effect.gen(function* () {
        console.log(`fuzz: seed ${SEED}, ${CALLS} calls`)
        const sockets = new Set<Net.Socket>()
        const server = Http.createServer((req, res) => {
          const prng = new Prng(SEED + Number(req.headers["x-fuzz-seed"] ?? 0))
          const name = String(req.headers["x-fuzz-case"])
          req.resume()
          CASES[name]?.(prng, res)
        })
        server.on("connection", (socket) => {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
        })
        const tcpBefore = openTcpHandles()
        yield* Effect.acquireRelease(
          Effect.async<void>((resume) => {
            server.listen(0, "127.0.0.1", () => resume(Effect.void))
          }),
          () =>
            Effect.async<void>((resume) => {
              for (const socket of sockets) socket.destroy()
              server.close(() => resume(Effect.void))
            })
        )
        const port = (server.address() as Net.AddressInfo).port
        const config = S2Config.layer({
          accessToken: Redacted.make("fuzz-root-token"),
          accountEndpoint: `http://127.0.0.1:${port}/v1`,
          retry: S2Retry.none,
          timeout: Duration.millis(TIMEOUT_MS)
        }).pipe(Layer.provide(FetchHttpClient.layer))

        const baseline = process.memoryUsage()
        let peakHeap = baseline.heapUsed
        let peakExternal = baseline.external + baseline.arrayBuffers
        const sampler = setInterval(() => {
          const now = process.memoryUsage()
          peakHeap = Math.max(peakHeap, now.heapUsed)
          peakExternal = Math.max(peakExternal, now.external + now.arrayBuffers)
        }, 5)

        const prng = new Prng(SEED)
        const problems: Array<string> = []
        const seen: Record<string, Record<string, number>> = {}
        yield* Effect.forEach(
          Array.from({ length: CALLS }, (_, i) => i),
          (i) =>
            Effect.gen(function* () {
              const name = CASE_NAMES[i % CASE_NAMES.length]!
              const headers = { "x-fuzz-case": name, "x-fuzz-seed": String(prng.int(2 ** 30)) }
              const op = prng.pick(["list", "issue", "revoke"] as const)
              const call =
                op === "list"
                  ? AccessTokens.listAccessTokens({ limit: 10 }, { headers })
                  : op === "issue"
                    ? AccessTokens.issueAccessToken({ id: `f/${i}`, scope: {} }, { headers })
                    : AccessTokens.revokeAccessToken({ id: `f/${i}` }, { headers })
              const started = Date.now()
              const result = yield* outcome(call)
              const took = Date.now() - started
              const what = result._tag === "Failure" ? `${result.error._tag} ${result.error.status}` : result._tag
              const label = `${op} ${what}`
              seen[name] = { ...seen[name], [label]: (seen[name]?.[label] ?? 0) + 1 }
              if (result._tag === "Defect") problems.push(`${op} ${name}: defect ${result.cause}`)
              // The timeout bounds each attempt; a busy machine gets a second on top.
              if (took > TIMEOUT_MS + 1000) problems.push(`${op} ${name}: took ${took} ms`)
            }).pipe(Effect.provide(config)),
          { concurrency: 4, discard: true }
        )
        clearInterval(sampler)
        console.log(`fuzz: outcomes ${JSON.stringify(seen)}`)
        console.log(
          `fuzz: peak heap +${((peakHeap - baseline.heapUsed) / MiB).toFixed(1)} MiB, ` +
            `peak external +${((peakExternal - baseline.external - baseline.arrayBuffers) / MiB).toFixed(1)} MiB`
        )

        assert.deepStrictEqual(problems.slice(0, 10), [], `seed ${SEED}`)
        // Four calls at a time, each holding at most the 16 MiB cap (bytes, then text): far below this bound.
        assert.isBelow(peakHeap - baseline.heapUsed, 400 * MiB, "heap")
        assert.isBelow(peakExternal - baseline.external - baseline.arrayBuffers, 400 * MiB, "buffers")
        for (const name of ["hugeValid", "endless", "stallBeforeHeaders", "stallMidBody"]) {
          assert.isDefined(seen[name], `case ${name} ran`)
          // Revoking reads no body, so any 2xx is a success; the others must fail.
          assert.notProperty(seen[name], "list Success", `case ${name} cannot succeed`)
          assert.notProperty(seen[name], "issue Success", `case ${name} cannot succeed`)
        }
        return tcpBefore
      }).pipe(
        Effect.scoped,
        Effect.flatMap((tcpBefore) =>
          Effect.promise(async () => {
            await new Promise((resolve) => setTimeout(resolve, 200))
            assert.isAtMost(openTcpHandles(), tcpBefore, "TCP handles left open")
          })
        )
      ),
    120_000
  )
})

describe("a deeply nested response body", () => {
  // The error formats the value it could not decode; one nested too deeply to print must not crash the call.
  it.live("of a list is an APIError, not a defect", () =>
    Effect.gen(function* () {
      const server = Http.createServer((req, res) => {
        req.resume()
        json(res, 200, nested(100_000))
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as Net.AddressInfo).port
      const result = yield* outcome(AccessTokens.listAccessTokens()).pipe(
        Effect.provide(
          S2Config.layer({
            accessToken: Redacted.make("fuzz-root-token"),
            accountEndpoint: `http://127.0.0.1:${port}/v1`,
            retry: S2Retry.none
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      assert.strictEqual(result._tag === "Failure" ? result.error._tag : result._tag, "APIError")
    }).pipe(Effect.scoped)
  )
})
