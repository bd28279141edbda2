/**
 * S2's rules for names and times, shared by the Schemas and the fast decoders so that both judge alike.
 *
 * @internal
 */

/** Longest access-token id, prefix or `start_after`, in UTF-8 bytes. */
export const MAX_ACCESS_TOKEN_ID_BYTES = 96

/**
 * Length in UTF-8 bytes, which is how S2 measures names; counted from the UTF-16 code units without
 * encoding. A lone surrogate counts 3 bytes, as the U+FFFD that `TextEncoder` writes for it.
 */
export const utf8ByteLength = (s: string): number => {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** The rule an access-token id breaks, if any. */
export const accessTokenIdProblem = (s: string): string | undefined => {
  if (s.length === 0) return "must not be empty"
  if (s.length * 3 > MAX_ACCESS_TOKEN_ID_BYTES && utf8ByteLength(s) > MAX_ACCESS_TOKEN_ID_BYTES) {
    return "must be at most 96 UTF-8 bytes"
  }
  if (s === "." || s === "..") return 'must not be "." or ".."'
  if (s.includes("\0")) return "must not contain a NUL character"
  return undefined
}

/** The rule a `prefix` or `start_after` breaks, if any. */
export const idPrefixProblem = (s: string): string | undefined =>
  s.length * 3 > MAX_ACCESS_TOKEN_ID_BYTES && utf8ByteLength(s) > MAX_ACCESS_TOKEN_ID_BYTES
    ? "must be at most 96 UTF-8 bytes"
    : undefined

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** RFC 3339 has four-digit years; `Date#toISOString` writes others as `+010000-…`, which S2 would refuse. */
export const hasFourDigitYear = (date: Date): boolean => {
  const year = date.getUTCFullYear()
  return year >= 0 && year <= 9999
}

/** The date an RFC 3339 date-time names, or `undefined` for a string that is not one. */
export const parseRfc3339 = (s: string): Date | undefined => {
  if (!RFC_3339.test(s)) return undefined
  const date = new Date(s)
  return Number.isNaN(date.getTime()) ? undefined : date
}
