/**
 * Minified + gzipped size of a minimal "list tokens" program per client, bundled by esbuild for the browser
 * (our packages from their TypeScript sources, through the `source` condition).
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"
import * as Zlib from "node:zlib"

const PROGRAMS: ReadonlyArray<{ readonly name: string; readonly code: string }> = [
  {
    name: "(b) @s2-dev/streamstore",
    code: `import { S2 } from "@s2-dev/streamstore"
const s2 = new S2({ accessToken: "t" })
s2.accessTokens.list({}).then((page) => console.log(page.accessTokens.length))`
  },
  {
    name: "(c) effect-s2 Effect",
    code: `import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AccessTokens from "@effect-s2/client/AccessTokens"
import { S2Config } from "@effect-s2/client/S2Config"
const layer = S2Config.layer({ accessToken: Redacted.make("t") }).pipe(Layer.provide(FetchHttpClient.layer))
Effect.runPromise(AccessTokens.listAccessTokens().pipe(Effect.provide(layer)))
  .then((page) => console.log(page.accessTokens.length))`
  },
  {
    name: "(d) effect-s2 Promise (S2Core + function)",
    code: `import { S2Core } from "@effect-s2/client/promise/core.js"
import { accessTokensListAccessTokens } from "@effect-s2/client/promise/funcs/accessTokensListAccessTokens.js"
const s2 = new S2Core({ bearerAuth: "t" })
accessTokensListAccessTokens(s2, {}).then((r) => r.ok && console.log(r.value.accessTokens.length))`
  },
  {
    name: "(d) effect-s2 Promise (S2 class)",
    code: `import { S2 } from "@effect-s2/client/promise"
const s2 = new S2({ bearerAuth: "t" })
s2.accessTokens.listAccessTokens({}).then((page) => console.log(page.accessTokens.length))`
  },
  {
    // The floor: the same request and a comparable decode with nothing but Effect's HttpClient and Schema.
    name: "floor: Effect HttpClient + Schema",
    code: `import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
const Page = Schema.Struct({
  access_tokens: Schema.Array(Schema.Struct({ id: Schema.String, scope: Schema.Unknown })),
  has_more: Schema.Boolean
})
const program = Effect.gen(function* () {
  const client = yield* HttpClient.HttpClient
  const request = HttpClientRequest.get("https://a.s2.dev/v1/access-tokens").pipe(HttpClientRequest.bearerToken("t"))
  const response = yield* client.execute(request)
  return yield* HttpClientResponse.schemaBodyJson(Page)(response)
})
Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer)))
  .then((page) => console.log(page.access_tokens.length))`
  }
]

export interface BundleSize {
  readonly name: string
  readonly minified: number
  readonly gzipped: number
}

export const measureBundles = async (): Promise<ReadonlyArray<BundleSize>> => {
  const resolveDir = Path.resolve(import.meta.dirname, "..")
  const sizes: Array<BundleSize> = []
  for (const program of PROGRAMS) {
    const result = await esbuild.build({
      stdin: { contents: program.code, resolveDir, loader: "ts" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: ["source"],
      write: false,
      logLevel: "error",
      // The official SDK loads node:http2 lazily for its streaming transport; a browser build leaves it out.
      external: ["node:*"]
    })
    const bytes = result.outputFiles[0]!.contents
    sizes.push({ name: program.name, minified: bytes.length, gzipped: Zlib.gzipSync(bytes, { level: 9 }).length })
  }
  return sizes
}

export const esbuildVersion = esbuild.version
