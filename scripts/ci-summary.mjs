// Sums the test reports of every runner .ci/run used and prints the closing line CI reads.
// Exits non-zero when a test or any other CI step failed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [reportDir, failedStepCount, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

const vitestReport = join(reportDir, "vitest.json");
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}

const playwrightReport = join(reportDir, "playwright.json");
if (existsSync(playwrightReport)) {
  const { stats } = JSON.parse(readFileSync(playwrightReport, "utf8"));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  skipped += stats.skipped;
}

if (Number(failedStepCount) > 0) {
  console.log(`failed steps: ${failedSteps.join(", ")}`);
}
if (passed + failed === 0) {
  console.log("no test ran");
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || Number(failedStepCount) > 0 || passed === 0 ? 1 : 0);
