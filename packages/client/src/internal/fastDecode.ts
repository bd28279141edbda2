/**
 * A hand-written decoder for S2's largest response, a page of up to 1000 access tokens. Decoding a page with
 * the `ListAccessTokensResponse` Schema costs tens of milliseconds; this costs about one. For every value it
 * accepts it returns what the Schema returns (a property test holds it to that); for anything unusual it
 * returns `undefined`, and the Schema decodes the value and says what is wrong with it.
 *
 * @internal
 */
import type {
  AccessTokenInfo,
  AccessTokenScope,
  ListAccessTokensResponse,
  PermittedOperationGroups,
  ReadWritePermissions,
  ResourceSet
} from "../Models.js"
import { accessTokenIdProblem, hasFourDigitYear, parseRfc3339 } from "./rules.js"

type Wire = Record<string, unknown>

/** Signals a value the fast path does not take, so that the Schema decides. */
class Unusual {}
const unusual = new Unusual()

const object = (u: unknown): Wire => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) throw unusual
  return u as Wire
}

const boolean = (u: unknown): boolean => {
  if (typeof u !== "boolean") throw unusual
  return u
}

const resourceSet = (u: unknown): ResourceSet => {
  const wire = object(u)
  if (typeof wire.exact === "string") return { exact: wire.exact }
  if (typeof wire.prefix === "string") return { prefix: wire.prefix }
  throw unusual
}

const readWrite = (u: unknown): ReadWritePermissions => {
  const wire = object(u)
  const out: { read?: boolean; write?: boolean } = {}
  if ("read" in wire) out.read = boolean(wire.read)
  if ("write" in wire) out.write = boolean(wire.write)
  return out
}

const nullOr = <A>(u: unknown, decode: (u: unknown) => A): A | null => (u === null ? null : decode(u))

const opGroups = (u: unknown): PermittedOperationGroups => {
  const wire = object(u)
  const out: { -readonly [K in keyof PermittedOperationGroups]: PermittedOperationGroups[K] } = {}
  if ("account" in wire) out.account = nullOr(wire.account, readWrite)
  if ("basin" in wire) out.basin = nullOr(wire.basin, readWrite)
  if ("stream" in wire) out.stream = nullOr(wire.stream, readWrite)
  return out
}

const operations = (u: unknown): NonNullable<AccessTokenScope["ops"]> => {
  if (!Array.isArray(u)) throw unusual
  for (const op of u) if (typeof op !== "string") throw unusual
  // Known names and names this version does not know (`UnknownOperation`) alike are plain strings here.
  return u.slice() as unknown as NonNullable<AccessTokenScope["ops"]>
}

const scope = (u: unknown): AccessTokenScope => {
  const wire = object(u)
  const out: { -readonly [K in keyof AccessTokenScope]: AccessTokenScope[K] } = {}
  if ("basins" in wire) out.basins = nullOr(wire.basins, resourceSet)
  if ("streams" in wire) out.streams = nullOr(wire.streams, resourceSet)
  if ("access_tokens" in wire) out.accessTokens = nullOr(wire.access_tokens, resourceSet)
  if ("op_groups" in wire) out.opGroups = nullOr(wire.op_groups, opGroups)
  if ("ops" in wire) out.ops = nullOr(wire.ops, operations)
  return out
}

const date = (u: unknown): Date => {
  if (typeof u !== "string") throw unusual
  const parsed = parseRfc3339(u)
  if (parsed === undefined || !hasFourDigitYear(parsed)) throw unusual
  return parsed
}

const accessTokenInfo = (u: unknown): AccessTokenInfo => {
  const wire = object(u)
  const id = wire.id
  if (typeof id !== "string" || accessTokenIdProblem(id) !== undefined) throw unusual
  const out: { -readonly [K in keyof AccessTokenInfo]: AccessTokenInfo[K] } = {
    id,
    scope: scope(wire.scope),
    autoPrefixStreams: "auto_prefix_streams" in wire ? boolean(wire.auto_prefix_streams) : false
  }
  if ("expires_at" in wire) out.expiresAt = nullOr(wire.expires_at, date)
  return out
}

/** The page, or `undefined` when the Schema must decide. */
export const listAccessTokensResponse = (u: unknown): ListAccessTokensResponse | undefined => {
  try {
    const wire = object(u)
    if (!Array.isArray(wire.access_tokens)) return undefined
    const accessTokens: Array<AccessTokenInfo> = []
    // A loop, not `map`, so that a hole in the array is refused, not kept.
    for (let i = 0; i < wire.access_tokens.length; i++) accessTokens.push(accessTokenInfo(wire.access_tokens[i]))
    return { accessTokens, hasMore: boolean(wire.has_more) }
  } catch (error) {
    if (error === unusual) return undefined
    throw error
  }
}
