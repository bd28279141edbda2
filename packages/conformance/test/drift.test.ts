/**
 * Our models against the spec's components, field by field. The wire is the encoded (snake_case) side of
 * our Schemas, so that is the side compared: `JSONSchema.make(Schema.encodedSchema(model))`. Every
 * difference must be a reviewed `SchemaDrift` entry of KnownGaps.ts, and every such entry must still match.
 */
import * as Models from "@effect-s2/client/Models"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import { compare, type Difference, flatten, formatDifference, resolverFor } from "./support/Drift.js"
import { KNOWN_GAPS, type KnownGap, schemaDrifts } from "./support/KnownGaps.js"
import { readSpec } from "./support/Prism.js"

const spec = readSpec()
const specResolve = resolverFor(spec as unknown as Record<string, unknown>, "#/components/schemas/")

/** Spec component, and the model that reads or writes it on the wire. */
const PAIRS: ReadonlyArray<readonly [component: string, label: string, model: Schema.Schema.Any]> = [
  ["AccessTokenInfo", "AccessTokenInfo", Models.AccessTokenInfo],
  // The spec's issue request body is AccessTokenInfo too; the newer spec names it IssueAccessTokenRequest.
  ["AccessTokenInfo", "IssueAccessTokenRequest", Models.IssueAccessTokenRequest],
  ["AccessTokenScope", "AccessTokenScope", Models.AccessTokenScope],
  ["ResourceSet", "ResourceSet", Models.ResourceSet],
  ["PermittedOperationGroups", "PermittedOperationGroups", Models.PermittedOperationGroups],
  ["ReadWritePermissions", "ReadWritePermissions", Models.ReadWritePermissions],
  ["Operation", "Operation", Models.Operation],
  ["ListAccessTokensResponse", "ListAccessTokensResponse", Models.ListAccessTokensResponse],
  ["IssueAccessTokenResponse", "IssueAccessTokenResponse", Models.IssueAccessTokenResponse],
  ["ErrorInfo", "ErrorInfo", Models.ErrorInfo]
]

const ourFields = (model: Schema.Schema.Any) => {
  const document = JSONSchema.make(Schema.encodedSchema(model)) as unknown as Record<string, unknown>
  return flatten(document, resolverFor(document, "#/$defs/"))
}

const specFields = (component: string) => flatten(specResolve(`#/components/schemas/${component}`), specResolve)

const allDifferences = (): ReadonlyArray<Difference> =>
  PAIRS.flatMap(([component, label, model]) => compare(label, specFields(component), ourFields(model)))

type Drift = Extract<KnownGap, { _tag: "SchemaDrift" }>

const matches = (gap: Drift, d: Difference) => d.field === gap.field || d.field.endsWith(`.${gap.field}`)

describe("drift between our models and the spec's components", () => {
  it("every difference is a reviewed one", () => {
    const unreviewed = allDifferences().filter((d) => !schemaDrifts.some((gap) => matches(gap, d)))
    assert.strictEqual(
      unreviewed.map(formatDifference).join("\n"),
      "",
      "our models differ from the spec where KnownGaps.ts says nothing"
    )
  })

  it("every reviewed difference still exists", () => {
    const differences = allDifferences()
    const stale = schemaDrifts.filter((gap) => !differences.some((d) => matches(gap, d))).map((gap) => gap.field)
    assert.deepStrictEqual(stale, [], "the spec and our models agree here now: remove these KnownGaps entries")
  })

  it("a difference is reported with the field and both sides (the check can fail)", () => {
    const required = {
      ...specResolve("#/components/schemas/ReadWritePermissions"),
      required: ["read"]
    }
    const differences = compare(
      "ReadWritePermissions",
      flatten(required, specResolve),
      ourFields(Models.ReadWritePermissions)
    )
    assert.deepStrictEqual(differences.map(formatDifference), [
      "ReadWritePermissions\n    spec: object, required: read\n    ours: object, required: none"
    ])
    const [operation] = compare("Operation", specFields("Operation"), ourFields(Models.Operation))
    assert.include(
      formatDifference(operation!),
      "only ours: get-default-location, list-locations, set-default-location; only the spec: -"
    )
  })

  it("auto_prefix_streams: a listed token decodes with it (newer spec) and without it (published spec)", () => {
    const gap = KNOWN_GAPS.find((g) => g._tag === "NewerRequiredField" && g.field === "auto_prefix_streams")
    assert.isDefined(gap)
    assert.include(specFields("AccessTokenInfo").get("")!, "required: id, scope")
    const decode = Schema.decodeUnknownEither(Models.AccessTokenInfo)
    const absent = decode({ id: "t", scope: {} })
    const present = decode({ id: "t", scope: {}, auto_prefix_streams: true, expires_at: null })
    assert.deepStrictEqual(
      Either.map(absent, (t) => t.autoPrefixStreams),
      Either.right(false)
    )
    assert.deepStrictEqual(
      Either.map(present, (t) => t.autoPrefixStreams),
      Either.right(true)
    )
  })
})
