import * as util from "node:util"
import { describe, expect, it } from "vitest"
import {
  accessTokensIssueAccessToken,
  accessTokensListAccessTokens,
  accessTokensRevokeAccessToken,
  APIError,
  ErrorResponse,
  RetryableError,
  S2,
  S2Core
} from "../../src/promise/index.js"
import { errorReply, makeFetch, SERVER_URL, TOKEN } from "./fakeFetch.js"

const listed = {
  access_tokens: [
    {
      id: "ci/builder",
      scope: { basins: { prefix: "ci-" }, streams: null, access_tokens: null, op_groups: null, ops: ["append"] },
      auto_prefix_streams: false,
      expires_at: "2030-01-02T03:04:05Z"
    }
  ],
  has_more: false
}

const noRetries = { strategy: "none" } as const

describe("S2", () => {
  it("lists access tokens as plain data", async () => {
    const { calls, fetch } = makeFetch([{ status: 200, json: listed }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const result = await s2.accessTokens.listAccessTokens({ prefix: "ci/", startAfter: "ci/a", limit: 10 })
    await s2.close()

    expect(result).toEqual({
      accessTokens: [
        {
          id: "ci/builder",
          scope: { basins: { prefix: "ci-" }, streams: null, accessTokens: null, opGroups: null, ops: ["append"] },
          autoPrefixStreams: false,
          expiresAt: new Date("2030-01-02T03:04:05Z")
        }
      ],
      hasMore: false
    })
    expect(result.accessTokens[0]?.expiresAt).toBeInstanceOf(Date)
    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call?.method).toBe("GET")
    expect(call?.url.pathname).toBe("/v1/access-tokens")
    expect(Object.fromEntries(call?.url.searchParams ?? [])).toEqual({
      prefix: "ci/",
      start_after: "ci/a",
      limit: "10"
    })
    expect(call?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`)
  })

  it("issues an access token and resolves to its secret as a string", async () => {
    const { calls, fetch } = makeFetch([{ status: 201, json: { access_token: "issued-secret" } }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const result = await s2.accessTokens.issueAccessToken({
      id: "svc/a",
      scope: { streams: { prefix: "a/" }, opGroups: { stream: { read: true } } },
      autoPrefixStreams: true,
      expiresAt: new Date("2031-05-06T07:08:09.000Z")
    })
    await s2.close()

    expect(result).toEqual({ accessToken: "issued-secret" })
    expect(typeof result.accessToken).toBe("string")
    expect(calls[0]?.method).toBe("POST")
    expect(calls[0]?.body).toEqual({
      id: "svc/a",
      scope: { streams: { prefix: "a/" }, op_groups: { stream: { read: true } } },
      auto_prefix_streams: true,
      expires_at: "2031-05-06T07:08:09.000Z"
    })
  })

  it("revokes an access token and resolves to undefined", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const result = await s2.accessTokens.revokeAccessToken({ id: "a/b c" })
    await s2.close()

    expect(result).toBeUndefined()
    expect(calls[0]?.method).toBe("DELETE")
    expect(calls[0]?.url.pathname).toBe("/v1/access-tokens/a%2Fb%20c")
  })

  it.each([
    [400, "bad_query"],
    [401, "authn"],
    [403, "permission_denied"],
    [404, "access_token_not_found"],
    [409, "resource_already_exists"],
    [422, "invalid"]
  ])("rejects with the ErrorResponse itself on %i %s", async (status, code) => {
    const { fetch } = makeFetch([errorReply(status, code, "nope")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.revokeAccessToken({ id: "x" }).catch((e: unknown) => e)
    await s2.close()

    expect(error).toBeInstanceOf(ErrorResponse)
    expect(Object.getPrototypeOf(error)).toBe(ErrorResponse.prototype)
    const e = error as ErrorResponse
    expect(e.status).toBe(status)
    expect(e.code).toBe(code)
    expect(e.message).toContain("nope")
    expect(e.body).toBe(JSON.stringify({ code, message: "nope" }))
    expect(e.message).not.toContain(TOKEN)
  })

  it.each([
    [408, "request_timeout"],
    [429, "rate_limited"],
    [499, "client_hangup"],
    [500, "other"],
    [503, "unavailable"],
    [504, "upstream_timeout"]
  ])("rejects with the RetryableError itself on %i %s", async (status, code) => {
    const { calls, fetch } = makeFetch([errorReply(status, code, "later")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.listAccessTokens({}, { retries: noRetries }).catch((e: unknown) => e)
    await s2.close()

    expect(error).toBeInstanceOf(RetryableError)
    const e = error as RetryableError
    expect([e.status, e.code, e.origin]).toEqual([status, code, "server"])
    expect(e.message).toContain("later")
    expect(e.body).toContain(code)
    expect(calls).toHaveLength(1)
  })

  it("rejects with the APIError itself on an undocumented response", async () => {
    const { fetch } = makeFetch([{ status: 418, text: "I am a teapot", headers: { "content-type": "text/plain" } }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    await s2.close()

    expect(error).toBeInstanceOf(APIError)
    const e = error as APIError
    expect([e.status, e.contentType, e.body]).toEqual([418, "text/plain", "I am a teapot"])
    expect(e.message).toContain("unexpected response")
  })

  it("rejects with an ErrorResponse from the client for invalid input, sending nothing", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.revokeAccessToken({ id: "" }).catch((e: unknown) => e)
    await s2.close()

    expect(error).toBeInstanceOf(ErrorResponse)
    expect(error).toMatchObject({ origin: "client", status: 0, code: "invalid_argument", field: "id" })
    expect(calls).toHaveLength(0)
  })

  it("passes fetchOptions to fetch, but not over the headers the client sets", async () => {
    const { calls, fetch } = makeFetch([{ status: 200, json: { access_tokens: [], has_more: false } }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, userAgent: "promise-test/1" })
    await s2.accessTokens.listAccessTokens(
      {},
      {
        fetchOptions: {
          headers: { "x-trace": "t-1", authorization: "Bearer someone-else" },
          cache: "no-store",
          redirect: "error",
          keepalive: true
        }
      }
    )
    await s2.close()

    const [call] = calls
    expect(call?.headers.get("x-trace")).toBe("t-1")
    expect(call?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`)
    expect(call?.headers.get("user-agent")).toBe("promise-test/1")
    expect(call?.init).toMatchObject({ cache: "no-store", redirect: "error", keepalive: true, method: "GET" })
  })

  it("applies fetchOptions only to the call that gives them", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    await s2.accessTokens.revokeAccessToken({ id: "a" }, { fetchOptions: { headers: { "x-once": "1" } } })
    await s2.accessTokens.revokeAccessToken({ id: "b" })
    await s2.close()

    expect(calls.map((call) => call.headers.get("x-once"))).toEqual(["1", null])
  })

  it("times an attempt out after timeoutMs, client-wide or per call", async () => {
    const { calls, fetch } = makeFetch([{ hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, timeoutMs: 20, retryConfig: noRetries })
    const clientWide = await s2.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    const perCall = await s2.accessTokens.listAccessTokens({}, { timeoutMs: 5 }).catch((e: unknown) => e)
    await s2.close()

    expect(clientWide).toBeInstanceOf(RetryableError)
    expect(clientWide).toMatchObject({ origin: "transport", code: "timeout" })
    expect((clientWide as RetryableError).message).toContain("20")
    expect((perCall as RetryableError).message).toContain("5")
    expect(calls.every((call) => call.signal.aborted)).toBe(true)
  })

  it("keeps the bearer token out of inspect, JSON and errors", async () => {
    const { fetch } = makeFetch([errorReply(401, "authn")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    await s2.close()

    for (const text of [
      util.inspect(s2, { depth: 20, showHidden: true }),
      util.inspect(s2.accessTokens, { depth: 20, showHidden: true }),
      JSON.stringify(s2),
      String(s2),
      util.inspect(error, { depth: 20 }),
      JSON.stringify(error)
    ]) {
      expect(text).not.toContain(TOKEN)
    }
  })

  it("refuses an invalid serverURL, timeoutMs or retryConfig when constructed", () => {
    expect(() => new S2({ bearerAuth: TOKEN, serverURL: "ftp://example.com" })).toThrow(TypeError)
    expect(() => new S2({ bearerAuth: TOKEN, timeoutMs: Number.NaN })).toThrow(RangeError)
    expect(
      () =>
        new S2({
          bearerAuth: TOKEN,
          retryConfig: {
            strategy: "backoff",
            backoff: { initialInterval: -1, maxInterval: 1, exponent: 2, maxElapsedTime: 1 }
          }
        })
    ).toThrow(RangeError)
    expect(() => new S2({ bearerAuth: undefined as unknown as string })).toThrow(TypeError)
  })

  it("defaults to the S2 account endpoint", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, fetch })
    await s2.accessTokens.revokeAccessToken({ id: "a" })
    await s2.close()

    expect(calls[0]?.url.href).toBe("https://a.s2.dev/v1/access-tokens/a")
  })
})

