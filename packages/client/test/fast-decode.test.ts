import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as FastDecode from "../src/internal/fastDecode.js"
import { utf8ByteLength } from "../src/internal/rules.js"
import { ListAccessTokensResponse } from "../src/Models.js"

const viaSchema = Schema.decodeUnknownEither(ListAccessTokensResponse)

/** Pages as S2 would send them: valid models, encoded to the wire as JSON. */
const validPages = Arbitrary.make(ListAccessTokensResponse).map((page): unknown =>
  JSON.parse(JSON.stringify(Schema.encodeSync(ListAccessTokensResponse)(page)))
)

/** Anything of the wire's shape, valid or not: ids of any length, any strings as dates. */
const wireShaped = Arbitrary.make(Schema.encodedSchema(ListAccessTokensResponse))

/** Removes a key, or sets it to null, somewhere in a value. */
const damaged = FastCheck.tuple(validPages, FastCheck.nat(), FastCheck.boolean()).map(([page, pick, toNull]) => {
  const copy = structuredClone(page) as Record<string, unknown>
  const places: Array<[Record<string, unknown>, string]> = []
  const visit = (value: unknown) => {
    if (typeof value !== "object" || value === null) return
    for (const [key, inner] of Object.entries(value)) {
      places.push([value as Record<string, unknown>, key])
      visit(inner)
    }
  }
  visit(copy)
  const place = places[pick % Math.max(1, places.length)]
  if (place !== undefined) {
    const [holder, key] = place
    if (toNull) holder[key] = null
    else delete holder[key]
  }
  return copy
})

describe("the fast page decoder", () => {
  it("returns what the Schema returns, for every page it accepts", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(validPages, wireShaped, damaged, FastCheck.anything()), (wire) => {
        const fast = FastDecode.listAccessTokensResponse(wire)
        if (fast === undefined) return
        const schema = viaSchema(wire)
        assert.isTrue(Either.isRight(schema), "the fast path accepted a page the Schema refuses")
        if (Either.isRight(schema)) assert.deepStrictEqual(fast, schema.right)
      }),
      { numRuns: 1500, seed: 20261203 }
    )
  })

  it("takes every page S2 would send", () => {
    FastCheck.assert(
      FastCheck.property(validPages, (wire) => {
        assert.isDefined(FastDecode.listAccessTokensResponse(wire))
      }),
      { numRuns: 500, seed: 20261203 }
    )
  })

  it("leaves bad ids, dates and resource sets to the Schema", () => {
    const token = { id: "a", scope: {} }
    const page = (overrides: Record<string, unknown>) => ({
      access_tokens: [{ ...token, ...overrides }],
      has_more: false
    })
    for (const bad of [
      page({ id: "" }),
      page({ id: ".." }),
      page({ id: "x".repeat(97) }),
      page({ expires_at: "tomorrow" }),
      page({ expires_at: "+010000-01-01T00:00:00Z" }),
      page({ scope: { streams: { glob: "*" } } }),
      page({ auto_prefix_streams: null }),
      { access_tokens: [token] }
    ]) {
      assert.isUndefined(FastDecode.listAccessTokensResponse(bad), JSON.stringify(bad))
      assert.isTrue(Either.isLeft(viaSchema(bad)), JSON.stringify(bad))
    }
  })
})

describe("utf8ByteLength", () => {
  it("counts as TextEncoder does, lone surrogates included", () => {
    const encoder = new TextEncoder()
    FastCheck.assert(
      FastCheck.property(FastCheck.string({ unit: "binary" }), FastCheck.string({ unit: "grapheme" }), (a, b) => {
        for (const s of [a, b, `${a}\ud800`, `\udc00${b}`])
          assert.strictEqual(utf8ByteLength(s), encoder.encode(s).length)
      }),
      { numRuns: 500, seed: 20261203 }
    )
  })
})
