// Prints one closing line for the whole suite (unit + end-to-end), from the runners' JSON reports:
//   total: 290 passed, 0 failed, 3 skipped
// Skipped tests are counted apart and never as passed.
import { readFileSync } from 'node:fs';

function read(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`report-totals: cannot read ${file}: ${e.message}`);
    process.exit(1);
  }
}

const unit = read('test-reports/unit.json');
const e2e = read('test-reports/e2e.json');
const passed = unit.numPassedTests + (e2e.stats.expected ?? 0) + (e2e.stats.flaky ?? 0);
const failed = unit.numFailedTests + (e2e.stats.unexpected ?? 0);
const skipped = unit.numPendingTests + unit.numTodoTests + (e2e.stats.skipped ?? 0);
console.log(`unit: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed, ${unit.numPendingTests + unit.numTodoTests} skipped`);
console.log(`e2e: ${e2e.stats.expected ?? 0} passed, ${e2e.stats.unexpected ?? 0} failed, ${e2e.stats.skipped ?? 0} skipped`);
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
