import { describe, expect, it } from "vitest"
import { accessTokensListAllAccessTokens, APIError, ErrorResponse, S2, S2Core } from "../../src/promise/index.js"
import { errorReply, type FetchCall, makeFetch, type Reply, SERVER_URL, TOKEN, until } from "./fakeFetch.js"

const token = (id: string) => ({ id, scope: {}, auto_prefix_streams: false })

/** Serves ids `t00`..`t{count-1}` in pages of `limit`, honouring `start_after` and `prefix`. */
const pages =
  (count: number) =>
  (call: FetchCall): Reply => {
    const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(2, "0")}`)
    const after = call.url.searchParams.get("start_after") ?? ""
    const limit = Number(call.url.searchParams.get("limit") ?? "1000")
    const rest = ids.filter((id) => id > after)
    return { status: 200, json: { access_tokens: rest.slice(0, limit).map(token), has_more: rest.length > limit } }
  }

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const items: Array<A> = []
  for await (const item of iterable) items.push(item)
  return items
}

describe("listAllAccessTokens", () => {
  it("iterates over every page with for await, fetching pages as they are consumed", async () => {
    const { calls, fetch } = makeFetch([pages(5)])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const iterable = s2.accessTokens.listAllAccessTokens({ limit: 2 })
    expect(calls).toHaveLength(0)

    const ids = (await collect(iterable)).map((info) => info.id)
    await s2.close()

    expect(ids).toEqual(["t00", "t01", "t02", "t03", "t04"])
    expect(calls.map((call) => call.url.searchParams.get("start_after"))).toEqual([null, "t01", "t03"])
    expect(calls.every((call) => call.url.searchParams.get("limit") === "2")).toBe(true)
  })

  it("can be iterated again, starting over", async () => {
    const { fetch } = makeFetch([pages(3)])
    const core = new S2Core({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const iterable = accessTokensListAllAccessTokens(core, { limit: 2 })
    const first = await collect(iterable)
    const second = await collect(iterable)
    await core.close()
    expect(second).toEqual(first)
    expect(first).toHaveLength(3)
  })

  it("stops fetching when the loop breaks", async () => {
    const { calls, fetch } = makeFetch([pages(10)])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const ids: Array<string> = []
    for await (const info of s2.accessTokens.listAllAccessTokens({ limit: 3 })) {
      ids.push(info.id)
      if (ids.length === 4) break
    }
    await s2.close()
    expect(ids).toEqual(["t00", "t01", "t02", "t03"])
    expect(calls).toHaveLength(2)
  })

  it("throws the error a page failed with", async () => {
    const { fetch } = makeFetch([pages(5), errorReply(403, "permission_denied")])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const ids: Array<string> = []
    const error = await (async () => {
      for await (const info of s2.accessTokens.listAllAccessTokens({ limit: 2 })) ids.push(info.id)
    })().catch((e: unknown) => e)
    await s2.close()
    expect(ids).toEqual(["t00", "t01"])
    expect(error).toBeInstanceOf(ErrorResponse)
    expect(error).toMatchObject({ status: 403, code: "permission_denied" })
  })

  it("throws an APIError when S2 says there is more but sends an empty page", async () => {
    const { fetch } = makeFetch([{ status: 200, json: { access_tokens: [], has_more: true } }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    await expect(collect(s2.accessTokens.listAllAccessTokens())).rejects.toBeInstanceOf(APIError)
    await s2.close()
  })

  it("throws the signal's reason when aborted while a page is fetched", async () => {
    const { calls, fetch } = makeFetch([pages(5), { hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const controller = new AbortController()
    const iterator = s2.accessTokens
      .listAllAccessTokens({ limit: 2 }, { fetchOptions: { signal: controller.signal } })
      [Symbol.asyncIterator]()
    expect((await iterator.next()).value?.id).toBe("t00")
    expect((await iterator.next()).value?.id).toBe("t01")
    const pending = iterator.next()
    await until(() => calls.length === 2)
    const reason = new Error("enough")
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(await iterator.next()).toEqual({ done: true, value: undefined })
    await until(() => calls[1]?.signal.aborted === true)
    await s2.close()
  })

  it("ends when the client is closed", async () => {
    const { calls, fetch } = makeFetch([pages(5), { hang: true }])
    const s2 = new S2({ bearerAuth: TOKEN, serverURL: SERVER_URL, fetch })
    const iterator = s2.accessTokens.listAllAccessTokens({ limit: 2 })[Symbol.asyncIterator]()
    await iterator.next()
    await iterator.next()
    const pending = iterator.next()
    await until(() => calls.length === 2)
    await s2.close()
    await expect(pending).rejects.toMatchObject({ name: "AbortError" })
    expect(await iterator.next()).toEqual({ done: true, value: undefined })
  })
})
