// Sums the test reports of every runner .ci/run used and prints the closing line CI reads.
// Exits non-zero when a test or any other CI step failed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [reportDir, failedStepCount, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

// One report per run of a runner: vitest*.json from vitest, playwright*.json from Playwright.
for (const file of readdirSync(reportDir).sort()) {
  if (!file.endsWith(".json")) {
    continue;
  }
  const report = JSON.parse(readFileSync(join(reportDir, file), "utf8"));
  if (file.startsWith("vitest")) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  } else if (file.startsWith("playwright")) {
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}

if (Number(failedStepCount) > 0) {
  console.log(`failed steps: ${failedSteps.join(", ")}`);
}
if (passed + failed === 0) {
  console.log("no test ran");
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || Number(failedStepCount) > 0 || passed === 0 ? 1 : 0);
