import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { accessTokensListAccessTokens, ErrorResponse, RetryableError, S2, S2Core } from "../../src/promise/index.js"
import { errorReply, makeFetch, SERVER_URL, TOKEN, until } from "./fakeFetch.js"

const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}

beforeEach(() => {
  unhandled.length = 0
  process.on("unhandledRejection", onUnhandled)
})

afterEach(async () => {
  // Give a stray rejection a few turns of the event loop to surface.
  await new Promise((resolve) => setTimeout(resolve, 20))
  process.off("unhandledRejection", onUnhandled)
  expect(unhandled).toEqual([])
})

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

describe("aborting", () => {
  it("rejects at once with the signal's reason and aborts the request", async () => {
    const { calls, fetch } = makeFetch([{ hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const controller = new AbortController()
    const pending = s2.accessTokens.listAccessTokens({}, { fetchOptions: { signal: controller.signal } })
    await until(() => calls.length === 1)
    const reason = new Error("user cancelled")
    controller.abort(reason)

    await expect(pending).rejects.toBe(reason)
    await until(() => calls[0]?.signal.aborted === true)
    await s2.close()
    expect(calls).toHaveLength(1)
  })

  it("rejects with a DOMException AbortError when aborted without a reason, as fetch does", async () => {
    const { fetch } = makeFetch([{ hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const controller = new AbortController()
    const pending = s2.accessTokens.issueAccessToken(
      { id: "a", scope: {} },
      { fetchOptions: { signal: controller.signal } }
    )
    setTimeout(() => controller.abort(), 5)
    const error = await pending.catch((e: unknown) => e)
    await s2.close()

    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe("AbortError")
  })

  it("rejects without sending anything when the signal is already aborted", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const reason = new Error("too late")
    await expect(
      accessTokensListAccessTokens(core, {}, { fetchOptions: { signal: AbortSignal.abort(reason) } })
    ).rejects.toBe(reason)
    await core.close()
    expect(calls).toHaveLength(0)
  })

  it("stops retrying when aborted between attempts", async () => {
    const before = timers()
    const { calls, fetch } = makeFetch([errorReply(503, "unavailable")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const controller = new AbortController()
    const retries = {
      strategy: "backoff",
      backoff: { initialInterval: 10_000, maxInterval: 10_000, exponent: 1, maxElapsedTime: 60_000 }
    } as const
    const pending = s2.accessTokens.listAccessTokens({}, { retries, fetchOptions: { signal: controller.signal } })
    await until(() => calls.length === 1)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: "AbortError" })
    // The wait for the next attempt is cancelled, not left to fire.
    await until(() => timers() === before)
    await s2.close()
    expect(calls).toHaveLength(1)
  })

  it("leaves a signal that did not abort without listeners, and the call unaffected", async () => {
    const { fetch } = makeFetch([errorReply(404, "access_token_not_found")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const controller = new AbortController()
    const error = await s2.accessTokens
      .revokeAccessToken({ id: "gone" }, { fetchOptions: { signal: controller.signal } })
      .catch((e: unknown) => e)
    controller.abort()
    await s2.close()
    expect(error).toBeInstanceOf(ErrorResponse)
  })
})

describe("close()", () => {
  it("ends running calls with an AbortError, aborting their requests, and leaves no timer behind", async () => {
    const before = timers()
    const { calls, fetch } = makeFetch([{ hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const pending = s2.accessTokens.listAccessTokens({})
    await until(() => calls.length === 1)
    // The attempt's 5 s time limit is a timer while the request runs.
    expect(timers()).toBeGreaterThan(before)

    await s2.close()
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe("AbortError")
    expect(calls[0]?.signal.aborted).toBe(true)
    expect(timers()).toBe(before)
  })

  it("ends a call waiting for a retry", async () => {
    const before = timers()
    const { calls, fetch } = makeFetch([errorReply(503, "unavailable")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const retries = {
      strategy: "backoff",
      backoff: { initialInterval: 30_000, maxInterval: 30_000, exponent: 1, maxElapsedTime: 60_000 }
    } as const
    const pending = s2.accessTokens.listAccessTokens({}, { retries })
    await until(() => calls.length === 1)
    await s2.close()
    await expect(pending).rejects.toMatchObject({ name: "AbortError" })
    expect(timers()).toBe(before)
  })

  it("makes later calls reject, and can be called again", async () => {
    const { calls, fetch } = makeFetch([{ status: 204 }])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    await core.close()
    await core.close()
    await expect(accessTokensListAccessTokens(core, {})).rejects.toMatchObject({ name: "AbortError" })
    expect(calls).toHaveLength(0)
  })

  it("is harmless on a client that never made a call", async () => {
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL })
    await expect(core.close()).resolves.toBeUndefined()
  })
})

describe("timeoutMs", () => {
  it("0 or less sets no time limit on an attempt", async () => {
    const before = timers()
    const { calls, fetch } = makeFetch([{ hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, timeoutMs: 5 })
    const controller = new AbortController()
    let settled = false
    const pending = s2.accessTokens.listAccessTokens({}, { timeoutMs: 0, fetchOptions: { signal: controller.signal } })
    pending.then(
      () => (settled = true),
      () => (settled = true)
    )
    await until(() => calls.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 30))
    // Still waiting, long after the client-wide 5 ms, and without a timer of its own.
    expect(settled).toBe(false)
    expect(timers()).toBeLessThanOrEqual(before)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: "AbortError" })
    await s2.close()
  })
})

describe("retries", () => {
  const fast = {
    strategy: "backoff",
    backoff: { initialInterval: 1, maxInterval: 2, exponent: 2, maxElapsedTime: 5_000 }
  } as const

  it("by default makes 3 attempts in all, as the S2 SDKs do", async () => {
    const { calls, fetch } = makeFetch([errorReply(503, "unavailable")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    await s2.close()
    expect(error).toBeInstanceOf(RetryableError)
    expect(calls).toHaveLength(3)
  })

  it("follows the client's retryConfig, and a call's retries over it", async () => {
    const { calls, fetch } = makeFetch([errorReply(500, "other"), errorReply(500, "other"), { status: 204 }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, retryConfig: fast })
    await s2.accessTokens.revokeAccessToken({ id: "a" })
    expect(calls).toHaveLength(3)

    const once = makeFetch([errorReply(500, "other")])
    const s2none = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: once.fetch, retryConfig: fast })
    await expect(
      s2none.accessTokens.revokeAccessToken({ id: "a" }, { retries: { strategy: "none" } })
    ).rejects.toBeInstanceOf(RetryableError)
    expect(once.calls).toHaveLength(1)
    await s2.close()
    await s2none.close()
  })

  it("never retries an ErrorResponse", async () => {
    const { calls, fetch } = makeFetch([errorReply(409, "resource_already_exists")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch, retryConfig: fast })
    await expect(s2.accessTokens.issueAccessToken({ id: "a", scope: {} })).rejects.toBeInstanceOf(ErrorResponse)
    await s2.close()
    expect(calls).toHaveLength(1)
  })

  it("retries connection failures only with retryConnectionErrors", async () => {
    const off = makeFetch([{ connectionError: "ECONNRESET" }, { status: 204 }])
    const s2off = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: off.fetch, retryConfig: fast })
    const error = await s2off.accessTokens.revokeAccessToken({ id: "a" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ origin: "transport" })
    expect(off.calls).toHaveLength(1)

    const on = makeFetch([{ connectionError: "ECONNRESET" }, { status: 204 }])
    const s2on = new S2({
      bearerAuth: TOKEN,
      serverURL: SERVER_URL,
      fetch: on.fetch,
      retryConfig: { ...fast, retryConnectionErrors: true }
    })
    await expect(s2on.accessTokens.revokeAccessToken({ id: "a" })).resolves.toBeUndefined()
    expect(on.calls).toHaveLength(2)
    await s2off.close()
    await s2on.close()
  })

  it("retries issuing only after failures without side effects, unless the call asks for more", async () => {
    const replies = [errorReply(503, "unavailable"), { status: 201, json: { access_token: "s" } }]

    const byClient = makeFetch(replies)
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: byClient.fetch, retryConfig: fast })
    await expect(s2.accessTokens.issueAccessToken({ id: "a", scope: {} })).rejects.toBeInstanceOf(RetryableError)
    expect(byClient.calls).toHaveLength(1)

    const byDefault = makeFetch(replies)
    const s2default = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: byDefault.fetch })
    await expect(s2default.accessTokens.issueAccessToken({ id: "a", scope: {} })).rejects.toBeInstanceOf(RetryableError)
    expect(byDefault.calls).toHaveLength(1)

    const rateLimited = makeFetch([errorReply(429, "rate_limited"), { status: 201, json: { access_token: "s" } }])
    const s2limited = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: rateLimited.fetch, retryConfig: fast })
    await expect(s2limited.accessTokens.issueAccessToken({ id: "a", scope: {} })).resolves.toEqual({
      accessToken: "s"
    })
    expect(rateLimited.calls).toHaveLength(2)

    const byCall = makeFetch(replies)
    const s2call = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch: byCall.fetch })
    await expect(s2call.accessTokens.issueAccessToken({ id: "a", scope: {} }, { retries: fast })).resolves.toEqual({
      accessToken: "s"
    })
    expect(byCall.calls).toHaveLength(2)

    await Promise.all([s2.close(), s2default.close(), s2limited.close(), s2call.close()])
  })

  it("marks a 409 after an issue attempt with an unknown outcome", async () => {
    const { fetch } = makeFetch([errorReply(503, "unavailable"), errorReply(409, "resource_already_exists")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const error = await s2.accessTokens.issueAccessToken({ id: "a", scope: {} }, { retries: fast }).catch((e) => e)
    await s2.close()
    expect(error).toBeInstanceOf(ErrorResponse)
    expect(error).toMatchObject({ status: 409, earlierAttemptMayHaveSucceeded: true })
  })
})
