// quality.test.mjs - the storefront as measured by real tools: axe-core finds no
// accessibility violation on any page (desktop and phone), and Lighthouse (its
// default mobile config, simulated throttling) scores each main page at least
// MIN_SCORE in performance, accessibility, best practices and SEO.
//
// Lighthouse drives its own Chromium (chrome-launcher), one run at a time; a run
// that crashes is run again, a low score never is. The scores go to
// lighthouse.json ($SHOP_VAR and the test output folder); scripts/test prints them.
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, OUTPUT, URL, fillShipping, launch } from './browser.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const VIEWPORTS = [{ width: 1280, height: 800 }, { width: 390, height: 844 }];
const SHIPPING = { name: 'Ana Lima', email: 'ana@example.com', address: 'Rua das Flores 12', city: 'Lisboa',
  postalCode: '1000-001', country: 'PT' };

let browser;
let orderId;
let buyerState; // the cookies of the shopper who placed orderId
before(async () => {
  browser = await launch();
  const context = await browser.newContext({ baseURL: URL });
  await addToCart(context);
  const response = await context.request.post('/api/orders', { data: { shipping: SHIPPING },
    headers: { 'Idempotency-Key': 'quality'.padEnd(32, '0') + Date.now() } });
  assert.equal(response.status(), 201, await response.text());
  orderId = (await response.json()).orderId;
  buyerState = await context.storageState();
  await context.close();
});
after(async () => { await browser.close(); });

async function addToCart(context, productId = 'prod-001', quantity = 2) {
  const response = await context.request.post('/api/cart', { data: { productId, quantity } });
  assert.equal(response.status(), 200, await response.text());
}

// Every page a shopper can meet, each in the state that shows the most: its
// setup fills the cart or submits a form, its ready locator says it has rendered.
const PAGES = [
  { name: 'home', path: '/', ready: (p) => p.locator('.recommended .card, .recommended p:not(.loading)').first() },
  { name: 'category', path: '/category/Electronics', ready: (p) => p.locator('.grid .card').first() },
  { name: 'search with results', path: '/search/headphones', ready: (p) => p.locator('.grid .card').first() },
  { name: 'search without results', path: '/search/nothing-sells-like-this',
    ready: (p) => p.getByText('No products match.') },
  { name: 'product', path: '/product/prod-001', ready: (p) => p.getByRole('button', { name: 'Add to cart' }) },
  { name: 'product not found', path: '/product/prod-999999',
    ready: (p) => p.getByRole('heading', { name: 'Product not found' }) },
  { name: 'empty cart', path: '/cart', ready: (p) => p.getByText('Your cart is empty.') },
  { name: 'cart with items', path: '/cart', setup: addToCart, ready: (p) => p.locator('#cart-total') },
  { name: 'empty checkout', path: '/checkout', ready: (p) => p.getByText('Your cart is empty.') },
  { name: 'checkout with items', path: '/checkout', setup: addToCart, ready: (p) => p.locator('#ship-name') },
  { name: 'checkout with field errors', path: '/checkout', setup: addToCart,
    ready: async (p) => {
      await p.getByRole('button', { name: 'Place order' }).click();
      return p.locator('.field-error:not(:empty)').first();
    } },
  { name: 'order status', path: () => `/order/${orderId}`, buyer: true,
    ready: (p) => p.locator('#order-status[data-status="PROCESSED"]') },
  { name: 'order history', path: '/orders', buyer: true, ready: (p) => p.locator(`[data-order="${orderId}"]`) },
  { name: 'page not found', path: '/no-such-page', ready: (p) => p.getByRole('heading', { name: 'Page not found' }) },
];

// The page at its final state: what it waits for shown, the network quiet.
async function openPage(spec, viewport) {
  // axe is injected as an inline script, which the shop's CSP (script-src 'self') refuses.
  const context = await browser.newContext({ viewport, baseURL: URL, bypassCSP: true,
    storageState: spec.buyer ? buyerState : undefined });
  if (spec.setup) await spec.setup(context);
  const page = await context.newPage();
  await page.goto(typeof spec.path === 'function' ? spec.path() : spec.path);
  await (await spec.ready(page)).waitFor({ timeout: 15000 });
  await page.waitForLoadState('networkidle');
  return page;
}

