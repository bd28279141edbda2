import { defineConfig } from "vitest/config"

// `source` points workspace imports at the TypeScript sources, so tests need no build step.
const conditions = ["source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "conformance",
    include: ["test/**/*.test.ts"],
    // Prism takes a few seconds to start; the properties send hundreds of requests.
    hookTimeout: 60_000,
    testTimeout: 60_000
  }
})
