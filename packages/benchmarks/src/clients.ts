/**
 * The four clients under test, behind one shape: (a) raw `fetch` + `JSON.parse`, (b) the official
 * `@s2-dev/streamstore`, (c) our Effect API, (d) our Promise edge.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { S2 as OfficialS2 } from "@s2-dev/streamstore"
import { AccessTokens, S2Config, S2Retry } from "@effect-s2/client"
import { S2 as PromiseS2 } from "@effect-s2/client/promise"

export type Op = "list1" | "list1000" | "issue" | "revoke"

export interface Client {
  readonly name: string
  /** Runs `ids.length` requests of `op`, `concurrency` at a time; `ids` name the tokens to issue or revoke. */
  readonly batch: (op: Op, ids: ReadonlyArray<string>, concurrency: number) => Promise<void>
  /** Lists every token under `prefix`, 1000 a page, calling `each` for every token; answers how many it saw. */
  readonly listAll: (prefix: string, each: () => void) => Promise<number>
  readonly close: () => Promise<void>
}

const SCOPE = { ops: ["read" as const] }

/** A fixed pool of `concurrency` loops over the ids: what an application with that many callers does. */
const pool = async (ids: ReadonlyArray<string>, concurrency: number, call: (id: string) => Promise<unknown>) => {
  let next = 0
  const loop = async () => {
    while (next < ids.length) await call(ids[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, loop))
}

export const rawFetch = (endpoint: string, token: string): Client => {
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" }
  const check = (response: Response) => {
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
  }
  const call = async (op: Op, id: string) => {
    if (op === "issue") {
      const response = await fetch(`${endpoint}/access-tokens`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ id, scope: SCOPE })
      })
      check(response)
      return JSON.parse(await response.text())
    }
    if (op === "revoke") {
      const response = await fetch(`${endpoint}/access-tokens/${encodeURIComponent(id)}`, {
        method: "DELETE",
        headers
      })
      check(response)
      return response.arrayBuffer()
    }
    const response = await fetch(`${endpoint}/access-tokens?limit=${op === "list1" ? 1 : 1000}`, { headers })
    check(response)
    return JSON.parse(await response.text())
  }
  return {
    name: "(a) fetch + JSON.parse",
    batch: (op, ids, concurrency) => pool(ids, concurrency, (id) => call(op, id)),
    listAll: async (prefix, each) => {
      let seen = 0
      let startAfter: string | undefined
      for (;;) {
        const after = startAfter === undefined ? "" : `&start_after=${encodeURIComponent(startAfter)}`
        const response = await fetch(`${endpoint}/access-tokens?prefix=${encodeURIComponent(prefix)}${after}`, {
          headers
        })
        check(response)
        const page = JSON.parse(await response.text()) as {
          access_tokens: Array<{ id: string }>
          has_more: boolean
        }
        for (const _ of page.access_tokens) each()
        seen += page.access_tokens.length
        if (!page.has_more) return seen
        startAfter = page.access_tokens.at(-1)?.id
      }
    },
    close: async () => {}
  }
}

export const official = (endpoint: string, token: string): Client => {
  const s2 = new OfficialS2({ accessToken: token, endpoints: { account: endpoint } })
  const call = (op: Op, id: string): Promise<unknown> =>
    op === "issue"
      ? s2.accessTokens.issue({ id, scope: SCOPE })
      : op === "revoke"
        ? s2.accessTokens.revoke({ id })
        : s2.accessTokens.list({ limit: op === "list1" ? 1 : 1000 })
  return {
    name: "(b) @s2-dev/streamstore",
    batch: (op, ids, concurrency) => pool(ids, concurrency, (id) => call(op, id)),
    listAll: async (prefix, each) => {
      let seen = 0
      for await (const _ of s2.accessTokens.listAll({ prefix })) {
        each()
        seen++
      }
      return seen
    },
    close: async () => {}
  }
}

