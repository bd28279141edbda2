/**
 * A fake `fetch` for the Promise client: scripted replies, and a record of every request it was handed.
 */

export type Reply =
  | {
      readonly status: number
      readonly json?: unknown
      readonly text?: string
      readonly headers?: Record<string, string>
    }
  /** `fetch` rejects, as undici does when the connection fails. */
  | { readonly connectionError: string }
  /** No answer until the request's signal aborts. */
  | { readonly hang: true }

export interface FetchCall {
  readonly url: URL
  readonly method: string
  readonly headers: Headers
  readonly init: RequestInit
  readonly body: unknown
  readonly signal: AbortSignal
}

export const TOKEN = "tok-promise-edge-7f3a9c-secret"
export const SERVER_URL = "http://127.0.0.1:9/v1"

const connectionError = (code: string) =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code}`), { code }) })

/** Replies are taken in order, the last one repeating, or computed from the call. */
export const makeFetch = (replies: ReadonlyArray<Reply | ((call: FetchCall) => Reply)>) => {
  const calls: Array<FetchCall> = []
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const signal = init.signal ?? new AbortController().signal
    const text =
      typeof init.body === "string"
        ? init.body
        : init.body == null
          ? ""
          : new TextDecoder().decode(init.body as Uint8Array)
    const call: FetchCall = {
      url: new URL(input instanceof Request ? input.url : String(input)),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      init,
      body: text === "" ? undefined : JSON.parse(text),
      signal
    }
    calls.push(call)
    if (signal.aborted) throw signal.reason
    const next = replies[Math.min(calls.length - 1, replies.length - 1)]
    const reply = typeof next === "function" ? next(call) : next
    if (reply === undefined) throw new Error("no reply scripted")
    if ("connectionError" in reply) throw connectionError(reply.connectionError)
    if ("hang" in reply) {
      return new Promise<Response>((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true })
      })
    }
    const body = reply.text ?? (reply.json === undefined ? null : JSON.stringify(reply.json))
    const headers = { ...(reply.json === undefined ? {} : { "content-type": "application/json" }), ...reply.headers }
    return new Response(body, { status: reply.status, headers })
  }
  return { calls, fetch: fetch as typeof globalThis.fetch }
}

export const errorReply = (status: number, code: string, message = `${code} happened`): Reply => ({
  status,
  json: { code, message }
})

/** Resolves once `predicate` holds, polling on the event loop. */
export const until = async (predicate: () => boolean, timeoutMs = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}
