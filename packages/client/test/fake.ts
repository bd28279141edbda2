/**
 * An in-memory HTTP client that answers with scripted replies and records what it was sent.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { S2Config, type S2ConfigOptions } from "../src/S2Config.js"

export type Reply =
  | {
      readonly status: number
      readonly json?: unknown
      readonly text?: string
      readonly headers?: Record<string, string>
    }
  | { readonly transport: string }
  | { readonly hang: true }

export interface Sent {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: unknown
  readonly signal: AbortSignal
}

export const TOKEN = "tok-4d9f0c1e2b7a-root-secret"

const decoder = new TextDecoder()

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown =>
  request.body._tag === "Uint8Array" ? JSON.parse(decoder.decode(request.body.body)) : undefined

const transportFailure = (request: HttpClientRequest.HttpClientRequest, code: string) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) })
  })

/**
 * A fake whose replies are taken in order (the last one repeats), or computed from the request.
 */
export const makeFake = (replies: ReadonlyArray<Reply | ((sent: Sent) => Reply)>) => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const entry: Sent = {
        method: request.method,
        url,
        headers: { ...request.headers },
        body: bodyOf(request),
        signal
      }
      sent.push(entry)
      const next = replies[Math.min(sent.length - 1, replies.length - 1)]
      const reply = typeof next === "function" ? next(entry) : next
      if (reply === undefined) return Effect.die("no reply scripted")
      if ("hang" in reply) return Effect.never
      if ("transport" in reply) return Effect.fail(transportFailure(request, reply.transport))
      const text = reply.text ?? (reply.json === undefined ? null : JSON.stringify(reply.json))
      const headers = { ...(reply.json === undefined ? {} : { "content-type": "application/json" }), ...reply.headers }
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(text, { status: reply.status, headers })))
    })
  )
  return { sent, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** `S2Config` on top of a fake, with the test token and a test endpoint. */
export const configLayer = (
  replies: ReadonlyArray<Reply | ((sent: Sent) => Reply)>,
  options: Partial<S2ConfigOptions> = {}
) => {
  const fake = makeFake(replies)
  const layer = S2Config.layer({
    accessToken: Redacted.make(TOKEN),
    accountEndpoint: "http://s2.test",
    ...options
  }).pipe(Layer.provide(fake.layer), Layer.orDie)
  return { ...fake, layer }
}

export const errorBody = (
  status: number,
  code: string,
  message = `${code} happened`,
  headers?: Record<string, string>
) => ({ status, json: { code, message }, ...(headers === undefined ? {} : { headers }) }) as const
