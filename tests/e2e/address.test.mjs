// address.test.mjs - the shipping address at checkout (a country list, per-field
// errors, prefilled on a retry) and quantity boxes that stop at the stock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { URL, launch, screenshot, shopper, sql, addViaApi } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const ADDRESS = { name: 'Ana Lima', email: 'ana@example.com', address: '10 Downing Street', city: 'London',
  postalCode: 'SW1A 2AA' };
const LOW_STOCK = 'prod-047'; // no other browser test uses it

async function checkoutWith(page, productId) {
  await page.goto('/checkout');
  await addViaApi(page, productId);
  await page.reload();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
}

async function fillAddress(page, address) {
  for (const [field, value] of Object.entries(address)) await page.fill(`#ship-${field}`, value);
}

// Sets a product's stock for the length of fn, then puts the old value back.
async function withStock(productId, stock, fn) {
  const saved = Number(sql(`SELECT stock FROM products WHERE id = '${productId}'`).trim());
  sql(`UPDATE products SET stock = ${stock} WHERE id = '${productId}'`);
  try {
    await fn();
  } finally {
    sql(`UPDATE products SET stock = ${saved} WHERE id = '${productId}'`);
  }
}

test('choosing "United Kingdom" from the country list sends GB and the order succeeds', async () => {
  const page = await shopper(browser);
  await checkoutWith(page, 'prod-056');
  const country = page.getByLabel('Country');
  assert.equal(await country.evaluate((select) => select.tagName), 'SELECT');
  assert.equal(await country.getAttribute('autocomplete'), 'country');
  const names = await page.locator('#ship-country option').allTextContents();
  assert.equal(names[0], 'Choose a country');
  assert.equal(names.length, 1 + 249);
  assert.deepEqual(names.slice(1), [...names.slice(1)].sort((a, b) => a.localeCompare(b, 'en')));
  await fillAddress(page, ADDRESS);
  await country.selectOption({ label: 'United Kingdom' });
  await screenshot(page, 'checkout-country');
  const sent = page.waitForRequest((request) => request.url().endsWith('/api/orders') && request.method() === 'POST');
  await page.getByRole('button', { name: 'Place order' }).click();
  assert.equal((await sent).postDataJSON().shipping.country, 'GB');
  await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
  const orderId = decodeURIComponent(new globalThis.URL(page.url()).pathname.split('/').pop());
  assert.equal(sql(`SELECT shipping_country, shipping_postal_code FROM orders WHERE id = '${orderId}'`).trim(),
    'GB\tSW1A 2AA');
  assert.deepEqual(page.errors, []);
});

test('the country is preselected from the browser language when the shop ships there', async () => {
  const context = await browser.newContext({ baseURL: URL, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto('/checkout');
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  assert.equal(await page.inputValue('#ship-country'), 'GB');
  await context.close();
});

test('the API\'s address errors show next to their fields and nothing is ordered', async () => {
  const page = await shopper(browser);
  await checkoutWith(page, 'prod-056');
  const orders = sql('SELECT COUNT(*) FROM orders').trim();
  await fillAddress(page, { ...ADDRESS, address: '1', postalCode: '0' });
  await page.getByLabel('Country').selectOption('GB');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('#ship-postalCode-error', { hasText: 'SW1A 1AA' }).waitFor();
  assert.match(await page.textContent('#ship-postalCode-error'), /United Kingdom/);
  assert.match(await page.textContent('#ship-address-error'), /street/);
  assert.equal(await page.getAttribute('#ship-address', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#ship-postalCode', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#ship-city', 'aria-invalid'), 'false');
  assert.equal(await page.getAttribute('#ship-country', 'aria-invalid'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ship-address');
  await screenshot(page, 'checkout-address-errors');
  assert.equal(sql('SELECT COUNT(*) FROM orders').trim(), orders);
  assert.match(page.url(), /:\d+\/checkout$/);
});

test('after a declined card the address is prefilled on returning to /checkout in the same tab', async () => {
  const page = await shopper(browser);
  await checkoutWith(page, 'prod-056');
  const address = { ...ADDRESS, email: 'ana+decline@example.com' };
  await fillAddress(page, address);
  await page.getByLabel('Country').selectOption('GB');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('#order-status[data-status="PAYMENT_FAILED"]').waitFor({ timeout: 15000 });

  await page.goto('/checkout');
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  for (const [field, value] of Object.entries(address)) assert.equal(await page.inputValue(`#ship-${field}`), value);
  assert.equal(await page.inputValue('#ship-country'), 'GB');

  // Another tab starts empty: the address stays in the tab it was typed in.
  const other = await page.context().newPage();
  await other.goto('/checkout');
  await other.getByRole('heading', { name: 'Checkout' }).waitFor();
  assert.equal(await other.inputValue('#ship-address'), '');
  assert.deepEqual(page.errors, []);
});

test('on a product with 2 in stock, typing 5 leaves 2 in the box and says why', async () => {
  await withStock(LOW_STOCK, 2, async () => {
    const page = await shopper(browser);
    await page.goto(`/product/${LOW_STOCK}`);
    await page.getByText('Only 2 left').waitFor();
    await page.getByLabel('Quantity').fill('5');
    assert.equal(await page.inputValue('#quantity'), '2');
    await page.getByText('Only 2 in stock.').waitFor();
    await screenshot(page, 'product-low-stock');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    assert.equal(await page.textContent('#cart-badge'), '2 items');
  });
});

test('on a cart line with 2 in stock, typing 5 leaves 2 in the box, the cart holds 2', async () => {
  await withStock(LOW_STOCK, 2, async () => {
    const page = await shopper(browser);
    await page.goto('/cart');
    await addViaApi(page, LOW_STOCK, 1);
    await page.reload();
    const quantity = page.locator(`[data-product="${LOW_STOCK}"] input.quantity`);
    await quantity.fill('5');
    assert.equal(await quantity.inputValue(), '2');
    await quantity.dispatchEvent('change');
    await page.getByText('Only 2 in stock: cart updated.').waitFor();
    await page.waitForFunction(() => document.querySelector('#cart-badge').textContent === '2 items');
    assert.equal(await page.locator(`[data-product="${LOW_STOCK}"] input.quantity`).inputValue(), '2');
    const cart = await page.evaluate(async () => (await fetch('/api/cart')).json());
    assert.deepEqual(cart.items.map((item) => [item.productId, item.quantity]), [[LOW_STOCK, 2]]);
    await screenshot(page, 'cart-low-stock');
  });
});

test('a cart line shows what the API kept when it refuses a quantity', async () => {
  await withStock(LOW_STOCK, 5, async () => {
    const page = await shopper(browser);
    await page.goto('/cart');
    await addViaApi(page, LOW_STOCK, 1);
    await page.reload();
    const quantity = page.locator(`[data-product="${LOW_STOCK}"] input.quantity`);
    await quantity.waitFor();
    sql(`UPDATE products SET stock = 1 WHERE id = '${LOW_STOCK}'`); // sold meanwhile: the page still says 5
    await quantity.fill('3');
    await quantity.dispatchEvent('change');
    await page.getByText(/Only 1 of this product is available/).waitFor();
    await page.waitForFunction((id) => document.querySelector(`[data-product="${id}"] input.quantity`).value === '1',
      LOW_STOCK);
  });
});
