import { defineConfig } from "vitest/config"

// `source` points workspace imports at the TypeScript sources, so tests need no build step.
const conditions = ["source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "soak",
    include: ["test/**/*.test.ts"],
    // The soak runs thousands of operations on loopback; a busy shared machine needs headroom.
    testTimeout: 60_000
  }
})
