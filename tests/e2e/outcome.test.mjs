// outcome.test.mjs - how an order ends, as the shopper sees it: a declined card
// leads back to the cart and to checkout, an order the shop could not complete
// says whom to write to, and the history speaks in words and short references.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, screenshot, service, shopper, fillShipping, addViaApi } from './browser.mjs';

const ROOT = process.env.SHOP_ROOT || path.resolve(path.dirname(new globalThis.URL(import.meta.url).pathname), '../..');
const BUILD = process.env.SHOP_BUILD || path.join(ROOT, 'build');
const VAR = process.env.SHOP_VAR || path.join(ROOT, 'var');
const SUPPORT = 'support@shop.example'; // scripts/stack's support_email
const SHIPPING = { name: 'Ana Lima', email: 'ana@example.com', address: 'Rua das Flores 12', city: 'Lisboa',
  postalCode: '1000-001', country: 'PT' };
const LONG_ID = /[0-9a-f]{32}/;
const RAW_STATUS = /PENDING|PROCESSED|PAYMENT_FAILED|FAILED|CANCELLED|REFUNDED/;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// Checks out the page's cart through the API (with shipping overrides); returns the order id.
async function orderViaApi(page, shipping) {
  return page.evaluate(async (body) => {
    const response = await fetch('/api/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shipping: body }) });
    return (await response.json()).orderId;
  }, { ...SHIPPING, ...shipping });
}

// Waits until the order (of the page's shopper) has one of statuses.
async function orderReaches(page, orderId, statuses) {
  await page.waitForFunction(async ([id, wanted]) => {
    const order = await (await fetch(`/api/orders/${id}`)).json();
    return wanted.includes(order.status);
  }, [orderId, statuses], { polling: 200, timeout: 20000 });
}

function shopctl(...args) {
  return execFileSync(path.join(BUILD, 'shopctl', 'shopctl'),
    ['--config', path.join(VAR, 'shop.conf'), '--sql-dir', path.join(ROOT, 'sql'), ...args], { stdio: 'ignore' });
}

// A worker whose every charge fails, and that gives up at the first failure: its orders end FAILED.
async function withDoomedWorker(body) {
  const log = openSync(path.join(VAR, 'log', 'worker-e2e-doomed.log'), 'a');
  const worker = spawn(path.join(BUILD, 'worker', 'shop-worker'), [], {
    env: { ...process.env, SHOP_CONFIG: path.join(VAR, 'shop.conf'), SHOP_PAYMENT_FAILURE_PERCENT: '100',
      SHOP_WORKER_MAX_ATTEMPTS: '1' },
    stdio: ['ignore', log, log],
  });
  try {
    await body();
  } finally {
    const exited = new Promise((resolve) => { worker.once('exit', resolve); });
    worker.kill('SIGTERM');
    await exited;
  }
}

test('a declined card: its own heading, not "Thank you", and the ways back to the cart and to checkout', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await addViaApi(page, 'prod-012');
  await page.goto('/cart');
  await page.getByRole('link', { name: 'Proceed to checkout' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await fillShipping(page, { ...SHIPPING, email: 'ana+decline@example.com' });
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('#order-status[data-status="PAYMENT_FAILED"]').waitFor({ timeout: 20000 });

  const heading = page.getByRole('heading', { level: 1 });
  assert.equal(await heading.textContent(), 'Your payment was declined');
  assert.equal(await page.title(), 'Your payment was declined · fcgi-shop');
  assert.equal(await page.evaluate(() => document.activeElement.tagName + ':' + document.activeElement.textContent),
    'H1:Your payment was declined', 'the focus is on the new heading');
  const main = await page.textContent('main');
  assert.doesNotMatch(main, /Thank you|null|undefined/);
  assert.doesNotMatch(main, LONG_ID, 'the short reference, not the 32-digit id');
  assert.match(await page.textContent('#order-reference'), /^[0-9A-F]{4}-[0-9A-F]{4}$/);
  assert.match(await page.textContent('#order-status'), /declined.*not charged you/);
  await screenshot(page, 'order-declined');
  const declinedUrl = page.url();

  await page.getByRole('link', { name: 'Try again' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  assert.match(page.url(), /:\d+\/checkout$/);

  await page.goto(declinedUrl);
  await page.getByRole('link', { name: 'Back to your cart' }).click();
  await page.getByRole('heading', { name: 'Your cart' }).waitFor();
  assert.match(page.url(), /:\d+\/cart$/);
  await page.waitForFunction(() => document.querySelector('#cart-badge').textContent === '1 item');
  assert.deepEqual(page.errors, []);
});

test('an order the shop could not complete says whom to write to, quoting its reference', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await addViaApi(page, 'prod-013');
  let orderId;
  service('stop', 'worker');
  try {
    orderId = await orderViaApi(page, { email: 'bea@example.com' });
    await page.goto(`/order/${orderId}`);
    await page.getByRole('heading', { level: 1, name: 'Thank you: we have your order' }).waitFor();
    assert.equal(await page.textContent('#order-status'), 'We are processing your payment…');
    await withDoomedWorker(async () => {
      await page.locator('#order-status[data-status="FAILED"]').waitFor({ timeout: 20000 });
    });
  } finally {
    service('start', 'worker');
  }
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'We could not complete this order');
  assert.equal(await page.title(), 'We could not complete this order · fcgi-shop');
  const reference = (await page.textContent('#order-reference')).trim();
  const contact = page.getByRole('link', { name: SUPPORT });
  assert.equal(await contact.getAttribute('href'), `mailto:${SUPPORT}?subject=${encodeURIComponent(`Order ${reference}`)}`);
  assert.match(await page.textContent('.order-contact'), new RegExp(`write to us at ${SUPPORT} and quote your order reference ${reference}`));
  assert.doesNotMatch(await page.textContent('main'), /Thank you|null|undefined/);
  await screenshot(page, 'order-failed');
  shopctl('dead-letters', 'discard', orderId); // its dead letter is no other test's
  assert.deepEqual(page.errors, []);
});

test('the order history says what became of each order in words, with short references', async () => {
  const page = await shopper(browser, { width: 390, height: 844 });
  await page.goto('/');
  await addViaApi(page, 'prod-014');
  const declined = await orderViaApi(page, { email: 'cai+decline@example.com' });
  await orderReaches(page, declined, ['PAYMENT_FAILED']);
  const confirmed = await orderViaApi(page, { email: 'cai@example.com' }); // the declined one left the cart as it was
  await orderReaches(page, confirmed, ['PROCESSED']);

  await page.goto('/orders');
  const declinedRow = page.locator(`[data-order="${declined}"]`);
  const confirmedRow = page.locator(`[data-order="${confirmed}"]`);
  await declinedRow.waitFor();
  const shortRef = (id) => `${id.slice(6, 10).toUpperCase()}-${id.slice(10, 14).toUpperCase()}`;
  assert.equal(await declinedRow.locator('.order-status').textContent(), 'Payment declined');
  assert.equal(await confirmedRow.locator('.order-status').textContent(), 'Confirmed');
  assert.equal(await declinedRow.getByRole('link').textContent(), `Order ${shortRef(declined)}`);
  assert.equal(await confirmedRow.getByRole('link').textContent(), `Order ${shortRef(confirmed)}`);
  const list = await page.textContent('main');
  assert.doesNotMatch(list, LONG_ID);
  assert.doesNotMatch(list, RAW_STATUS);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone');
  await screenshot(page, 'order-history-phone', { fullPage: true });

  await declinedRow.getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Your payment was declined' }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone');
  assert.deepEqual(page.errors, []);
});
