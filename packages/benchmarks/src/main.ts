/**
 * `pnpm bench`: throughput and CPU per request of four clients against two loopback servers, list-all over
 * 100,000 tokens, and bundle sizes. Prints the tables and writes BENCHMARKS.md next to this package's
 * package.json. Bounded: each cell runs about `S2_BENCH_CELL_MS` (default 1000 ms).
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Readline from "node:readline"
import { type BundleSize, esbuildVersion, measureBundles } from "./bundles.js"
import { CLIENTS, type Client, effectFloor, type Op } from "./clients.js"

const CELL_MS = Number(process.env.S2_BENCH_CELL_MS ?? 1000)
const LIST_ALL_COUNTS = [10_000, 100_000] as const
const OPS: ReadonlyArray<Op> = ["list1", "list1000", "issue", "revoke"]
const CONCURRENCIES = [1, 64] as const
const here = Path.resolve(import.meta.dirname, "..")

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with node --expose-gc")
  collect()
  collect()
}

interface Servers {
  readonly fixed: string
  readonly testing: string
  readonly rootToken: string
}

const startServers = async (): Promise<{ readonly servers: Servers; readonly stop: () => void }> => {
  const child = ChildProcess.spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", Path.join(here, "src/servers.ts")],
    { cwd: here, stdio: ["ignore", "pipe", "inherit"] }
  )
  const lines = Readline.createInterface({ input: child.stdout! })
  const servers = await new Promise<Servers>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as Servers))
    child.once("exit", (code) => reject(new Error(`servers exited with ${code}`)))
  })
  return { servers, stop: () => child.kill() }
}

interface Cell {
  readonly server: string
  readonly op: Op
  readonly concurrency: number
  readonly client: string
  readonly requests: number
  readonly rps: number
  readonly cpuMicros: number
  readonly heapKiB: number
}

let idCounter = 0
const freshIds = (n: number) => Array.from({ length: n }, () => `bench/run/${String(idCounter++).padStart(8, "0")}`)

/** Ids issued by each client's issue cell, for its revoke cell to revoke on the testing server. */
const issuedBy = new Map<string, ReadonlyArray<string>>()

const runCell = async (client: Client, server: string, op: Op, concurrency: number): Promise<Cell> => {
  const key = `${client.name} ${server} ${concurrency}`
  // Warm up, and size the cell from the warm-up's pace.
  const warmCount = op === "list1000" ? 20 : 100
  const warmIds = op === "revoke" ? (issuedBy.get(`${key} warm`) ?? freshIds(warmCount)) : freshIds(warmCount)
  const warmStart = performance.now()
  await client.batch(op, warmIds, concurrency)
  const perRequest = (performance.now() - warmStart) / warmIds.length
  let count = Math.max(50, Math.min(5000, Math.round(CELL_MS / perRequest)))
  let ids: ReadonlyArray<string> = freshIds(count)
  if (op === "issue") {
    issuedBy.set(`${key} warm`, warmIds)
    issuedBy.set(key, ids)
  }
  if (op === "revoke") {
    ids = issuedBy.get(key) ?? ids
    count = ids.length
  }

  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  await client.batch(op, ids, concurrency)
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpuBefore)
  gc()
  const heapAfter = process.memoryUsage().heapUsed
  return {
    server,
    op,
    concurrency,
    client: client.name,
    requests: count,
    rps: (count / elapsed) * 1000,
    cpuMicros: (cpu.user + cpu.system) / count,
    heapKiB: (heapAfter - heapBefore) / 1024
  }
}

interface ListAll {
  readonly client: string
  readonly tokens: number
  readonly ms: number
  readonly peakHeapMiB: number
  /** Heap still in use after a forced GC, every 10,000 tokens into the run: flat when nothing is retained. */
  readonly retainedMiB: ReadonlyArray<number>
}

/** How often, in tokens, the retained heap is measured during a list-all run. */
const RETAINED_EVERY = 10_000

