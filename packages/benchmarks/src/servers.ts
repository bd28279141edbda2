/**
 * The servers the benchmark runs against, in a child process of their own so that the parent's
 * `process.cpuUsage` counts the clients only:
 *
 * - `fixed`: a minimal node:http server with precomputed answers (a page of 1 or 1000 tokens, an issued
 *   secret, an empty 204), so that client cost dominates; `prefix=n<count>/` makes it page through `count`
 *   generated tokens, 1000 a page, for the list-all run.
 * - `testing`: the `@effect-s2/testing` loopback server, seeded with 1000 tokens.
 *
 * Prints one JSON line `{ fixed, testing, rootToken }` with the account endpoints, then serves until killed.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import type * as Net from "node:net"
import { AccessTokens, S2Config } from "@effect-s2/client"
import { S2TestServer } from "@effect-s2/testing"

const ROOT_TOKEN = "bench-root-token"
const SCOPE = { ops: ["read", "append"], streams: { prefix: "" } }

const token = (id: string) => ({ id, scope: SCOPE, auto_prefix_streams: false, expires_at: null })

const pageOf = (ids: ReadonlyArray<string>, hasMore: boolean) =>
  Buffer.from(JSON.stringify({ access_tokens: ids.map(token), has_more: hasMore }))

const PAGE_1 = pageOf(["bench/0000"], false)
const PAGE_1000 = pageOf(
  Array.from({ length: 1000 }, (_, i) => `bench/${String(i).padStart(4, "0")}`),
  false
)
const ISSUED = Buffer.from(JSON.stringify({ access_token: "c2VjcmV0LXRoYXQtaXMtbm90LXJlYWxseS1zZWNyZXQ" }))

/** A page of the generated listing `n<count>/000000 ...`, after `startAfter`. */
const generatedPage = (count: number, prefix: string, startAfter: string | null): Buffer => {
  const from = startAfter === null ? 0 : Number(startAfter.slice(prefix.length)) + 1
  const to = Math.min(count, from + 1000)
  const ids: Array<string> = []
  for (let i = from; i < to; i++) ids.push(`${prefix}${String(i).padStart(7, "0")}`)
  return pageOf(ids, to < count)
}

const send = (res: Http.ServerResponse, status: number, body?: Buffer) => {
  if (body === undefined) {
    res.writeHead(status)
    res.end()
    return
  }
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length })
  res.end(body)
}

const fixed = Http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://x")
    if (req.method === "POST") return send(res, 201, ISSUED)
    if (req.method === "DELETE") return send(res, 204)
    const prefix = url.searchParams.get("prefix") ?? ""
    const generated = /^n(\d+)\/$/.exec(prefix)
    if (generated !== null) {
      return send(res, 200, generatedPage(Number(generated[1]), prefix, url.searchParams.get("start_after")))
    }
    send(res, 200, url.searchParams.get("limit") === "1" ? PAGE_1 : PAGE_1000)
  })
})
fixed.keepAliveTimeout = 60_000

const listen = (server: Http.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as Net.AddressInfo).port))
  )

const main = Effect.gen(function* () {
  const port = yield* Effect.promise(() => listen(fixed))
  const server = yield* S2TestServer
  // 1000 tokens, so that a page of 1 and a page of 1000 can be listed.
  yield* Effect.forEach(
    Array.from({ length: 1000 }, (_, i) => `bench/${String(i).padStart(4, "0")}`),
    (id) => AccessTokens.issueAccessToken({ id, scope: { ops: ["read"] } }),
    { concurrency: 16, discard: true }
  ).pipe(
    Effect.provide(
      S2Config.layer({ accessToken: server.rootToken, accountEndpoint: server.url }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
  )
  console.log(JSON.stringify({ fixed: `http://127.0.0.1:${port}/v1`, testing: server.url, rootToken: ROOT_TOKEN }))
  yield* Effect.never
}).pipe(Effect.provide(S2TestServer.layerLoopback({ rootToken: Redacted.make(ROOT_TOKEN) })), Effect.scoped)

Effect.runFork(main)
