/**
 * S2's access-token wire format, read independently of the client: parsing (with the codes S2 answers
 * for each kind of malformed input) and serialization (in the exact shape the service sends).
 *
 * @internal
 */

/** Every operation a scope can name, in S2's canonical order (the order a listed scope uses). */
export const OPERATIONS = [
  "list-basins",
  "create-basin",
  "delete-basin",
  "reconfigure-basin",
  "get-basin-config",
  "issue-access-token",
  "revoke-access-token",
  "list-access-tokens",
  "list-streams",
  "create-stream",
  "delete-stream",
  "get-stream-config",
  "reconfigure-stream",
  "check-tail",
  "append",
  "read",
  "trim",
  "fence",
  "account-metrics",
  "basin-metrics",
  "stream-metrics",
  "list-locations",
  "get-default-location",
  "set-default-location"
] as const

export type Operation = (typeof OPERATIONS)[number]

const isOperation = (u: unknown): u is Operation =>
  typeof u === "string" && (OPERATIONS as ReadonlyArray<string>).includes(u)

export type Level = "account" | "basin" | "stream"

/**
 * Which operations each op group grants. Access tokens are account resources, so their operations sit in
 * the account group (s2.dev docs: account read covers listing tokens, account write issuing and revoking).
 */
export const GROUPS: Record<
  Level,
  { readonly read: ReadonlyArray<Operation>; readonly write: ReadonlyArray<Operation> }
> = {
  account: {
    read: ["list-basins", "list-access-tokens", "account-metrics", "list-locations", "get-default-location"],
    write: ["create-basin", "delete-basin", "issue-access-token", "revoke-access-token", "set-default-location"]
  },
  basin: {
    read: ["get-basin-config", "list-streams", "basin-metrics"],
    write: ["reconfigure-basin", "create-stream", "delete-stream"]
  },
  stream: {
    read: ["get-stream-config", "check-tail", "read", "stream-metrics"],
    write: ["reconfigure-stream", "append", "trim", "fence"]
  }
}

/** A resource set after normalization: a missing, `null` or `{"exact": ""}` set matches nothing. */
export type ResourceSet =
  | { readonly _tag: "None" }
  | { readonly _tag: "Exact"; readonly name: string }
  | { readonly _tag: "Prefix"; readonly prefix: string }

export interface ReadWrite {
  readonly read: boolean
  readonly write: boolean
}

export interface Scope {
  readonly basins: ResourceSet
  readonly streams: ResourceSet
  readonly accessTokens: ResourceSet
  readonly opGroups: Record<Level, ReadWrite>
  /** Only the explicitly listed operations; see `effectiveOps` for the union with the groups. */
  readonly ops: ReadonlySet<Operation>
}

export interface IssueRequest {
  readonly id: string
  readonly scope: Scope
  /** Milliseconds since the epoch; `undefined` when absent or `null`. */
  readonly expiresAt: number | undefined
  readonly autoPrefixStreams: boolean
}

export interface ListQuery {
  readonly prefix: string
  readonly startAfter: string
  /** 1 to 1000; 0, absent or over 1000 read as 1000. */
  readonly limit: number
}

/** A stored token, as listed. */
export interface TokenInfo {
  readonly id: string
  readonly scope: Scope
  /** Milliseconds since the epoch; `undefined`: it never expires. */
  readonly expiresAt: number | undefined
  readonly autoPrefixStreams: boolean
}

export const NONE: ResourceSet = { _tag: "None" }
export const ALL: ResourceSet = { _tag: "Prefix", prefix: "" }

export const effectiveOps = (scope: Scope): ReadonlySet<Operation> => {
  const ops = new Set(scope.ops)
  for (const level of ["account", "basin", "stream"] as const) {
    if (scope.opGroups[level].read) for (const op of GROUPS[level].read) ops.add(op)
    if (scope.opGroups[level].write) for (const op of GROUPS[level].write) ops.add(op)
  }
  return ops
}

