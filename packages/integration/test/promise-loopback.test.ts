import {
  accessTokensIssueAccessToken,
  accessTokensListAccessTokens,
  APIError,
  ErrorResponse,
  RetryableError,
  S2,
  S2Core
} from "@effect-s2/client/promise"
import { accessTokensListAllAccessTokens } from "@effect-s2/client/promise/funcs/accessTokensListAllAccessTokens.js"
import { Fault, makeLoopback, type S2TestServerService } from "@effect-s2/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"

let scope: Scope.CloseableScope
let server: S2TestServerService
let s2: S2
const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length
const none = { strategy: "none" } as const

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(Scope.extend(makeLoopback(), scope))
  process.on("unhandledRejection", onUnhandled)
})

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled)
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

beforeEach(async () => {
  await Effect.runPromise(Effect.zipRight(server.faults.clear, server.clearRequests))
  s2 = new S2({ bearerAuth: Redacted.value(server.rootToken), serverURL: server.url })
})

afterEach(async () => {
  await s2.close()
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(unhandled).toEqual([])
})

/** Polls until `predicate` holds, for at most 2 s. */
const waitFor = async (predicate: () => boolean | Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 2_000
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Resolves once the server has received a list request since the last `clearRequests`. */
const receivedList = () =>
  waitFor(async () => (await Effect.runPromise(server.requests)).some((r) => r.operation === "list-access-tokens"))

const inject = (operation: Fault.Operation, ...faults: ReadonlyArray<Fault.Fault>) =>
  Effect.runPromise(server.faults.inject(operation, ...faults))

describe("the Promise client on loopback", () => {
  it("issues, lists and revokes, with plain values", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000)
    const { accessToken } = await s2.accessTokens.issueAccessToken({
      id: "loop/one",
      scope: { streams: { prefix: "one/" }, opGroups: { stream: { read: true, write: true } } },
      autoPrefixStreams: true,
      expiresAt
    })
    expect(typeof accessToken).toBe("string")
    expect(accessToken.length).toBeGreaterThan(0)

    const { accessTokens, hasMore } = await s2.accessTokens.listAccessTokens({ prefix: "loop/" })
    expect(hasMore).toBe(false)
    expect(accessTokens).toHaveLength(1)
    expect(accessTokens[0]).toMatchObject({ id: "loop/one", autoPrefixStreams: true })
    expect(accessTokens[0]?.expiresAt).toBeInstanceOf(Date)

    // The issued secret authenticates (403, not 401): its scope does not cover listing access tokens.
    const issued = new S2Core({ bearerAuth: accessToken, serverURL: server.url })
    const seen = await accessTokensListAccessTokens(issued, {})
    await issued.close()
    expect(seen.ok).toBe(false)
    expect(seen.error).toBeInstanceOf(ErrorResponse)
    expect(seen.error).toMatchObject({ status: 403, code: "permission_denied" })

    await s2.accessTokens.revokeAccessToken({ id: "loop/one" })
    expect((await s2.accessTokens.listAccessTokens({ prefix: "loop/" })).accessTokens).toEqual([])
  })

  it("lists every token with for await, page by page", async () => {
    const ids = ["page/a", "page/b", "page/c", "page/d", "page/e"]
    for (const id of ids) await s2.accessTokens.issueAccessToken({ id, scope: {} })
    const listed: Array<string> = []
    for await (const token of s2.accessTokens.listAllAccessTokens({ prefix: "page/", limit: 2 })) {
      listed.push(token.id)
    }
    expect(listed).toEqual(ids)

    const core = new S2Core({ bearerAuth: Redacted.value(server.rootToken), serverURL: server.url })
    const fromCore: Array<string> = []
    for await (const token of accessTokensListAllAccessTokens(core, { prefix: "page/", startAfter: "page/b" })) {
      fromCore.push(token.id)
    }
    await core.close()
    expect(fromCore).toEqual(["page/c", "page/d", "page/e"])
    for (const id of ids) await s2.accessTokens.revokeAccessToken({ id })
  })

  it("rejects with an ErrorResponse: 404 on an unknown id, 409 on a duplicate, 401 on a bad token", async () => {
    const missing = await s2.accessTokens.revokeAccessToken({ id: "never/issued" }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ErrorResponse)
    expect(missing).toMatchObject({ status: 404, code: "access_token_not_found", origin: "server" })
    expect((missing as ErrorResponse).body).toContain("access_token_not_found")

    await s2.accessTokens.issueAccessToken({ id: "dup/one", scope: {} })
    const duplicate = await s2.accessTokens.issueAccessToken({ id: "dup/one", scope: {} }).catch((e: unknown) => e)
    expect(duplicate).toBeInstanceOf(ErrorResponse)
    expect(duplicate).toMatchObject({ status: 409, code: "resource_already_exists" })
    await s2.accessTokens.revokeAccessToken({ id: "dup/one" })

    const stranger = new S2({ bearerAuth: "not-a-token", serverURL: server.url })
    const denied = await stranger.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    await stranger.close()
    expect(denied).toBeInstanceOf(ErrorResponse)
    expect(denied).toMatchObject({ status: 401, code: "authn" })
    expect((denied as ErrorResponse).message).not.toContain("not-a-token")
  })

  it("rejects with a RetryableError on a retryable status once retries run out", async () => {
    await inject("list-access-tokens", Fault.error(503, "unavailable", { message: "busy" }))
    const error = await s2.accessTokens.listAccessTokens({}, { retries: none }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ status: 503, code: "unavailable", origin: "server", mayHaveSideEffects: true })
    expect((error as RetryableError).message).toContain("busy")
  })

  it("retries with the default policy and succeeds", async () => {
    await inject("list-access-tokens", Fault.error(500, "other"), Fault.error(502, "hot_server"))
    await expect(s2.accessTokens.listAccessTokens({})).resolves.toMatchObject({ hasMore: false })
    expect(await Effect.runPromise(server.faults.pending("list-access-tokens"))).toBe(0)
  })

  it("rejects with a RetryableError from the transport when the connection drops", async () => {
    await inject("revoke-access-token", Fault.dropBeforeApply)
    const error = await s2.accessTokens.revokeAccessToken({ id: "x" }, { retries: none }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ origin: "transport", status: 0 })
  })

  it("rejects with an APIError on a body that is not JSON", async () => {
    await inject("list-access-tokens", Fault.malformedBody)
    const error = await s2.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect(error).toMatchObject({ status: 200 })
  })

  it("resolves the standalone function to { ok: false, error } with the same instances", async () => {
    const core = new S2Core({ bearerAuth: Redacted.value(server.rootToken), serverURL: server.url })
    await inject("issue-access-token", Fault.error(429, "rate_limited"), Fault.error(429, "rate_limited"))
    const limited = await accessTokensIssueAccessToken(core, { id: "limited", scope: {} }, { retries: none })
    expect(limited.ok).toBe(false)
    expect(limited.error).toBeInstanceOf(RetryableError)
    expect(limited.error).toMatchObject({ status: 429, code: "rate_limited", mayHaveSideEffects: false })
    await core.close()
  })

  it("rejects at once when the signal aborts mid-request, and ends the request", async () => {
    await inject("list-access-tokens", Fault.delay("10 seconds"))
    const controller = new AbortController()
    const pending = s2.accessTokens.listAccessTokens({}, { fetchOptions: { signal: controller.signal } })
    await receivedList()
    const during = timers()

    const started = Date.now()
    const reason = new Error("stop")
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(Date.now() - started).toBeLessThan(1_000)
    // The attempt's time limit is cancelled with it (the server's own 10 s delay stays, in this process).
    await waitFor(() => timers() < during)
  })

  it("ends a running call on close() and leaves none of its timers", async () => {
    await inject("list-access-tokens", Fault.delay("10 seconds"))
    const own = new S2({ bearerAuth: Redacted.value(server.rootToken), serverURL: server.url })
    const pending = own.accessTokens.listAccessTokens({}).catch((e: unknown) => e)
    await receivedList()
    const during = timers()

    await own.close()
    expect(await pending).toMatchObject({ name: "AbortError" })
    expect(timers()).toBeLessThan(during)
    await expect(own.accessTokens.listAccessTokens({})).rejects.toMatchObject({ name: "AbortError" })
  })
})
