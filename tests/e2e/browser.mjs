// browser.mjs - what the browser tests share: Debian's Chromium through
// playwright-core, the stack under test, and screenshots.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const URL = process.env.SHOP_URL || 'http://127.0.0.1:8080';
const ROOT = process.env.SHOP_ROOT || path.resolve(path.dirname(new globalThis.URL(import.meta.url).pathname), '../..');
export const OUTPUT = process.env.E2E_OUTPUT || path.join(ROOT, 'tests', 'e2e', 'output');
const VAR = process.env.SHOP_VAR || path.join(ROOT, 'var');


// The flags this machine's Chromium needs: no sandbox as root, no network of its own.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// A fresh shopper: its own context, so its own cookies and session.
export async function shopper(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, baseURL: URL });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  return page;
}

// Writes <name>.png to the test output folder (tests/e2e/output, or E2E_OUTPUT).
export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage });
}

// Stops or starts one service of the stack under test (scripts/stack).
export function service(action, name) {
  execFileSync(path.join(ROOT, 'scripts', 'stack'), [`${action}-service`, name], { stdio: 'ignore' });
}

// Runs SQL as root on the stack's database (its unix socket in $SHOP_VAR/run); returns the rows' text.
export function sql(statement) {
  const socket = path.join(VAR, 'run', 'mysql.sock');
  return execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch',
    '--skip-column-names', 'shop', '-e', statement], { encoding: 'utf8' });
}

// The same, as rows of columns (arrays of strings).
export function sqlRows(statement) {
  return sql(statement).split('\n').filter(Boolean).map((line) => line.split('\t'));
}

// Types a shipping address into the checkout form; the country is chosen from its list.
export async function fillShipping(page, shipping) {
  for (const [field, value] of Object.entries(shipping)) {
    if (field === 'country') await page.selectOption('#ship-country', value);
    else await page.fill(`#ship-${field}`, value);
  }
}

// Adds to the cart the page's session owns. The page's own first requests must
// have answered first: each cookie-less request starts a session, and a late
// Set-Cookie from one of them would replace the session this add went to.
export async function addViaApi(page, productId, quantity = 1) {
  await page.waitForLoadState('networkidle');
  const status = await page.evaluate(async ([id, qty]) => (await fetch('/api/cart', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ productId: id, quantity: qty }) })).status,
  [productId, quantity]);
  assert.equal(status, 200);
}
