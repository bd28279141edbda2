// Prints the test runner's totals as the single line CI reads: `N passed, N failed`.
import { readFileSync } from "node:fs"

const file = process.argv[2] ?? ".vitest-results.json"
let results
try {
  results = JSON.parse(readFileSync(file, "utf8"))
} catch (cause) {
  process.stderr.write(`no test results in ${file}: ${cause}\n`)
  process.stdout.write("0 passed, 1 failed\n")
  process.exit(1)
}
const passed = results.numPassedTests
const failed = results.numFailedTests + (results.numRuntimeErrorTests ?? 0)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
