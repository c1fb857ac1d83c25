// accounts.test.mjs - shopper accounts in a real browser: one cart and one order
// history on two devices (two browser contexts), the forgotten password, and what
// signing in withstands: enumeration, session fixation and password guessing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, screenshot, shopper, addViaApi } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const PASSWORD = 'plum-orchard-lantern';
const SHIPPING_REST = { address: 'Rua das Flores 12', city: 'Lisboa', postalCode: '1000-001', country: 'PT' };

function newEmail() {
  return `browser-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

async function cartLines(page) {
  return page.evaluate(async () => (await (await fetch('/api/cart')).json()).items
    .map((i) => `${i.productId}x${i.quantity}`).sort());
}

async function signIn(page, email, password) {
  await page.goto('/sign-in');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
}

// The reset link in the newest e-mail to email in the test stack's spool.
async function resetLink(email) {
  const spool = path.join(process.env.SHOP_VAR, 'mail');
  for (let i = 0; i < 100; i++) {
    const texts = readdirSync(spool).filter((f) => f.startsWith('reset-') && f.endsWith('.eml'))
      .map((f) => readFileSync(path.join(spool, f), 'utf8')).filter((t) => t.includes(`To: <${email}>`));
    if (texts.length) return texts[0].match(/https?:\/\/\S+\/reset-password#token=[0-9a-f]{64}/)[0];
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  throw new Error(`no reset e-mail to ${email}`);
}

test('device A signs up and orders; device B adds anonymously, signs in, and has one cart and one history', async () => {
  const email = newEmail();
  const deviceA = await shopper(browser);
  await deviceA.goto('/');
  await deviceA.getByRole('link', { name: 'Sign in' }).click();
  await deviceA.getByRole('link', { name: 'Create an account' }).click();
  await deviceA.getByRole('heading', { name: 'Create an account' }).waitFor();
  await deviceA.getByLabel('Your name').fill('Ana Lima');
  await deviceA.getByLabel('E-mail').fill(email);
  await deviceA.getByLabel(/^Password/).fill(PASSWORD);
  await deviceA.getByRole('button', { name: 'Create account' }).click();
  await deviceA.getByRole('heading', { name: 'Your account' }).waitFor();
  assert.equal(await deviceA.textContent('#account-link'), 'Ana Lima');
  assert.match(deviceA.url(), /:\d+\/account$/);
  await screenshot(deviceA, 'account');

  await deviceA.goto('/product/prod-004');
  await deviceA.getByRole('button', { name: 'Add to cart' }).click();
  await deviceA.getByText('Added to your cart.').waitFor();
  await deviceA.goto('/checkout');
  await deviceA.getByRole('heading', { name: 'Checkout' }).waitFor();
  // Checkout knows the shopper: name and e-mail are filled in.
  await deviceA.waitForFunction(() => document.querySelector('#ship-email').value !== '');
  assert.equal(await deviceA.inputValue('#ship-name'), 'Ana Lima');
  assert.equal(await deviceA.inputValue('#ship-email'), email);
  for (const [field, value] of Object.entries(SHIPPING_REST)) {
    if (field === 'country') await deviceA.selectOption('#ship-country', value);
    else await deviceA.fill(`#ship-${field}`, value);
  }
  await deviceA.getByRole('button', { name: 'Place order' }).click();
  await deviceA.getByRole('heading', { name: 'Thank you for your order' }).waitFor();
  const orderId = decodeURIComponent(new globalThis.URL(deviceA.url()).pathname.split('/').pop());
  await deviceA.locator('#order-status[data-status="PROCESSED"]').waitFor({ timeout: 15000 });
  await deviceA.waitForFunction(() => document.querySelector('#cart-badge').textContent === '0 items');
  await addViaApi(deviceA, 'prod-005', 2);

  const deviceB = await shopper(browser, { width: 390, height: 844 });
  await deviceB.goto('/');
  await addViaApi(deviceB, 'prod-006', 1);
  await signIn(deviceB, email, PASSWORD);
  assert.equal(await deviceB.textContent('#account-link'), 'Ana Lima');
  await deviceB.waitForFunction(() => document.querySelector('#cart-badge').textContent === '3 items');
  assert.deepEqual(await cartLines(deviceB), ['prod-005x2', 'prod-006x1']);
  assert.deepEqual(await cartLines(deviceA), ['prod-005x2', 'prod-006x1']);
  await screenshot(deviceB, 'account-mobile');

  await deviceB.getByRole('link', { name: 'Your orders' }).click();
  await deviceB.locator(`[data-order="${orderId}"]`).waitFor();

  // Signing out: the header says so, and the cart is a new, empty one.
  await deviceB.goto('/account');
  await deviceB.getByRole('button', { name: 'Sign out' }).click();
  await deviceB.getByRole('link', { name: 'Sign in' }).waitFor();
  await deviceB.waitForFunction(() => document.querySelector('#cart-badge').textContent === '0 items');
  assert.deepEqual(deviceA.errors, []);
  assert.deepEqual(deviceB.errors, []);
});