describe("standalone functions", () => {
  it("resolve to ok results", async () => {
    const { fetch } = makeFetch([
      { status: 200, json: listed },
      { status: 201, json: { access_token: "s" } },
      { status: 204 }
    ])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const list = await accessTokensListAccessTokens(core, {})
    const issue = await accessTokensIssueAccessToken(core, { id: "a", scope: {} })
    const revoke = await accessTokensRevokeAccessToken(core, { id: "a" })
    await core.close()

    expect(list.ok && list.value.accessTokens.map((token) => token.id)).toEqual(["ci/builder"])
    expect(issue).toEqual({ ok: true, value: { accessToken: "s" } })
    expect(revoke).toEqual({ ok: true, value: undefined })
  })

  it("resolve to the error itself, never rejecting for an S2 failure", async () => {
    const { fetch } = makeFetch([
      errorReply(403, "permission_denied"),
      errorReply(503, "unavailable"),
      { status: 502, text: "<html>bad gateway</html>" }
    ])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, retryConfig: noRetries })
    const denied = await accessTokensListAccessTokens(core, {})
    const unavailable = await accessTokensIssueAccessToken(core, { id: "a", scope: {} })
    const gateway = await accessTokensRevokeAccessToken(core, { id: "a" })
    await core.close()

    expect(denied.ok).toBe(false)
    expect(denied.error).toBeInstanceOf(ErrorResponse)
    expect(unavailable.error).toBeInstanceOf(RetryableError)
    expect(gateway.error).toBeInstanceOf(APIError)
  })

  it("accept an S2 as their client, and refuse anything else", async () => {
    const { fetch } = makeFetch([{ status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    expect(await accessTokensRevokeAccessToken(s2, { id: "a" })).toEqual({ ok: true, value: undefined })
    await s2.close()

    await expect(accessTokensRevokeAccessToken({} as S2Core, { id: "a" })).rejects.toThrow(TypeError)
  })

  it("reject with a RangeError for invalid per-call retries", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const retries = {
      strategy: "backoff",
      backoff: { initialInterval: 1, maxInterval: Number.POSITIVE_INFINITY, exponent: 2, maxElapsedTime: 1 }
    } as const
    await expect(accessTokensRevokeAccessToken(core, { id: "a" }, { retries })).rejects.toThrow(RangeError)
    await core.close()
    expect(calls).toHaveLength(0)
  })
})