/** The scope of the root token: everything. */
export const ROOT_SCOPE: Scope = {
  basins: ALL,
  streams: ALL,
  accessTokens: ALL,
  opGroups: {
    account: { read: true, write: true },
    basin: { read: true, write: true },
    stream: { read: true, write: true }
  },
  ops: new Set(OPERATIONS)
}

// ---------------------------------------------------------------------------------------------------------
// Byte-level string rules: S2 measures and orders names as UTF-8 bytes.

const utf8 = new TextEncoder()

export const byteLength = (s: string): number => utf8.encode(s).length

/** Lexicographic order of the UTF-8 bytes, which differs from JS string order for astral characters. */
export const compareBytes = (a: string, b: string): number => {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) {
    const d = x[i]! - y[i]!
    if (d !== 0) return d
  }
  return x.length - y.length
}

/** Prefix test on bytes; equal to `startsWith` for well-formed strings, kept explicit for clarity. */
export const startsWithBytes = (s: string, prefix: string): boolean => s.startsWith(prefix)

export const matches = (set: ResourceSet, name: string): boolean =>
  set._tag === "None" ? false : set._tag === "Exact" ? set.name === name : startsWithBytes(name, set.prefix)

/** Whether every name `inner` matches is also matched by `outer`. */
export const isSubset = (inner: ResourceSet, outer: ResourceSet): boolean => {
  if (inner._tag === "None") return true
  if (outer._tag === "None") return false
  if (inner._tag === "Exact") return matches(outer, inner.name)
  return outer._tag === "Prefix" && startsWithBytes(inner.prefix, outer.prefix)
}

export const MAX_ID_BYTES = 96
const MAX_BASIN_BYTES = 48
const MAX_STREAM_BYTES = 512

/** Why an access-token id is invalid, or `undefined` when it is valid. */
export const idProblem = (id: string): string | undefined => {
  if (id.length === 0) return "access token id must not be empty"
  if (id === "." || id === "..") return 'access token id must not be "." or ".."'
  if (byteLength(id) > MAX_ID_BYTES) return `access token id must not exceed ${MAX_ID_BYTES} bytes in length`
  if (id.includes("\0")) return "access token id must not contain NUL bytes"
  return undefined
}

const BASIN_NAME = /^[a-z0-9][a-z0-9-]{6,46}[a-z0-9]$/

// ---------------------------------------------------------------------------------------------------------
// Parsing. A `Problem` is the message of a 400 (`bad_json`, `bad_query`, `bad_path`); callers add the code.

export type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problem: string }

const ok = <A>(value: A): Parsed<A> => ({ ok: true, value })
const bad = (problem: string): Parsed<never> => ({ ok: false, problem })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const parseResourceSet = (
  field: string,
  u: unknown,
  rules: { readonly exact: (s: string) => string | undefined; readonly prefix: (s: string) => string | undefined }
): Parsed<ResourceSet> => {
  if (u === undefined || u === null) return ok(NONE)
  if (!isRecord(u)) return bad(`${field}: expected an object with "exact" or "prefix"`)
  const keys = Object.keys(u)
  if (keys.length !== 1) return bad(`${field}: expected exactly one of "exact" or "prefix"`)
  const [key] = keys as [string]
  const value = u[key]
  if (key !== "exact" && key !== "prefix") return bad(`${field}: unknown variant "${key}", expected exact or prefix`)
  if (typeof value !== "string") return bad(`${field}.${key}: expected a string`)
  if (key === "exact") {
    if (value === "") return ok(NONE)
    const problem = rules.exact(value)
    return problem === undefined ? ok({ _tag: "Exact", name: value }) : bad(`${field}.exact: ${problem}`)
  }
  const problem = rules.prefix(value)
  return problem === undefined ? ok({ _tag: "Prefix", prefix: value }) : bad(`${field}.prefix: ${problem}`)
}

const basinRules = {
  exact: (s: string) =>
    BASIN_NAME.test(s)
      ? undefined
      : "basin name must be 8 to 48 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
  prefix: (s: string) =>
    byteLength(s) > MAX_BASIN_BYTES
      ? `basin name prefix must not exceed ${MAX_BASIN_BYTES} bytes`
      : /^[a-z0-9-]*$/.test(s)
        ? undefined
        : "basin name prefix may only contain lowercase letters, digits and hyphens"
}

