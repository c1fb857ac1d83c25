// storefront.test.mjs - a shopper's journey through the storefront in a real browser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, screenshot, service, shopper, fillShipping, addViaApi } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const SHIPPING = { name: 'Ana Lima', email: 'ana@example.com', address: 'Rua das Flores 12', city: 'Lisboa',
  postalCode: '1000-001', country: 'PT' };

test('the whole journey: browse, search, product, cart, checkout, status, history, recommendations', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await page.locator('.grid .card').first().waitFor();
  await page.getByRole('heading', { name: 'Recommended for you' }).waitFor();
  await screenshot(page, 'home');

  await page.fill('#search-input', 'headphones');
  await page.press('#search-input', 'Enter');
  await page.getByRole('heading', { name: 'Results for “headphones”' }).waitFor();
  await page.getByRole('link', { name: 'Aurora Wireless Headphones' }).click();
  await page.getByRole('heading', { level: 1, name: 'Aurora Wireless Headphones' }).waitFor();
  assert.match(page.url(), /:\d+\/product\/prod-001$/);
  await screenshot(page, 'product');

  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your cart.').waitFor();
  assert.equal(await page.textContent('#cart-badge'), '1 item');

  // More interest in the same category, through the category bar.
  await page.goto('/category/Electronics');
  await page.getByRole('link', { name: 'Pulse Smartwatch' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pulse Smartwatch' }).waitFor();

  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('heading', { name: 'Your cart' }).waitFor();
  const quantity = page.getByLabel('Quantity of Aurora Wireless Headphones');
  await quantity.fill('2');
  await quantity.dispatchEvent('change');
  await page.waitForFunction(() => document.querySelector('#cart-badge').textContent === '2 items');
  assert.equal(await page.textContent('#cart-total'), '$259.98');
  await screenshot(page, 'cart');

  await page.getByRole('link', { name: 'Proceed to checkout' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await fillShipping(page, SHIPPING);
  await screenshot(page, 'checkout');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('#order-status[data-status="PROCESSED"]').waitFor({ timeout: 15000 });
  await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
  const orderId = page.url().match(/\/order\/(order-[0-9a-f]{32})$/)[1];
  assert.match(await page.textContent('#order-reference'), /^[0-9A-F]{4}-[0-9A-F]{4}$/);
  await screenshot(page, 'thank-you');
  await page.waitForFunction(() => document.querySelector('#cart-badge').textContent === '0 items');

  await page.getByRole('link', { name: 'Your orders' }).click();
  const row = page.locator(`[data-order="${orderId}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Confirmed/);

  await page.goto('/');
  const reasons = page.locator('.recommended .reason');
  await reasons.first().waitFor();
  const first = await reasons.first().textContent();
  assert.match(first, /^Because you (viewed|bought|added to your cart) Electronics$/);
  const names = await page.locator('.recommended h3').allTextContents();
  assert.ok(!names.includes('Aurora Wireless Headphones'), 'what was bought is not recommended again');
  assert.deepEqual(page.errors, []);
});

test('a checkout validation error shows next to its field and nothing is ordered', async () => {
  const page = await shopper(browser);
  await page.goto('/checkout');
  await addViaApi(page, 'prod-010');
  await page.reload();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await fillShipping(page, { ...SHIPPING, email: 'not-an-email', postalCode: '<x>' });
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByText('Enter a valid e-mail address.').waitFor();
  assert.equal(await page.getAttribute('#ship-email', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#ship-postalCode-error'), /postal code/);
  assert.equal(await page.getAttribute('#ship-name', 'aria-invalid'), 'false');
  assert.match(page.url(), /:\d+\/checkout$/);
  await screenshot(page, 'checkout-errors');

  await page.fill('#ship-email', SHIPPING.email);
  await page.fill('#ship-postalCode', SHIPPING.postalCode);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
});

test('with the API down the page says so, and works again when it is back', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await page.locator('.grid .card').first().waitFor();
  const down = page.getByText(/^Sorry: The shop is unavailable/);
  service('stop', 'products');
  try {
    await page.goto('/category/Books');
    await down.waitFor();
    await screenshot(page, 'api-down');
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor(); // the rest of the shop still works
    await page.goBack();
    await down.waitFor();
  } finally {
    service('start', 'products');
  }
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.locator('.grid .card').first().waitFor();
  assert.equal(await down.count(), 0);
  assert.deepEqual(page.errors, []);
});

test('a slow answer for a page the shopper already left does not replace the page they are on', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await page.locator('.grid .card').first().waitFor();
  // The real answer, held back: as on a slow connection.
  await page.route('**/api/cart', async (route) => {
    await new Promise((resolve) => { setTimeout(resolve, 800); });
    await route.continue();
  });
  let cartRequests = 0; // held-back requests for the cart not yet answered whole
  const isCart = (request) => new URL(request.url()).pathname === '/api/cart';
  page.on('request', (request) => { if (isCart(request)) cartRequests += 1; });
  const answered = (request) => { if (isCart(request)) cartRequests -= 1; };
  page.on('requestfinished', answered);
  page.on('requestfailed', answered);
  await page.goto('/cart');
  await page.getByRole('heading', { name: 'Your cart' }).waitFor();
  await page.goto('/category/Books');
  await page.getByRole('heading', { level: 1, name: 'Books' }).waitFor();
  while (cartRequests > 0) await new Promise((resolve) => { setTimeout(resolve, 20); }); // the late answers arrive...
  // ...and the page has handled them: two frames later, their handlers have run.
  await page.evaluate(() => new Promise((resolve) => { requestAnimationFrame(() => requestAnimationFrame(resolve)); }));
  assert.equal(await page.getByRole('heading', { name: 'Your cart' }).count(), 0);
  assert.equal(await page.getByRole('heading', { level: 1, name: 'Books' }).count(), 1);
});

test('on a 360 px phone the shop fits the screen and still sells', async () => {
  const page = await shopper(browser, { width: 360, height: 740 });
  await page.goto('/');
  await page.locator('.grid .card').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, 'phone-home');
  await page.goto('/product/prod-020');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your cart.').waitFor();
  await page.goto('/cart');
  await page.getByRole('heading', { name: 'Your cart' }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await screenshot(page, 'phone-cart', { fullPage: true });
});

test('keyboard only: search, open a product, add it', async () => {
  const page = await shopper(browser);
  await page.goto('/');
  await page.locator('.grid .card').first().waitFor();
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // brand
  await page.keyboard.press('Tab'); // search box
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
  await page.keyboard.type('smartwatch');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Results for “smartwatch”' }).waitFor();
  await page.getByRole('link', { name: 'Pulse Smartwatch' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Pulse Smartwatch' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new page');
  await page.getByRole('button', { name: 'Add to cart' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Added to your cart.').waitFor();
});

test('every image has alt text and every form field a label', async () => {
  const page = await shopper(browser);
  await page.goto('/checkout');
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  for (const route of ['/', '/product/prod-001', '/checkout']) {
    await page.goto(route);
    await page.waitForLoadState('networkidle');
    const problems = await page.evaluate(() => [
      ...[...document.querySelectorAll('img:not([alt])')].map((img) => `image without alt: ${img.src}`),
      ...[...document.querySelectorAll('input')].filter((input) => !input.labels || input.labels.length === 0)
        .map((input) => `input without label: ${input.id || input.name}`),
    ]);
    assert.deepEqual(problems, [], route);
  }
});

test('"Load more" shows only while there is more, and the whole list is each product once', async () => {
  const page = await shopper(browser);
  const more = page.getByRole('button', { name: 'Load more' });
  const cards = page.locator('div:has(> button.more) > ul.grid > li');
  // A category shorter than one page: no button at all.
  await page.goto('/category/Books');
  await cards.first().waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await more.isVisible(), false);
  // No match: no button under "No products match".
  await page.goto('/search/zzzznothing');
  await page.getByText('No products match.').waitFor();
  assert.equal(await more.isVisible(), false);
  // The home page pages to the end, then the button goes away; nothing is listed twice.
  let total = 0;
  for (let cursor = ''; ;) {
    const answer = await (await page.request.get(`/api/products?limit=100${cursor}`)).json();
    total += answer.items.length;
    if (!answer.nextCursor) break;
    cursor = `&cursor=${encodeURIComponent(answer.nextCursor)}`;
  }
  await page.goto('/');
  await cards.first().waitFor();
  while (await more.isVisible()) {
    const before = await cards.count();
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('div:has(> button.more) > ul.grid > li').length > n,
      before);
  }
  await page.waitForLoadState('networkidle');
  const links = await cards.evaluateAll((els) => els.map((el) => el.querySelector('a').getAttribute('href')));
  assert.equal(links.length, total);
  assert.equal(new Set(links).size, total, 'each product once');
  assert.equal(await more.isVisible(), false);
});

test('each page has its own title, and the search box holds only the current search', async () => {
  const page = await shopper(browser);
  await page.goto('/product/prod-001');
  const name = (await (await page.request.get('/api/products/prod-001')).json()).name;
  await page.getByRole('heading', { name }).waitFor();
  assert.equal(await page.title(), `${name} · fcgi-shop`);
  await page.goto('/cart');
  await page.getByRole('heading', { level: 1 }).waitFor();
  const cartTitle = await page.title();
  assert.notEqual(cartTitle, `${name} · fcgi-shop`);
  assert.match(cartTitle, / · fcgi-shop$/);

  await page.fill('#search-input', 'lamp');
  await page.press('#search-input', 'Enter');
  await page.waitForURL(/:\d+\/search\/lamp$/);
  assert.equal(await page.inputValue('#search-input'), 'lamp');
  // The README's example search finds the sample catalog's lamp.
  await page.getByRole('link', { name: 'Halo Desk Lamp' }).waitFor();
  await page.goto('/cart');
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await page.inputValue('#search-input'), '', 'no old query on another page');
  await page.goBack();
  await page.waitForURL(/:\d+\/search\/lamp$/);
  assert.equal(await page.inputValue('#search-input'), 'lamp');
});

test('an unknown product offers the way back to the shop, not "Try again"', async () => {
  const page = await shopper(browser);
  await page.goto('/product/no-such-product');
  await page.getByRole('heading', { name: 'Product not found' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
  await page.getByRole('link', { name: 'Back to all products' }).click();
  await page.waitForURL(/:\d+\/$/);
  await page.locator('.grid > li').first().waitFor();
});

test('clean URLs: a shared link opens its page, old #/ links still work, other paths are 404', async () => {
  const page = await shopper(browser);
  // A shared link, loaded cold: nginx answers with the page, the app shows the product.
  const response = await page.goto('/product/prod-001');
  assert.equal(response.status(), 200);
  await page.getByRole('heading', { level: 1, name: 'Aurora Wireless Headphones' }).waitFor();
  // In-page links move with the History API: no reload, a clean path, and "back" works.
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByRole('link', { name: 'Electronics' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Electronics' }).waitFor();
  assert.match(page.url(), /\/category\/Electronics$/);
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Aurora Wireless Headphones' }).waitFor();
  // An old hash link lands on the clean path.
  await page.goto('/#/cart');
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
  assert.match(page.url(), /:\d+\/cart$/);
  for (const path of ['/cart', '/checkout', '/orders', '/search/lamp', '/category/Books', '/order/x']) {
    assert.equal((await page.request.get(path)).status(), 200, path);
  }
  for (const path of ['/cartx', '/no-such-page', '/img/no-such.svg']) {
    assert.equal((await page.request.get(path)).status(), 404, path);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('headphones, camera and smart bulb each have a picture of their own', async () => {
  const page = await shopper(browser);
  await page.goto('/category/Electronics');
  await page.locator('.grid .card').first().waitFor();
  const drawings = await page.evaluate(async (ids) => Promise.all(ids.map(async (id) => {
    const card = [...document.querySelectorAll('.grid .card')].find((el) => el.querySelector(`a[href="/product/${id}"]`));
    const svg = await (await fetch(card.querySelector('img').getAttribute('src'))).text();
    return svg.replace(/<title>.*?<\/title>/s, '').replace(/<text[^>]*>.*?<\/text>/gs, '');
  })), ['prod-001', 'prod-009', 'prod-007']);
  assert.equal(new Set(drawings).size, 3, 'three different drawings');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