const runListAll = async (client: Client, endpointCount: number): Promise<ListAll> => {
  gc()
  const base = process.memoryUsage().heapUsed
  let peak = base
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 2)
  const retained: Array<number> = []
  let tokens = 0
  let collecting = 0
  const each = () => {
    if (++tokens % RETAINED_EVERY !== 0) return
    const before = performance.now()
    gc()
    retained.push((process.memoryUsage().heapUsed - base) / 1024 / 1024)
    collecting += performance.now() - before
  }
  const start = performance.now()
  const seen = await client.listAll(`n${endpointCount}/`, each)
  const ms = performance.now() - start - collecting
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().heapUsed)
  if (seen !== endpointCount) throw new Error(`${client.name} listed ${seen} of ${endpointCount}`)
  return {
    client: client.name,
    tokens: endpointCount,
    ms,
    peakHeapMiB: (peak - base) / 1024 / 1024,
    retainedMiB: retained
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

const throughputTable = (cells: ReadonlyArray<Cell>): string => {
  const rows = [
    "| server | op | conc. | client | req/s | × (a) req/s | CPU µs/req | × (a) CPU | heap Δ KiB |",
    "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  ]
  for (const cell of cells) {
    const base = cells.find(
      (c) =>
        c.server === cell.server && c.op === cell.op && c.concurrency === cell.concurrency && c.client.startsWith("(a)")
    )!
    rows.push(
      `| ${cell.server} | ${cell.op} | ${cell.concurrency} | ${cell.client} | ${fmt(cell.rps)} | ` +
        `${fmt(cell.rps / base.rps, 2)} | ${fmt(cell.cpuMicros)} | ${fmt(cell.cpuMicros / base.cpuMicros, 2)} | ` +
        `${fmt(cell.heapKiB)} |`
    )
  }
  return rows.join("\n")
}

/** Per cell of (c) and (d): CPU within 1.25× of (a), and neither slower nor costlier than (b). */
const targetsTable = (cells: ReadonlyArray<Cell>): string => {
  const rows = [
    "| server | op | conc. | client | CPU ≤ 1.25 × (a) | req/s ≥ (b) | CPU ≤ (b) |",
    "| --- | --- | ---: | --- | --- | --- | --- |"
  ]
  for (const cell of cells.filter((c) => c.client.startsWith("(c)") || c.client.startsWith("(d)"))) {
    const same = (prefix: string) =>
      cells.find(
        (c) =>
          c.server === cell.server &&
          c.op === cell.op &&
          c.concurrency === cell.concurrency &&
          c.client.startsWith(prefix)
      )!
    const a = same("(a)")
    const b = same("(b)")
    const mark = (ok: boolean, text: string) => `${ok ? "met" : "**missed**"} (${text})`
    rows.push(
      `| ${cell.server} | ${cell.op} | ${cell.concurrency} | ${cell.client} | ` +
        `${mark(cell.cpuMicros <= 1.25 * a.cpuMicros, `${fmt(cell.cpuMicros / a.cpuMicros, 2)}×`)} | ` +
        `${mark(cell.rps >= b.rps, `${fmt(cell.rps / b.rps, 2)}×`)} | ` +
        `${mark(cell.cpuMicros <= b.cpuMicros, `${fmt(cell.cpuMicros / b.cpuMicros, 2)}×`)} |`
    )
  }
  return rows.join("\n")
}

const listAllTable = (runs: ReadonlyArray<ListAll>): string => {
  const rows = [
    "| client | tokens | wall ms | tokens/s | peak heap Δ MiB | retained after GC, first → last → most, MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |"
  ]
  for (const run of runs) {
    const first = run.retainedMiB[0] ?? 0
    const last = run.retainedMiB.at(-1) ?? 0
    const most = Math.max(0, ...run.retainedMiB)
    rows.push(
      `| ${run.client} | ${fmt(run.tokens)} | ${fmt(run.ms)} | ${fmt((run.tokens / run.ms) * 1000)} | ` +
        `${fmt(run.peakHeapMiB, 1)} | ${fmt(first, 1)} → ${fmt(last, 1)} → ${fmt(most, 1)} |`
    )
  }
  return rows.join("\n")
}

const bundleTable = (sizes: ReadonlyArray<BundleSize>): string => {
  const floor = sizes.find((s) => s.name.startsWith("floor"))!
  const rows = ["| program | minified KiB | gzipped KiB | × floor (gzipped) |", "| --- | ---: | ---: | ---: |"]
  for (const size of sizes) {
    rows.push(
      `| ${size.name} | ${fmt(size.minified / 1024, 1)} | ${fmt(size.gzipped / 1024, 1)} | ` +
        `${fmt(size.gzipped / floor.gzipped, 2)} |`
    )
  }
  return rows.join("\n")
}

const versionOf = (name: string): string => {
  const manifest = Path.join(here, "node_modules", name, "package.json")
  return (JSON.parse(Fs.readFileSync(manifest, "utf8")) as { version: string }).version
}

const machine = (): string => {
  const cpus = Os.cpus()
  const versions = ["effect", "@effect/platform", "@effect/platform-node", "@s2-dev/streamstore", "tsx"]
    .map((name) => `${name} ${versionOf(name)}`)
    .join(", ")
  return [
    `- CPU: ${cpus[0]?.model ?? "unknown"}, nproc ${Os.availableParallelism()}`,
    `- Memory: ${fmt(Os.totalmem() / 1024 ** 3, 1)} GiB; load average at start ${Os.loadavg()
      .map((l) => fmt(l, 2))
      .join(" / ")}`,
    `- Node ${process.version} (${process.platform} ${process.arch}); ${versions}; esbuild ${esbuildVersion}`,
    `- Date: ${new Date().toISOString()}; cell length ${CELL_MS} ms; warm-up ${WARM_UP_REQUESTS} requests of each kind`
  ].join("\n")
}

/**
 * Requests of every kind each client sends before any cell is measured. An Effect program's code takes a
 * few thousand requests to be optimized by V8; a short per-cell warm-up alone measured it half-cold.
 */
const WARM_UP_REQUESTS = Number(process.env.S2_BENCH_WARMUP ?? 2000)

/** Runs every client through list, issue and revoke on the fixed server, which answers any id. */
const warmUp = async (clients: ReadonlyArray<Client>) => {
  const start = performance.now()
  for (const client of clients) {
    for (const op of ["list1", "issue", "revoke"] as const) await client.batch(op, freshIds(WARM_UP_REQUESTS), 8)
  }
  console.log(`warm-up: ${WARM_UP_REQUESTS} requests of each kind a client, ${fmt(performance.now() - start)} ms`)
}

/** Rounds and requests a round of the steady-state measurement. */
const STEADY_ROUNDS = 3
const STEADY_REQUESTS = 3000

interface Steady {
  readonly client: string
  readonly cpuMicros: number
}

/** CPU per request of list-of-1 calls once every client is warm, taking turns so that none runs cold. */
const runSteady = async (servers: Servers): Promise<ReadonlyArray<Steady>> => {
  const clients = [...CLIENTS, effectFloor].map((make) => make(servers.fixed, servers.rootToken))
  const last = new Map<string, number>()
  for (let round = 0; round < STEADY_ROUNDS; round++) {
    for (const client of clients) {
      const before = process.cpuUsage()
      await client.batch("list1", freshIds(STEADY_REQUESTS), 1)
      const cpu = process.cpuUsage(before)
      last.set(client.name, (cpu.user + cpu.system) / STEADY_REQUESTS)
    }
  }
  await Promise.all(clients.map((c) => c.close()))
  const results = clients.map((c) => ({ client: c.name, cpuMicros: last.get(c.name) ?? Number.NaN }))
  for (const r of results) console.log(`steady ${r.client}: ${fmt(r.cpuMicros)} µs CPU/req`)
  return results
}

const steadyTable = (runs: ReadonlyArray<Steady>): string => {
  const base = runs[0]?.cpuMicros ?? Number.NaN
  const rows = ["| client | CPU µs/req | × (a) |", "| --- | ---: | ---: |"]
  for (const run of runs) rows.push(`| ${run.client} | ${fmt(run.cpuMicros)} | ${fmt(run.cpuMicros / base, 2)} |`)
  return rows.join("\n")
}

const ANALYSIS_MARKER = "<!-- hand-written analysis below: kept when the file is regenerated -->"

const main = async () => {
  const started = performance.now()
  const header = machine()
  console.log(header)
  const { servers, stop } = await startServers()
  const cells: Array<Cell> = []
  const listAll: Array<ListAll> = []
  const steady: Array<Steady> = []
  try {
    for (const [server, endpoint] of [
      ["fixed", servers.fixed],
      ["testing", servers.testing]
    ] as const) {
      const clients = [...CLIENTS, effectFloor].map((make) => make(endpoint, servers.rootToken))
      if (server === "fixed") await warmUp(clients)
      for (const op of OPS) {
        for (const concurrency of CONCURRENCIES) {
          for (const client of clients) {
            const cell = await runCell(client, server, op, concurrency)
            cells.push(cell)
            console.log(
              `${server} ${op} c=${concurrency} ${client.name}: ${fmt(cell.rps)} req/s, ` +
                `${fmt(cell.cpuMicros)} µs CPU/req, heap Δ ${fmt(cell.heapKiB)} KiB (${cell.requests} requests)`
            )
          }
        }
      }
      await Promise.all(clients.map((c) => c.close()))
    }
    const clients = CLIENTS.map((make) => make(servers.fixed, servers.rootToken))
    for (const count of LIST_ALL_COUNTS) {
      for (const client of clients) {
        const run = await runListAll(client, count)
        listAll.push(run)
        console.log(`listAll ${count} ${client.name}: ${fmt(run.ms)} ms, peak heap Δ ${fmt(run.peakHeapMiB, 1)} MiB`)
      }
    }
    await Promise.all(clients.map((c) => c.close()))
    steady.push(...(await runSteady(servers)))
  } finally {
    stop()
  }
  const bundles = await measureBundles()

  const sections = [
    "# Benchmarks",
    "",
    "Generated by `pnpm bench` (packages/benchmarks/src/main.ts). Loopback only; the servers run in a child",
    "process, so CPU per request is the client's process alone (`process.cpuUsage`, user + system, divided by",
    "requests). Heap Δ is `heapUsed` after a forced GC, after the cell minus before it. Numbers from a shared,",
    "busy machine are noisy: compare ratios within a row group, not runs.",
    "",
    "## Machine",
    "",
    header,
    "",
    "## Requests (list of 1 and 1000 tokens a page, issue, revoke)",
    "",
    "`fixed`: a node:http server with precomputed answers, so client cost dominates. `testing`: the",
    "@effect-s2/testing loopback server with 1000 tokens. Clients: (a) `fetch` + `JSON.parse`, (b) the official",
    "SDK, (c) our Effect API (`Effect.forEach` with the concurrency), (d) our Promise edge (`new S2(...)`), and",
    "(e) not a client: the same requests with only Effect's HttpClient + Schema, to tell our cost from the platform's.",
    "",
    throughputTable(cells),
    "",
    "## Targets: (c) and (d) CPU within 1.25× of (a), and no slower than (b)",
    "",
    targetsTable(cells),
    "",
    "## Steady state: list of 1, one at a time, fixed server",
    "",
    `Each client, already warm, sends ${STEADY_ROUNDS} rounds of ${fmt(STEADY_REQUESTS)} requests in turn; the last`,
    "round counts. Short cells after other clients' runs measure GC debt and JIT state as well; this does not.",
    "",
    steadyTable(steady),
    "",
    "## listAllAccessTokens (fixed server, pages of 1000)",
    "",
    "Every 10,000 tokens the run forces a GC and notes the heap still in use (its time is left out of wall ms).",
    "Memory that does not grow with the count shows as a retained heap that stays level from first to last.",
    "",
    listAllTable(listAll),
    "",
    "## Bundle size of a minimal list-tokens program (esbuild, browser, minified, gzip -9)",
    "",
    bundleTable(bundles),
    ""
  ]
  const file = Path.join(here, "BENCHMARKS.md")
  const previous = Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : ""
  const analysis = previous.includes(ANALYSIS_MARKER)
    ? previous.slice(previous.indexOf(ANALYSIS_MARKER))
    : ANALYSIS_MARKER
  Fs.writeFileSync(file, `${sections.join("\n")}\n${analysis.trimEnd()}\n`)

  console.log(
    `\n${throughputTable(cells)}\n\n${targetsTable(cells)}\n\n${listAllTable(listAll)}\n\n${bundleTable(bundles)}`
  )
  console.log(`\nwrote ${file} in ${fmt((performance.now() - started) / 1000, 1)} s`)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