const streamRules = {
  exact: (s: string) =>
    byteLength(s) > MAX_STREAM_BYTES
      ? `stream name must not exceed ${MAX_STREAM_BYTES} bytes`
      : s.includes("\0")
        ? "stream name must not contain NUL bytes"
        : undefined,
  prefix: (s: string) =>
    byteLength(s) > MAX_STREAM_BYTES ? `stream name prefix must not exceed ${MAX_STREAM_BYTES} bytes` : undefined
}

const tokenRules = {
  exact: idProblem,
  prefix: (s: string) =>
    byteLength(s) > MAX_ID_BYTES ? `access token id prefix must not exceed ${MAX_ID_BYTES} bytes` : undefined
}

const parseReadWrite = (field: string, u: unknown): Parsed<ReadWrite> => {
  if (u === undefined || u === null) return ok({ read: false, write: false })
  if (!isRecord(u)) return bad(`${field}: expected an object`)
  const { read, write } = u
  for (const [name, value] of [
    ["read", read],
    ["write", write]
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== "boolean") {
      return bad(`${field}.${name}: expected a boolean`)
    }
  }
  return ok({ read: read === true, write: write === true })
}

const parseScope = (u: unknown): Parsed<Scope> => {
  if (!isRecord(u)) return bad("scope: expected an object")
  const basins = parseResourceSet("scope.basins", u.basins, basinRules)
  if (!basins.ok) return basins
  const streams = parseResourceSet("scope.streams", u.streams, streamRules)
  if (!streams.ok) return streams
  const accessTokens = parseResourceSet("scope.access_tokens", u.access_tokens, tokenRules)
  if (!accessTokens.ok) return accessTokens

  const groups = u.op_groups
  if (groups !== undefined && groups !== null && !isRecord(groups)) return bad("scope.op_groups: expected an object")
  const account = parseReadWrite("scope.op_groups.account", groups?.account)
  if (!account.ok) return account
  const basin = parseReadWrite("scope.op_groups.basin", groups?.basin)
  if (!basin.ok) return basin
  const stream = parseReadWrite("scope.op_groups.stream", groups?.stream)
  if (!stream.ok) return stream

  const ops = new Set<Operation>()
  if (u.ops !== undefined && u.ops !== null) {
    if (!Array.isArray(u.ops)) return bad("scope.ops: expected an array of operations")
    for (const op of u.ops) {
      if (!isOperation(op)) return bad(`scope.ops: unknown operation ${JSON.stringify(op)}`)
      ops.add(op)
    }
  }
  return ok({
    basins: basins.value,
    streams: streams.value,
    accessTokens: accessTokens.value,
    opGroups: { account: account.value, basin: basin.value, stream: stream.value },
    ops
  })
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/

/** Milliseconds since the epoch of an RFC 3339 date-time, or `undefined` when it is not one. */
export const parseRfc3339 = (s: string): number | undefined => {
  if (!RFC_3339.test(s)) return undefined
  const millis = Date.parse(s.replace(" ", "T"))
  return Number.isNaN(millis) ? undefined : millis
}

/** RFC 3339 in UTC, without a fraction when there is none, as S2 writes it. */
export const formatRfc3339 = (millis: number): string => {
  const iso = new Date(millis).toISOString()
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso.replace(/0+Z$/, "Z")
}

/** Parses the body of `POST /access-tokens`; problems are `bad_json`. */
export const parseIssueRequest = (text: string): Parsed<IssueRequest> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return bad(`Failed to parse the request body as JSON: ${(error as Error).message}`)
  }
  if (!isRecord(json)) return bad("Failed to deserialize the JSON body: expected an object")
  const problem = (p: string) => bad(`Failed to deserialize the JSON body: ${p}`)

  if (json.id === undefined) return problem("missing field `id`")
  if (typeof json.id !== "string") return problem("id: expected a string")
  const idIssue = idProblem(json.id)
  if (idIssue !== undefined) return problem(`id: ${idIssue}`)

  if (json.scope === undefined) return problem("missing field `scope`")
  const scope = parseScope(json.scope)
  if (!scope.ok) return problem(scope.problem)

  let expiresAt: number | undefined
  if (json.expires_at !== undefined && json.expires_at !== null) {
    if (typeof json.expires_at !== "string") return problem("expires_at: expected an RFC 3339 date-time string")
    expiresAt = parseRfc3339(json.expires_at)
    if (expiresAt === undefined) return problem("expires_at: expected an RFC 3339 date-time string")
  }

  const auto = json.auto_prefix_streams
  if (auto !== undefined && auto !== null && typeof auto !== "boolean") {
    return problem("auto_prefix_streams: expected a boolean")
  }
  return ok({ id: json.id, scope: scope.value, expiresAt, autoPrefixStreams: auto === true })
}