export const effectApi = (endpoint: string, token: string): Client => {
  const runtime = ManagedRuntime.make(
    S2Config.layer({ accessToken: Redacted.make(token), accountEndpoint: endpoint, retry: S2Retry.none }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
  )
  const call = (op: Op, id: string) =>
    op === "issue"
      ? AccessTokens.issueAccessToken({ id, scope: SCOPE })
      : op === "revoke"
        ? AccessTokens.revokeAccessToken({ id })
        : AccessTokens.listAccessTokens({ limit: op === "list1" ? 1 : 1000 })
  return {
    name: "(c) effect-s2 Effect",
    // Composed as an Effect program would be: one fiber per request, `concurrency` at a time.
    batch: (op, ids, concurrency) =>
      runtime.runPromise(Effect.forEach(ids, (id) => call(op, id), { concurrency, discard: true })),
    listAll: (prefix, each) =>
      runtime.runPromise(
        Stream.runFold(AccessTokens.listAllAccessTokens({ prefix }), 0, (n) => {
          each()
          return n + 1
        }) as Effect.Effect<number, unknown>
      ),
    close: () => runtime.dispose()
  }
}

export const promiseEdge = (endpoint: string, token: string): Client => {
  const s2 = new PromiseS2({ bearerAuth: token, serverURL: endpoint, retryConfig: { strategy: "none" } })
  const call = (op: Op, id: string): Promise<unknown> =>
    op === "issue"
      ? s2.accessTokens.issueAccessToken({ id, scope: SCOPE })
      : op === "revoke"
        ? s2.accessTokens.revokeAccessToken({ id })
        : s2.accessTokens.listAccessTokens({ limit: op === "list1" ? 1 : 1000 })
  return {
    name: "(d) effect-s2 Promise",
    batch: (op, ids, concurrency) => pool(ids, concurrency, (id) => call(op, id)),
    listAll: async (prefix, each) => {
      let seen = 0
      for await (const _ of s2.accessTokens.listAllAccessTokens({ prefix })) {
        each()
        seen++
      }
      return seen
    },
    close: () => s2.close()
  }
}

export const CLIENTS = [rawFetch, official, effectApi, promiseEdge] as const

/**
 * Not a client of S2: the same requests with nothing but Effect's HttpClient and Schema (no spans of ours, no
 * retry, no timeout, `response.json`), to tell our cost from the platform's.
 */
export const effectFloor = (endpoint: string, token: string): Client => {
  const runtime = ManagedRuntime.make(FetchHttpClient.layer)
  const Page = Schema.Struct({
    access_tokens: Schema.Array(Schema.Struct({ id: Schema.String, scope: Schema.Unknown })),
    has_more: Schema.Boolean
  })
  const Issued = Schema.Struct({ access_token: Schema.String })
  const call = (op: Op, id: string) =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const base = `${endpoint}/access-tokens`
      const request =
        op === "issue"
          ? HttpClientRequest.post(base).pipe(HttpClientRequest.bodyUnsafeJson({ id, scope: SCOPE }))
          : op === "revoke"
            ? HttpClientRequest.del(`${base}/${encodeURIComponent(id)}`)
            : HttpClientRequest.get(base, { urlParams: { limit: op === "list1" ? 1 : 1000 } })
      const response = yield* client.execute(HttpClientRequest.bearerToken(request, token))
      if (op === "revoke") return yield* response.arrayBuffer
      return op === "issue"
        ? yield* HttpClientResponse.schemaBodyJson(Issued)(response)
        : yield* HttpClientResponse.schemaBodyJson(Page)(response)
    })
  return {
    name: "(e) floor: Effect HttpClient + Schema",
    batch: (op, ids, concurrency) =>
      runtime.runPromise(Effect.forEach(ids, (id) => call(op, id), { concurrency, discard: true })),
    listAll: async () => 0,
    close: () => runtime.dispose()
  }
}