test('a forgotten password: the e-mailed link sets a new one, once', async () => {
  const email = newEmail();
  const page = await shopper(browser);
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Bo Lund');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('A password needs at least 10 characters.').waitFor();
  assert.equal(await page.getAttribute('#signup-password', 'aria-invalid'), 'true');
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();

  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByText(/an e-mail with a link/).waitFor();

  const link = await resetLink(email);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.doesNotMatch(page.url(), /token/);
  await page.getByLabel(/^Password/).fill('walnut-harbour-signal');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText(/Your password is changed/).waitFor();
  await screenshot(page, 'reset-password');

  await page.goto(link);
  await page.getByLabel(/^Password/).fill('another-new-password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText('This link is no longer valid: ask for a new one.').waitFor();

  await signIn(page, email, 'walnut-harbour-signal');
  assert.equal(await page.textContent('#account-link'), 'Bo Lund');
  assert.deepEqual(page.errors, []);
});

test('signing in: one answer for an unknown e-mail and a wrong password, a new session id, and 429 after ten misses', async () => {
  const email = newEmail();
  const owner = await shopper(browser);
  await owner.goto('/');
  await owner.waitForLoadState('networkidle');
  assert.equal(await owner.evaluate(async ([e, p]) => (await fetch('/api/account', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: e, password: p, name: 'Cy Moss' }) }))
    .status, [email, PASSWORD]), 201);
  await owner.context().close();

  const page = await shopper(browser);
  await page.goto('/cart'); // the cart starts an anonymous session: its cookie is the one a fixer would plant
  await page.waitForLoadState('networkidle');
  const sid = async () => (await page.context().cookies()).find((c) => c.name === 'sid')?.value;
  const before = await sid();
  assert.ok(before, 'an anonymous session cookie');

  const tryOnce = async (address, password) => {
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(address);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const message = page.locator('form.account-form .form-message');
    await page.waitForFunction(() => document.querySelector('form.account-form .form-message').textContent !== '');
    return message.textContent();
  };
  // No account enumeration: the same words whether or not the address has an account.
  const unknown = await tryOnce(newEmail(), 'not-the-password-1');
  const wrong = await tryOnce(email, 'not-the-password-1');
  assert.equal(unknown, wrong);
  assert.equal(await sid(), before, 'a failed sign-in changes nothing');

  // No fixation: signing in replaces the session id, and the old one signs no one in.
  await signIn(page, email, PASSWORD);
  const after = await sid();
  assert.notEqual(after, before);
  const planted = await browser.newContext({ baseURL: page.url() });
  await planted.addCookies([{ name: 'sid', value: before, url: page.url() }]);
  assert.equal((await (await planted.request.get('/api/session')).json()).signedIn, false);
  await planted.close();

  // Guessing: ten wrong passwords in a row, then even the right one is refused for a while.
  await page.goto('/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
  for (let i = 0; i < 10; i++) assert.equal(await tryOnce(email, `wrong-password-${i}`), wrong);
  assert.equal(await tryOnce(email, PASSWORD), 'Too many failed attempts; try again later.');
  assert.equal((await page.request.post('/api/session', { data: { email, password: PASSWORD } })).status(), 429);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