/** Parses the query of `GET /access-tokens`; problems are `bad_query`. Unknown parameters are ignored. */
export const parseListQuery = (search: string): Parsed<ListQuery> => {
  let params: URLSearchParams
  try {
    params = new URLSearchParams(search)
  } catch {
    return bad("Failed to deserialize query string")
  }
  const seen = new Set<string>()
  for (const key of params.keys()) {
    if (seen.has(key) && (key === "prefix" || key === "start_after" || key === "limit")) {
      return bad(`Failed to deserialize query string: duplicate field \`${key}\``)
    }
    seen.add(key)
  }
  const text = (name: string): Parsed<string> => {
    const value = params.get(name) ?? ""
    if (byteLength(value) > MAX_ID_BYTES) {
      return bad(`Failed to deserialize query string: ${name} must not exceed ${MAX_ID_BYTES} bytes in length`)
    }
    if (value.includes("\0")) return bad(`Failed to deserialize query string: ${name} must not contain NUL bytes`)
    return ok(value)
  }
  const prefix = text("prefix")
  if (!prefix.ok) return prefix
  const startAfter = text("start_after")
  if (!startAfter.ok) return startAfter

  let limit = 1000
  const raw = params.get("limit")
  if (raw !== null) {
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      return bad("Failed to deserialize query string: limit: invalid digit found in string")
    }
    const n = Number(raw)
    limit = n === 0 || n > 1000 ? 1000 : n
  }
  return ok({ prefix: prefix.value, startAfter: startAfter.value, limit })
}

/** Decodes the `{id}` path segment of `DELETE /access-tokens/{id}`; problems are `bad_path`. */
export const parseIdSegment = (segment: string): Parsed<string> => {
  let id: string
  try {
    id = decodeURIComponent(segment)
  } catch {
    return bad("Invalid URL: cannot percent-decode the access token id")
  }
  const problem = idProblem(id)
  return problem === undefined ? ok(id) : bad(`Invalid URL: ${problem}`)
}

// ---------------------------------------------------------------------------------------------------------
// Serialization, in the shape the service sends: every scope field present, groups with explicit booleans,
// ops as an array in canonical order, unset resource sets as null.

const resourceSetJson = (set: ResourceSet) =>
  set._tag === "None" ? null : set._tag === "Exact" ? { exact: set.name } : { prefix: set.prefix }

export const scopeJson = (scope: Scope) => ({
  basins: resourceSetJson(scope.basins),
  streams: resourceSetJson(scope.streams),
  access_tokens: resourceSetJson(scope.accessTokens),
  op_groups: {
    account: { read: scope.opGroups.account.read, write: scope.opGroups.account.write },
    basin: { read: scope.opGroups.basin.read, write: scope.opGroups.basin.write },
    stream: { read: scope.opGroups.stream.read, write: scope.opGroups.stream.write }
  },
  ops: OPERATIONS.filter((op) => scope.ops.has(op))
})

export const tokenInfoJson = (token: TokenInfo) => ({
  id: token.id,
  expires_at: token.expiresAt === undefined ? null : formatRfc3339(token.expiresAt),
  auto_prefix_streams: token.autoPrefixStreams,
  scope: scopeJson(token.scope)
})
