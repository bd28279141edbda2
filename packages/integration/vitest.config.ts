import { defineConfig } from "vitest/config"

// `source` points workspace imports at the TypeScript sources, so tests need no build step.
const conditions = ["source", "module", "node", "development|production"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "integration",
    include: ["test/**/*.test.ts"]
  }
})
