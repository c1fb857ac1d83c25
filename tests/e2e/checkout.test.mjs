// checkout.test.mjs - the checkout shows what is being bought, and orders only that: summary, empty cart, two tabs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { URL, fillShipping, launch, screenshot, shopper, addViaApi } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const SHIPPING = { name: 'Ana Lima', email: 'ana@example.com', address: 'Rua das Flores 12', city: 'Lisboa',
  postalCode: '1000-001', country: 'PT' };
const CART_CHANGED = 'Your cart changed (in another tab?): check the new total and place the order again.';

function fillShippingDetails(page) {
  return fillShipping(page, SHIPPING);
}

// A call to the API from the page, as the page's shopper (its cookie), without the storefront knowing.
async function callApi(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const response = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json' },
      body: m === 'GET' ? undefined : JSON.stringify(b ?? {}) });
    return { status: response.status, body: await response.json() };
  }, [method, path, body]);
}

async function summaryRows(page) {
  return page.$$eval('.order-summary tbody tr', (rows) => rows.map((row) =>
    [row.dataset.product, ...[...row.cells].map((cell) => cell.textContent.trim())]));
}

// Place order is offered only as an enabled, visible button.
async function placeOrderOffered(page) {
  return page.getByRole('button', { name: 'Place order' }).isEnabled({ timeout: 1000 }).catch(() => false);
}

async function emptyCartShown(page) {
  await page.getByText('Your cart is empty.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Back to the shop' }).count(), 1);
  assert.equal(await placeOrderOffered(page), false, 'no enabled Place order for an empty cart');
  assert.equal(await page.$$eval('#main form button[type=submit]', (buttons) => buttons.some((b) => !b.disabled &&
    b.offsetParent !== null)), false);
}

test('the checkout shows each line with quantity, unit price and line total, the item count and the total', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await addViaApi(page, 'prod-001', 2);
  await addViaApi(page, 'prod-010', 1);
  const cart = (await callApi(page, 'GET', '/api/cart')).body;
  await page.goto('/checkout');
  await page.locator('.order-summary').waitFor();
  const money = (cents) => new Intl.NumberFormat('en-US', { style: 'currency', currency: cart.currency }).format(cents / 100);
  assert.deepEqual(await summaryRows(page), cart.items.map((item) => [item.productId, item.name, String(item.quantity),
    money(item.unitPriceCents), money(item.lineTotalCents)]));
  assert.equal(await page.textContent('#checkout-total'), money(cart.totalCents));
  assert.match(await page.textContent('.checkout-summary .cart-total'), /^Total \(3 items\): /);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.textContent('form.checkout .form-message'), '', 'no "cart changed" for the first cart shown');
  await screenshot(page, 'checkout-summary');
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true,
    'the summary fits a phone');
  await screenshot(page, 'checkout-summary-phone', { fullPage: true });

  await fillShippingDetails(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
  const orderId = decodeURIComponent(new globalThis.URL(page.url()).pathname.split('/').pop());
  assert.equal((await callApi(page, 'GET', `/api/orders/${orderId}`)).body.totalCents, cart.totalCents);
  assert.deepEqual(page.errors, []);
});

test('an empty cart offers the way back to the shop and no Place order, also when checkout comes back from history', async () => {
  const page = await shopper(browser);
  await page.goto('/checkout');
  await emptyCartShown(page);

  // Back to checkout through the app's history, after emptying the cart on the cart page.
  await addViaApi(page, 'prod-011');
  await page.reload();
  await page.locator('.order-summary').waitFor();
  assert.equal(await placeOrderOffered(page), true);
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('button', { name: /^Remove / }).click();
  await page.getByText('Your cart is empty.').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await emptyCartShown(page);

  // Back to checkout from another document (the back-forward cache may restore the old page as it was).
  await addViaApi(page, 'prod-011');
  await page.goto('/checkout');
  await page.locator('.order-summary').waitFor();
  await page.goto('/api/health/live');
  assert.equal((await callApi(page, 'DELETE', '/api/cart')).status, 200);
  await page.goBack();
  await emptyCartShown(page);
  await screenshot(page, 'checkout-empty');
  assert.deepEqual(page.errors, []);
});

test('two tabs at checkout: the badge and summary follow the other tab, and an order never charges a cart the shopper did not see', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: URL });
  try {
    const tabA = await context.newPage();
    await tabA.goto('/');
    await addViaApi(tabA, 'prod-012');
    await tabA.goto('/checkout');
    await tabA.locator('.order-summary').waitFor();
    await fillShippingDetails(tabA);
    assert.equal((await summaryRows(tabA)).length, 1);
    assert.equal(await tabA.textContent('#cart-badge'), '1 item');

    // Tab B adds through the storefront: tab A's badge and summary follow.
    const tabB = await context.newPage();
    await tabB.goto('/product/prod-013');
    await tabB.getByRole('button', { name: 'Add to cart' }).click();
    await tabB.getByText('Added to your cart.').waitFor();
    await tabA.waitForFunction(() => document.querySelector('#cart-badge').textContent === '2 items');
    await tabA.waitForFunction(() => document.querySelectorAll('.order-summary tbody tr').length === 2);
    await tabA.getByText('Your cart changed (in another tab?): check the new total.', { exact: true }).waitFor();
    assert.equal(await tabA.inputValue('#ship-name'), SHIPPING.name, 'what was typed stays');

    // A change tab A cannot hear of (another device, a script): the order refuses it and shows the new cart.
    await addViaApi(tabB, 'prod-014', 2);
    const cart = (await callApi(tabB, 'GET', '/api/cart')).body;
    assert.equal((await summaryRows(tabA)).length, 2, 'tab A still shows what it saw');
    await tabA.getByRole('button', { name: 'Place order' }).click();
    await tabA.getByText(CART_CHANGED).waitFor();
    assert.deepEqual((await summaryRows(tabA)).map((row) => [row[0], row[2]]),
      cart.items.map((item) => [item.productId, String(item.quantity)]));
    assert.equal(await tabA.textContent('#cart-badge'), '4 items');
    const shownTotal = await tabA.textContent('#checkout-total');
    assert.deepEqual((await callApi(tabA, 'GET', '/api/orders')).body.items, [], 'nothing was ordered');
    await screenshot(tabA, 'checkout-cart-changed');

    // The next click orders the cart now shown, for the total shown.
    await tabA.getByRole('button', { name: 'Place order' }).click();
    await tabA.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
    const orderId = decodeURIComponent(new globalThis.URL(tabA.url()).pathname.split('/').pop());
    const order = (await callApi(tabA, 'GET', `/api/orders/${orderId}`)).body;
    assert.equal(order.totalCents, cart.totalCents);
    assert.equal(await tabA.textContent('.cart-total strong'), shownTotal);
  } finally {
    await context.close();
  }
});
