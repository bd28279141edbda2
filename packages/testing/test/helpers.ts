import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { S2TestServer } from "../src/index.js"

export interface Answer {
  readonly status: number
  readonly contentType: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: any
}

export interface CallOptions {
  /** `null`: no authorization header; default: the root token. */
  readonly token?: Redacted.Redacted<string> | string | null
  readonly body?: unknown
  /** A raw body sent as is (with `contentType`). */
  readonly raw?: string
  readonly contentType?: string
}

/** One raw HTTP request to the test server, answering status, headers and body. */
export const call = (
  method: "GET" | "POST" | "DELETE" | "PUT",
  path: string,
  options: CallOptions = {}
): Effect.Effect<Answer, unknown, S2TestServer | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const server = yield* S2TestServer
    const client = yield* HttpClient.HttpClient
    const token = options.token === undefined ? server.rootToken : options.token
    let request = HttpClientRequest.make(method)(`${server.url}${path}`)
    if (token !== null) request = HttpClientRequest.bearerToken(request, token)
    if (options.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, options.body)
    if (options.raw !== undefined) {
      request = HttpClientRequest.bodyText(request, options.raw, options.contentType ?? "application/json")
    }
    const response = yield* client.execute(request)
    const text = yield* response.text
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return {
      status: response.status,
      contentType: response.headers["content-type"],
      headers: response.headers,
      text,
      json
    }
  })

/** Issues a token with the root token (or `as`) and returns its secret. */
export const issue = (
  body: Record<string, unknown>,
  as?: Redacted.Redacted<string> | string
): Effect.Effect<Redacted.Redacted<string>, unknown, S2TestServer | HttpClient.HttpClient> =>
  Effect.flatMap(call("POST", "/access-tokens", { body, ...(as === undefined ? {} : { token: as }) }), (answer) =>
    answer.status === 201
      ? Effect.succeed(Redacted.make(answer.json.access_token as string))
      : Effect.dieMessage(`issue failed: ${answer.status} ${answer.text}`)
  )

/** A scope that may do everything with access tokens whose ids start with `prefix`. */
export const tokenAdmin = (prefix = "") => ({
  access_tokens: { prefix },
  op_groups: { account: { read: true, write: true } }
})
