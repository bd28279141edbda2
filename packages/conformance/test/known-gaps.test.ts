/**
 * The reviewed list itself: each entry has a reason and still describes the spec in spec/. (The tests that
 * use the entries check them against Prism and our models as well.)
 */
import { Operation } from "@effect-s2/client/Models"
import { assert, describe, it } from "@effect/vitest"
import { KNOWN_GAPS, OPERATION_IDS, undocumentedStatuses } from "./support/KnownGaps.js"
import { readSpec } from "./support/Prism.js"

const spec = readSpec()

const operations = Object.values(spec.paths).flatMap((item) =>
  Object.values(item).filter(
    (op): op is { operationId: string; responses: Record<string, unknown> } =>
      typeof op === "object" && op !== null && "operationId" in op
  )
)

const responsesOf = (operationId: string) => {
  const operation = operations.find((op) => op.operationId === operationId)
  assert.isDefined(operation, operationId)
  return Object.keys(operation!.responses)
}

describe("the reviewed known gaps", () => {
  it("every entry says why", () => {
    for (const gap of KNOWN_GAPS) assert.isAbove(gap.reason.trim().length, 20, JSON.stringify(gap))
  })

  it("the three access-token operations are the spec's", () => {
    for (const id of OPERATION_IDS) responsesOf(id)
  })

  it("each undocumented status is missing from the spec for its operations, and listed once", () => {
    const seen = new Set<string>()
    for (const gap of undocumentedStatuses) {
      for (const operation of gap.operations) {
        assert.notInclude(responsesOf(operation), String(gap.status), `${operation} ${gap.status} is in the spec now`)
        const key = `${operation} ${gap.status}`
        assert.isFalse(seen.has(key), `${key} is listed twice`)
        seen.add(key)
      }
    }
  })

  it("each newer operation name is ours and not the spec's", () => {
    const specNames = (spec.components.schemas.Operation as { enum: ReadonlyArray<string> }).enum
    for (const gap of KNOWN_GAPS) {
      if (gap._tag !== "NewerOperationName") continue
      assert.include(Operation.literals as ReadonlyArray<string>, gap.name)
      assert.notInclude(specNames, gap.name)
    }
    const ours = Operation.literals.filter((name) => !specNames.includes(name))
    const listed = KNOWN_GAPS.flatMap((gap) => (gap._tag === "NewerOperationName" ? [gap.name] : []))
    assert.deepStrictEqual([...ours].sort(), [...listed].sort())
  })
})