function describeViolations(violations) {
  return violations.map((v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n` +
    v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n'))
    .join('\n');
}

for (const viewport of VIEWPORTS) {
  for (const spec of PAGES) {
    const size = `${viewport.width}×${viewport.height}`;
    test(`quality: axe finds no violation on the ${spec.name} page at ${size}`, async () => {
      const page = await openPage(spec, viewport);
      try {
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () =>
          (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
        assert.equal(violations.length, 0, `axe found on ${page.url()}:\n${describeViolations(violations)}`);
      } finally {
        await page.context().close();
      }
    });
  }
}

// Lighthouse ---------------------------------------------------------------

const MIN_SCORE = 95;
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const CRASH_RETRIES = 2;

// A session whose cart holds items, as a Cookie header Lighthouse can send.
async function cartCookie() {
  const context = await browser.newContext({ baseURL: URL });
  try {
    await addToCart(context);
    const cookies = await context.cookies();
    return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  } finally {
    await context.close();
  }
}

// One Lighthouse run in a Chromium of its own. A run that fails to measure
// (runtimeError, a crash) throws; its scores are never looked at.
async function lighthouseOnce(url, extraHeaders) {
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
    chromeFlags: CHROMIUM_ARGS, logLevel: 'silent' });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: CATEGORIES, extraHeaders });
    if (!result || result.lhr.runtimeError) {
      throw new Error(`Lighthouse failed on ${url}: ${result?.lhr.runtimeError?.message}`);
    }
    return result.lhr;
  } finally {
    await chrome.kill();
  }
}

async function lighthouseRun(url, extraHeaders) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await lighthouseOnce(url, extraHeaders);
    } catch (error) {
      if (attempt >= CRASH_RETRIES) throw error;
      console.log(`# Lighthouse crashed on ${url} (${error.message}); running it again`);
    }
  }
}

// What lighthouse.json keeps of a run: the scores, why any is below 1, and weights.
function summary(lhr) {
  const scores = Object.fromEntries(CATEGORIES.map((id) => [id, Math.round(lhr.categories[id].score * 100)]));
  const failing = CATEGORIES.flatMap((id) => lhr.categories[id].auditRefs
    .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
    .map((ref) => `${id}: ${ref.id} ${lhr.audits[ref.id].displayValue || lhr.audits[ref.id].score}`));
  const metric = (id) => lhr.audits[id].numericValue;
  return { url: lhr.finalDisplayedUrl, scores, totalByteWeight: metric('total-byte-weight'),
    metrics: { fcpMs: metric('first-contentful-paint'), lcpMs: metric('largest-contentful-paint'),
      tbtMs: metric('total-blocking-time'), cls: metric('cumulative-layout-shift'),
      speedIndexMs: metric('speed-index') },
    failing };
}

function writeResults(results) {
  const text = `${JSON.stringify(results, null, 2)}\n`;
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(path.join(OUTPUT, 'lighthouse.json'), text);
  if (process.env.SHOP_VAR) writeFileSync(path.join(process.env.SHOP_VAR, 'lighthouse.json'), text);
}

test(`quality: Lighthouse scores home, product, cart and checkout ${MIN_SCORE}+ in every category`, async () => {
  const cookie = await cartCookie();
  const pages = [
    ['home', '/', undefined],
    ['product', '/product/prod-001', undefined],
    ['cart', '/cart', { Cookie: cookie }],
    ['checkout', '/checkout', { Cookie: cookie }],
  ];
  const results = {};
  for (const [name, pagePath, headers] of pages) {
    results[name] = summary(await lighthouseRun(new globalThis.URL(pagePath, URL).href, headers));
  }
  writeResults(results);
  const low = Object.entries(results).flatMap(([name, r]) => CATEGORIES
    .filter((id) => r.scores[id] < MIN_SCORE)
    .map((id) => `${name} ${id} ${r.scores[id]} (${r.failing.filter((f) => f.startsWith(id)).join('; ')})`));
  assert.deepEqual(low, [], `scores below ${MIN_SCORE}:\n${low.join('\n')}`);
});

// README screenshots -------------------------------------------------------

const SCREENSHOTS = path.join(OUTPUT, 'screenshots');

// The pages README.md shows, each at its final state, as
// tests/e2e/output/screenshots/NAME.png (copied to docs/screenshots/ by hand).
const SHOTS = [
  { name: 'home', spec: PAGES.find((p) => p.name === 'home') },
  { name: 'product', spec: PAGES.find((p) => p.name === 'product') },
  { name: 'cart', spec: PAGES.find((p) => p.name === 'cart with items') },
  { name: 'checkout', spec: PAGES.find((p) => p.name === 'checkout with items'),
    fill: { name: SHIPPING.name, email: SHIPPING.email, address: SHIPPING.address, city: SHIPPING.city,
      country: SHIPPING.country, postalCode: SHIPPING.postalCode } },
  { name: 'order-status', spec: PAGES.find((p) => p.name === 'order status') },
  { name: 'phone-home', spec: PAGES.find((p) => p.name === 'home'), viewport: { width: 390, height: 844 } },
];

test('quality: screenshots of the main pages for the README', async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const shot of SHOTS) {
    const page = await openPage(shot.spec, shot.viewport || VIEWPORTS[0]);
    try {
      await fillShipping(page, shot.fill || {});
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = path.join(SCREENSHOTS, `${shot.name}.png`);
      await page.screenshot({ path: file });
      assert.ok(statSync(file).size > 10000, `${file} holds a picture`);
    } finally {
      await page.context().close();
    }
  }
});
