// lighthouse-table.mjs - prints the Lighthouse scores quality.test.mjs wrote
// (lighthouse.json) as a small table; scripts/test runs it after the browser tests.
//   node tests/e2e/lighthouse-table.mjs PATH/lighthouse.json
import { readFileSync } from 'node:fs';

const COLUMNS = [['performance', 'perf'], ['accessibility', 'a11y'], ['best-practices', 'best'], ['seo', 'seo']];
const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const pad = (text, width) => String(text).padStart(width);

console.log('Lighthouse (mobile, simulated throttling)');
console.log(`${'page'.padEnd(10)}${COLUMNS.map(([, c]) => pad(c, 6)).join('')}`);
for (const [name, result] of Object.entries(results)) {
  console.log(`${name.padEnd(10)}${COLUMNS.map(([id]) => pad(result.scores[id], 6)).join('')}`);
}
if (results.home) {
  console.log(`home page: ${Math.round(results.home.totalByteWeight / 1024)} KiB transferred (total-byte-weight)`);
}
