import { defineConfig } from "vitest/config"

// `source` points workspace imports at the TypeScript sources, so tests need no build step.
const conditions = ["source", "module", "node", "development|production"]

/** A package's tests: `packages/<name>/test/**\/*.test.ts`, with the settings above. */
const project = (name: string, settings: { readonly testTimeout?: number; readonly hookTimeout?: number } = {}) => ({
  extends: true,
  test: { name, root: `packages/${name}`, include: ["test/**/*.test.ts"], ...settings }
})

// The one place that lists the test projects. It is passed to vitest as its config
// (`vitest run --config vitest.workspace.ts`) so that vitest 3.2 reads `test.projects`
// and does not warn about the deprecated workspace-file lookup.
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      project("client"),
      project("testing"),
      project("integration"),
      // Prism takes a few seconds to start; the properties send hundreds of requests.
      project("conformance", { hookTimeout: 60_000, testTimeout: 60_000 }),
      // The soak runs hundreds of operations on loopback; a busy shared machine needs headroom.
      project("benchmarks", { testTimeout: 60_000 })
    ],
    // The JSON report feeds the one-line summary that `.ci/run` prints.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" }
  }
})
