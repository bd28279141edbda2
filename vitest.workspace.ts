import { defineConfig } from "vitest/config"

// The one place that lists the test projects. It is passed to vitest as its config
// (`vitest run --config vitest.workspace.ts`) so that vitest 3.2 reads `test.projects`
// and does not warn about the deprecated workspace-file lookup.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts"],
    // The JSON report feeds the one-line summary that `.ci/run` prints.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" }
  }
})
