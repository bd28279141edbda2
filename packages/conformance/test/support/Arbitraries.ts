/**
 * Request inputs: the Schema arbitraries of our request models, mixed with the edge cases that matter on
 * the wire (empty prefix, 96-byte and multi-byte ids, characters that need escaping in a path or query).
 */
import {
  AccessTokenId,
  IssueAccessTokenRequest,
  ListAccessTokensRequest,
  RevokeAccessTokenRequest
} from "@effect-s2/client/Models"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"

const utf8 = new TextEncoder()
export const byteLength = (s: string): number => utf8.encode(s).length

/** Strings S2 accepts as ids, each at a boundary: 96 bytes in 1, 2, 3 and 4-byte characters, and escapes. */
export const EDGE_IDS: ReadonlyArray<string> = [
  "a",
  "x".repeat(96),
  "é".repeat(48),
  "日本".repeat(16),
  "😀".repeat(24),
  `${"x".repeat(94)}é`,
  "user/alice",
  "a b+c&d=e?f#g%h",
  "...",
  ".a",
  "-",
  "ǅ\u0301"
]

/** Prefixes and `start_after` values add the empty string (all ids). */
export const EDGE_PREFIXES: ReadonlyArray<string> = ["", ...EDGE_IDS]

const isId = Schema.is(AccessTokenId)

/** Any Unicode text (not just ASCII) that is a valid id. */
const unicodeIds = FastCheck.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter(isId)

export const ids: FastCheck.Arbitrary<string> = FastCheck.oneof(
  Arbitrary.make(AccessTokenId),
  FastCheck.constantFrom(...EDGE_IDS),
  unicodeIds
)

const prefixes = FastCheck.oneof(FastCheck.constantFrom(...EDGE_PREFIXES), unicodeIds)

export const listRequests: FastCheck.Arbitrary<ListAccessTokensRequest> = FastCheck.oneof(
  Arbitrary.make(ListAccessTokensRequest),
  FastCheck.record(
    {
      prefix: prefixes,
      startAfter: prefixes,
      limit: FastCheck.oneof(FastCheck.constantFrom(0, 1, 1000), FastCheck.integer({ min: 0, max: 1000 }))
    },
    { requiredKeys: [] }
  )
)

export const revokeRequests: FastCheck.Arbitrary<RevokeAccessTokenRequest> = FastCheck.oneof(
  Arbitrary.make(RevokeAccessTokenRequest),
  ids.map((id) => ({ id }))
)

/** RFC 3339 has four-digit years; the client's handling of other years is tested on its own (requests.test.ts). */
// Date.UTC reads years 0 to 99 as 1900 to 1999, so year 0 is set explicitly.
const MIN_DATE = new Date(0).setUTCFullYear(0, 0, 1)
const MAX_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

export const inFourDigitYears = (date: Date): Date => {
  const t = date.getTime()
  if (t >= MIN_DATE && t <= MAX_DATE) return date
  return new Date(MIN_DATE + (Math.abs(t) % (MAX_DATE - MIN_DATE)))
}

export const issueRequests: FastCheck.Arbitrary<IssueAccessTokenRequest> = FastCheck.tuple(
  Arbitrary.make(IssueAccessTokenRequest),
  FastCheck.option(FastCheck.constantFrom(...EDGE_IDS), { nil: undefined })
).map(([request, edgeId]) => ({
  ...request,
  ...(edgeId === undefined ? {} : { id: edgeId }),
  ...(request.expiresAt instanceof Date ? { expiresAt: inFourDigitYears(request.expiresAt) } : {})
}))
