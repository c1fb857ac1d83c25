// catalog.test.mjs - browsing the catalog in a real browser: the grid's sort and price
// filter live in the URL, cards warn about low and sold-out stock, and a new shopper's
// recommendations are more than the first products A-Z.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, screenshot, service, shopper, sqlRows } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const CATALOG_CACHE_MS = 1100; // nginx keeps a catalog answer until the end of its second

const forSale = "active = 1 AND currency = 'USD'";
const names = (where, order) =>
  sqlRows(`SELECT name FROM products WHERE ${forSale} AND ${where} ORDER BY ${order} LIMIT 20`).map(([name]) => name);

// Waits until the main grid (not the recommendations) shows exactly these product names.
async function gridShows(page, expected) {
  await page.waitForFunction((wanted) => {
    const grid = [...document.querySelectorAll('main .grid')].pop();
    return grid && [...grid.querySelectorAll('.card h3')].map((e) => e.textContent).join('\n') === wanted;
  }, expected.join('\n'));
}

// Sets products' stock for a test, and puts the old stock back afterwards.
async function withStock(stocks, run) {
  const saved = sqlRows(`SELECT id, stock FROM products WHERE id IN (${Object.keys(stocks).map((id) => `'${id}'`)})`);
  try {
    for (const [id, stock] of Object.entries(stocks)) sqlRows(`UPDATE products SET stock = ${stock} WHERE id = '${id}'`);
    await new Promise((resolve) => { setTimeout(resolve, CATALOG_CACHE_MS); });
    await run();
  } finally {
    for (const [id, stock] of saved) sqlRows(`UPDATE products SET stock = ${stock} WHERE id = '${id}'`);
  }
}

// The shop as on its first day for one test: no order in the best sellers' 30 days, no popularity.
// The worker is stopped meanwhile (it would fold new interest into the popularity); all is put back.
async function onTheShopsFirstDay(run) {
  service('stop', 'worker');
  sqlRows('CREATE TABLE IF NOT EXISTS e2e_popularity_saved LIKE product_popularity;'
    + ' INSERT INTO e2e_popularity_saved SELECT * FROM product_popularity; DELETE FROM product_popularity;'
    + ' UPDATE orders SET created_at = created_at - INTERVAL 400 DAY, updated_at = updated_at'
    + '  WHERE created_at >= NOW(3) - INTERVAL 31 DAY');
  try {
    await run();
  } finally {
    sqlRows('UPDATE orders SET created_at = created_at + INTERVAL 400 DAY, updated_at = updated_at'
      + '  WHERE created_at < NOW(3) - INTERVAL 399 DAY;'
      + ' REPLACE INTO product_popularity SELECT * FROM e2e_popularity_saved; DROP TABLE e2e_popularity_saved');
    service('start', 'worker');
  }
}

test('sort and price filter change the grid and the URL, and survive reload and back', async () => {
  const page = await shopper(browser);
  await page.goto('/category/Books');
  await gridShows(page, names("category = 'Books'", 'name, id'));

  await page.getByLabel('Sort by').selectOption({ label: 'Price: low to high' });
  await page.waitForURL(/\/category\/Books\?sort=price_asc$/);
  await gridShows(page, names("category = 'Books'", 'price_cents, id'));

  await page.getByRole('spinbutton', { name: 'From' }).fill('10');
  await page.getByRole('spinbutton', { name: 'to' }).fill('30');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/\/category\/Books\?sort=price_asc&min=10&max=30$/);
  const filtered = names("category = 'Books' AND price_cents BETWEEN 1000 AND 3000", 'price_cents, id');
  assert.ok(filtered.length > 0 && filtered.length < names("category = 'Books'", 'id').length);
  await gridShows(page, filtered);
  await screenshot(page, 'catalog-sorted-filtered');

  await page.reload();
  await gridShows(page, filtered);
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'price_asc');
  assert.equal(await page.getByRole('spinbutton', { name: 'From' }).inputValue(), '10');
  assert.equal(await page.getByRole('spinbutton', { name: 'to' }).inputValue(), '30');

  await page.getByLabel('Sort by').selectOption('price_desc');
  await page.waitForURL(/\?sort=price_desc&min=10&max=30$/);
  await gridShows(page, names("category = 'Books' AND price_cents BETWEEN 1000 AND 3000", 'price_cents DESC, id DESC'));

  await page.goBack();
  await page.waitForURL(/\?sort=price_asc&min=10&max=30$/);
  await gridShows(page, filtered);
  await page.goBack();
  await page.waitForURL(/\/category\/Books\?sort=price_asc$/);
  await gridShows(page, names("category = 'Books'", 'price_cents, id'));
  assert.equal(await page.getByRole('spinbutton', { name: 'From' }).inputValue(), '');

  // A minimum above the maximum is explained, and the URL and grid stay as they were.
  await page.getByRole('spinbutton', { name: 'From' }).fill('50');
  await page.getByRole('spinbutton', { name: 'to' }).fill('20');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('The lowest price must not be above the highest.').waitFor();
  assert.match(page.url(), /\/category\/Books\?sort=price_asc$/);
  assert.deepEqual(page.errors, []);
});

test('cards and the product page say "Sold out" and "Only N left"', async () => {
  const [[soldOut, soldOutName], [low, lowName], [plenty, plentyName]] = sqlRows(
    `SELECT id, name FROM products WHERE ${forSale} AND category = 'Books' ORDER BY name, id LIMIT 3`);
  await withStock({ [soldOut]: 0, [low]: 3, [plenty]: 40 }, async () => {
    const page = await shopper(browser, { width: 390, height: 844 });
    await page.goto('/category/Books');
    const card = (name) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
    await card(soldOutName).getByText('Sold out', { exact: true }).waitFor();
    await card(lowName).getByText('Only 3 left', { exact: true }).waitFor();
    assert.equal(await card(plentyName).locator('.stock-badge').count(), 0, 'plenty in stock: no badge');
    await screenshot(page, 'catalog-stock-badges');

    await card(lowName).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: lowName }).waitFor();
    assert.equal(await page.locator('.product .stock').textContent(), 'Only 3 left');
    await page.goto(`/product/${soldOut}`);
    await page.getByRole('heading', { level: 1, name: soldOutName }).waitFor();
    assert.equal(await page.locator('.product .stock').textContent(), 'Sold out');
    assert.deepEqual(page.errors, []);
  });
});

test("a new shopper's recommendations are not the first four products of the grid", async () => {
  await onTheShopsFirstDay(async () => {
    const page = await shopper(browser);
    await page.goto('/');
    const recommended = page.locator('.recommended .card h3');
    await recommended.nth(3).waitFor();
    await gridShows(page, names('1', 'name, id'));
    const picks = await recommended.allTextContents();
    const firstFour = await page.locator('main > div .grid .card h3').evaluateAll(
      (headings) => headings.slice(0, 4).map((e) => e.textContent));
    assert.equal(firstFour.length, 4);
    assert.notDeepEqual(picks, firstFour);
    assert.deepEqual(picks.filter((name) => firstFour.includes(name)).length < 4, true);
    await screenshot(page, 'catalog-recommended-new-shopper');
  });
});
