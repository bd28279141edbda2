/**
 * A walkthrough of @effect-s2/client: issue a scoped access token, use it, page through a list, meet a
 * typed error and a retry, and revoke what it issued.
 *
 * It runs against the local S2 server from @effect-s2/testing, started in-process on 127.0.0.1, unless
 * S2_ACCESS_TOKEN and S2_ACCOUNT_ENDPOINT are both set: then it uses that S2 account (and only touches
 * tokens under its own `effect-s2-walkthrough/<time>/` prefix).
 *
 *   pnpm run main
 */
import { type ErrorResponse, S2Client, S2Config } from "@effect-s2/client"
import { Fault, makeLoopback, type S2TestServerService } from "@effect-s2/testing"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

const say = (line: string) => Effect.sync(() => console.log(line))

/** Where to run: a real account from the environment, or the local server. */
interface Target {
  readonly accessToken: Redacted.Redacted<string>
  readonly accountEndpoint: string
  /** The local server, for fault injection; absent for a real account. */
  readonly local: Option.Option<S2TestServerService>
}

const target = Effect.gen(function* () {
  const token = process.env.S2_ACCESS_TOKEN
  const endpoint = process.env.S2_ACCOUNT_ENDPOINT
  if (token && endpoint) {
    yield* say(`Using the S2 account at ${endpoint}`)
    return { accessToken: Redacted.make(token), accountEndpoint: endpoint, local: Option.none() } satisfies Target
  }
  // The server lives as long as the walkthrough's scope.
  const server = yield* makeLoopback()
  yield* say(`Started the local S2 server at ${server.url}`)
  return { accessToken: server.rootToken, accountEndpoint: server.url, local: Option.some(server) } satisfies Target
})

/** A client that authenticates with `accessToken`. */
const clientFor = (accessToken: Redacted.Redacted<string>, accountEndpoint: string) =>
  Effect.provide(
    S2Client,
    S2Client.layer.pipe(
      Layer.provide(S2Config.layer({ accessToken, accountEndpoint })),
      Layer.provide(FetchHttpClient.layer)
    )
  )

const program = Effect.gen(function* () {
  const { accessToken, accountEndpoint, local } = yield* target
  const admin = yield* clientFor(accessToken, accountEndpoint)
  // On a real account, a fresh prefix keeps this walkthrough away from every other token.
  const prefix = Option.isSome(local) ? "walkthrough/" : `effect-s2-walkthrough/${Date.now()}/`

  // 1. Issue a scoped token: it may only list tokens under our prefix, and expires in an hour.
  yield* say(`\n1. Issue "${prefix}reader", which may only list tokens under ${prefix}`)
  const { accessToken: readerSecret } = yield* admin.accessTokens.issueAccessToken({
    id: `${prefix}reader`,
    scope: { accessTokens: { prefix }, ops: ["list-access-tokens"] },
    expiresAt: new Date(Date.now() + 60 * 60 * 1000)
  })
  yield* say(`   issued; its secret stays Redacted: ${readerSecret}`)

  // 2. Use it.
  yield* say("\n2. List tokens with the scoped token")
  const reader = yield* clientFor(readerSecret, accountEndpoint)
  const visible = yield* reader.accessTokens.listAccessTokens()
  yield* say(`   it sees ${visible.accessTokens.map((t) => t.id).join(", ")}`)

  // 3. Page through a list, two tokens a page.
  yield* say("\n3. Issue four more tokens and page through them, two a page")
  for (const name of ["alice", "bob", "carol", "dave"]) {
    yield* admin.accessTokens.issueAccessToken({ id: `${prefix}user/${name}`, scope: { ops: ["read"] } })
  }
  let startAfter: string | undefined
  for (let page = 1; ; page++) {
    const { accessTokens, hasMore } = yield* admin.accessTokens.listAccessTokens({
      prefix: `${prefix}user/`,
      limit: 2,
      ...(startAfter === undefined ? {} : { startAfter })
    })
    yield* say(`   page ${page}: ${accessTokens.map((t) => t.id.slice(prefix.length)).join(", ")}`)
    if (!hasMore) break
    startAfter = accessTokens.at(-1)?.id
  }

  // 4. A typed error: the scoped token may not issue tokens.
  yield* say("\n4. The scoped token tries to issue a token")
  yield* reader.accessTokens
    .issueAccessToken({ id: `${prefix}sneaky`, scope: {} })
    .pipe(
      Effect.catchTag("ErrorResponse", (error: ErrorResponse) =>
        say(`   refused: ${error.status} ${error.code} (an ErrorResponse: retrying will not help)`)
      )
    )

  // 5. A retry: the local server fails the next listing with 503 unavailable, and the client tries again.
  yield* say("\n5. A transient failure, retried")
  yield* Option.match(local, {
    onNone: () => say("   (skipped: fault injection needs the local server)"),
    onSome: (server) =>
      Effect.gen(function* () {
        yield* server.clearRequests
        yield* server.faults.inject("list-access-tokens", Fault.error(503, "unavailable"))
        const page = yield* admin.accessTokens.listAccessTokens({ prefix })
        const attempts = (yield* server.requests).length
        yield* say(
          `   the server answered 503 once; after ${attempts} attempts the list has ${page.accessTokens.length} tokens`
        )
      })
  })

  // 6. Revoke everything this walkthrough issued; revoking twice is a typed 404.
  yield* say("\n6. Revoke what we issued")
  const ours = yield* Stream.runCollect(admin.accessTokens.listAllAccessTokens({ prefix }))
  for (const token of Chunk.toArray(ours)) yield* admin.accessTokens.revokeAccessToken({ id: token.id })
  yield* say(`   revoked ${Chunk.size(ours)} tokens`)
  yield* admin.accessTokens
    .revokeAccessToken({ id: `${prefix}reader` })
    .pipe(
      Effect.catchTag("ErrorResponse", (error: ErrorResponse) =>
        say(`   revoking again: ${error.status} ${error.code}`)
      )
    )
  const after = yield* reader.accessTokens.listAccessTokens().pipe(
    Effect.map(() => "still works"),
    Effect.catchTag("ErrorResponse", (error: ErrorResponse) => Effect.succeed(`${error.status} ${error.code}`))
  )
  yield* say(`   the revoked token now gets: ${after}`)
  yield* say("\nDone.")
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
