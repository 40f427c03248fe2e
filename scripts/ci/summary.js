// Prints jest's counts as the plain line CI reads: "N passed, N failed".
const fs = require('node:fs');

const [file, status] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = r.numPassedTests;
  // Suites that failed to run (e.g. a setup error) have no failed tests but are failures.
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
} catch {
  failed = 1; // npm test stopped before jest (provisioning, typecheck or lint)
}
if (failed === 0 && status !== '0') failed = 1;
console.log(`${passed} passed, ${failed} failed`);
