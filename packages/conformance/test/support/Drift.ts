/**
 * Compares two JSON Schemas field by field. Each schema is flattened to `path -> descriptor` (e.g.
 * `.scope.ops[] -> enum: append, check-tail, ...`), with `$ref`s followed and unions written the same way
 * whether the document says `oneOf`, `anyOf` or `type: [..., "null"]`.
 *
 * Left out, on purpose: prose (`description`, `title`, `examples`), `default` (S2 applies defaults on its
 * side; our models leave the field absent), and `additionalProperties` (Effect writes `false` for every
 * Struct, yet our decoders ignore unknown fields, as the spec expects of clients).
 */

type Node = Record<string, unknown>

export type Resolve = (ref: string) => Node

export interface Difference {
  readonly field: string
  readonly spec: string | undefined
  readonly ours: string | undefined
}

const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)

const CONSTRAINTS = ["format", "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems"]

const constraintsOf = (node: Node): string => {
  const found = CONSTRAINTS.filter((key) => node[key] !== undefined).map((key) => `${key} ${String(node[key])}`)
  return found.length === 0 ? "" : ` (${found.join(", ")})`
}

/** The branches of a union, with `null` split off. */
const branchesOf = (node: Node): { readonly branches: ReadonlyArray<Node>; readonly nullable: boolean } => {
  const union = (node.anyOf ?? node.oneOf) as ReadonlyArray<unknown> | undefined
  if (Array.isArray(union)) {
    const branches = union.filter(isNode)
    const nonNull = branches.filter((b) => b.type !== "null")
    return { branches: nonNull, nullable: nonNull.length < branches.length }
  }
  if (Array.isArray(node.type)) {
    const types = (node.type as ReadonlyArray<string>).filter((t) => t !== "null")
    const nullable = types.length < (node.type as ReadonlyArray<string>).length
    return { branches: types.map((type) => ({ ...node, type })), nullable }
  }
  return { branches: [node], nullable: false }
}

const flattenInto = (node: Node, path: string, resolve: Resolve, out: Map<string, string>, depth: number): void => {
  if (depth > 20) throw new Error(`schema too deep at ${path}`)
  if (typeof node.$ref === "string") {
    flattenInto(resolve(node.$ref), path, resolve, out, depth + 1)
    return
  }
  const { branches, nullable } = branchesOf(node)
  const orNull = nullable ? " | null" : ""
  if (branches.length !== 1 || branches[0] !== node) {
    const resolved = branches.map((b) => (typeof b.$ref === "string" ? resolve(b.$ref) : b))
    if (resolved.length === 1) {
      flattenInto(resolved[0]!, path, resolve, out, depth + 1)
      out.set(path, `${out.get(path)}${orNull}`)
      return
    }
    const objects = resolved.filter((b) => b.type === "object" || isNode(b.properties))
    if (objects.length === 0) {
      const described = resolved.map((b) => {
        const inner = new Map<string, string>()
        flattenInto(b, "", resolve, inner, depth + 1)
        return inner.get("") ?? "?"
      })
      out.set(path, `one of: ${described.sort().join(" | ")}${orNull}`)
      return
    }
    // Object branches are told apart by their required fields (ResourceSet: exact | prefix).
    const keyed = resolved
      .map((b) => ({ key: ((b.required as ReadonlyArray<string> | undefined) ?? []).join("+"), branch: b }))
      .sort((a, b) => a.key.localeCompare(b.key))
    out.set(path, `one of ${keyed.length}: ${keyed.map((k) => k.key || "?").join(" | ")}${orNull}`)
    for (const { branch, key } of keyed) flattenInto(branch, `${path}<${key}>`, resolve, out, depth + 1)
    return
  }
  if (Array.isArray(node.enum)) {
    out.set(path, `enum: ${[...(node.enum as ReadonlyArray<unknown>)].map(String).sort().join(", ")}`)
    return
  }
  if (node.type === "object" || isNode(node.properties)) {
    const required = [...((node.required as ReadonlyArray<string> | undefined) ?? [])].sort()
    out.set(path, `object, required: ${required.length === 0 ? "none" : required.join(", ")}`)
    for (const [key, value] of Object.entries((node.properties as Node | undefined) ?? {})) {
      if (isNode(value)) flattenInto(value, `${path}.${key}`, resolve, out, depth + 1)
    }
    return
  }
  if (node.type === "array") {
    out.set(path, `array${constraintsOf(node)}`)
    if (isNode(node.items)) flattenInto(node.items, `${path}[]`, resolve, out, depth + 1)
    return
  }
  out.set(path, `${typeof node.type === "string" ? node.type : "any"}${constraintsOf(node)}`)
}

export const flatten = (node: Node, resolve: Resolve): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  flattenInto(node, "", resolve, out, 0)
  return out
}

export const resolverFor =
  (document: Node, prefix: string): Resolve =>
  (ref) => {
    if (!ref.startsWith(prefix)) throw new Error(`unexpected $ref ${ref}`)
    let node: unknown = document
    for (const part of ref.slice(2).split("/")) node = isNode(node) ? node[part] : undefined
    if (!isNode(node)) throw new Error(`$ref ${ref} not found`)
    return node
  }

export const compare = (
  name: string,
  spec: ReadonlyMap<string, string>,
  ours: ReadonlyMap<string, string>
): ReadonlyArray<Difference> => {
  const paths = [...new Set([...spec.keys(), ...ours.keys()])].sort()
  return paths
    .filter((path) => spec.get(path) !== ours.get(path))
    .map((path) => ({ field: `${name}${path}`, spec: spec.get(path), ours: ours.get(path) }))
}

const enumValues = (descriptor: string | undefined): ReadonlyArray<string> | undefined =>
  descriptor?.startsWith("enum: ") === true ? descriptor.slice(6).split(", ") : undefined

export const formatDifference = (d: Difference): string => {
  const specValues = enumValues(d.spec)
  const ourValues = enumValues(d.ours)
  if (specValues !== undefined && ourValues !== undefined) {
    const extra = ourValues.filter((v) => !specValues.includes(v))
    const missing = specValues.filter((v) => !ourValues.includes(v))
    const [ours, spec] = [extra.join(", ") || "-", missing.join(", ") || "-"]
    return `${d.field}: enum differs; only ours: ${ours}; only the spec: ${spec}`
  }
  return `${d.field}\n    spec: ${d.spec ?? "(no such field)"}\n    ours: ${d.ours ?? "(no such field)"}`
}
