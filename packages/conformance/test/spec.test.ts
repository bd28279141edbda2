/**
 * The copied spec is the published one, Prism can load it without the network, and the document Prism
 * gets differs from it only by the base path moved into the paths.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import { prismDocument, readSpec, SPEC_PATH } from "./support/Prism.js"

const PUBLISHED_SHA256 = "9ed8f618267f78cb51b27060a51fb4412f0954907c81e524dd6926ae3eb8fe33"

const refsOf = (node: unknown, found: Array<string> = []): Array<string> => {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found)
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.push(value)
      else refsOf(value, found)
    }
  }
  return found
}

describe("the spec", () => {
  it("is the published s2-specs f7c8dd3 file, byte for byte", () => {
    const hash = Crypto.createHash("sha256").update(Fs.readFileSync(SPEC_PATH)).digest("hex")
    assert.strictEqual(hash, PUBLISHED_SHA256)
  })

  it("has only local $refs, so Prism never fetches anything", () => {
    const external = refsOf(readSpec()).filter((ref) => !ref.startsWith("#/"))
    assert.deepStrictEqual(external, [])
  })

  it("reaches Prism with /v1 in front of every path and nothing else changed", () => {
    const spec = readSpec()
    const document = prismDocument(spec)
    assert.strictEqual(spec.servers?.[0]?.url, "https://aws.s2.dev/v1")
    assert.deepStrictEqual(
      Object.keys(document.paths),
      Object.keys(spec.paths).map((path) => `/v1${path}`)
    )
    assert.deepStrictEqual(document.paths["/v1/access-tokens"], spec.paths["/access-tokens"])
    assert.deepStrictEqual(document.components, spec.components)
  })
})
