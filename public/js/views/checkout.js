// checkout.js - the checkout: what is being bought, shipping details, the order, then its status page.
//
// The summary is the cart the order will charge, and the order sends what the
// summary showed (expectedTotalCents, expectedItems): when another tab changed
// the cart meanwhile the shop orders nothing (409 cart_changed, with the new
// cart), the summary shows the new cart, and the next click orders that. The
// summary follows changes from other tabs and from a return to the page
// (shell.js onCartChange); with an empty cart there is nothing to submit.
import { api, formatMoney } from '../api.js';
import { navigate, notify, onCartChange, setCartBadge } from '../shell.js';
import { currentView, h, show, loading, failure, plural } from '../dom.js';
import { COUNTRIES } from '../countries.js';

// [name, label, type, autocomplete, maxlength]: the API's shipping fields; the country before
// the postal code, whose format depends on it.
const FIELDS = [
  ['name', 'Full name', 'text', 'name', 100],
  ['email', 'E-mail', 'email', 'email', 254],
  ['address', 'Street address', 'text', 'street-address', 200],
  ['city', 'City', 'text', 'address-level2', 100],
  ['country', 'Country', 'select', 'country'],
  ['postalCode', 'Postal code', 'text', 'postal-code', 20],
];
// Some countries have no postal codes (the API takes an empty one there).
const OPTIONAL_FIELDS = ['postalCode'];

// The shopper's region in the browser's language (en-GB: GB), when the shop ships there.
function preferredCountry() {
  const region = (navigator.language || '').split('-').slice(1).find((part) => /^[A-Za-z]{2}$/.test(part));
  const code = region ? region.toUpperCase() : '';
  return COUNTRIES.some(([known]) => known === code) ? code : '';
}

// The API's own list (countries.js is made from lib/country.c), by name.
function countryOptions() {
  const preferred = preferredCountry();
  const byName = [...COUNTRIES].sort((a, b) => a[1].localeCompare(b[1], 'en'));
  return [h('option', { value: '' }, 'Choose a country'),
    ...byName.map(([code, name]) => h('option', { value: code, selected: code === preferred }, name))];
}

function field([name, label, type, autocomplete, maxlength]) {
  const attributes = { id: `ship-${name}`, name, autocomplete, required: !OPTIONAL_FIELDS.includes(name),
    'aria-describedby': `ship-${name}-error` };
  return h('div', { class: 'field' },
    h('label', { for: `ship-${name}` }, label),
    type === 'select' ? h('select', attributes, countryOptions()) : h('input', { ...attributes, type, maxlength }),
    h('p', { class: 'field-error', id: `ship-${name}-error` }));
}

// The details of this tab's last order attempt: after a declined card the shopper
// comes back to a filled form. sessionStorage: this tab only, gone when it closes.
const SAVED_SHIPPING = 'shop.shipping';

function rememberShipping(form) {
  const shipping = Object.fromEntries(FIELDS.map(([name]) => [name, form.elements[name].value.trim()]));
  try {
    sessionStorage.setItem(SAVED_SHIPPING, JSON.stringify(shipping));
  } catch {
    // Storage off or full: the form is simply not prefilled next time.
  }
}

function prefillShipping(form) {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SAVED_SHIPPING) || 'null');
  } catch {
    return;
  }
  if (!saved || typeof saved !== 'object') return;
  for (const [name] of FIELDS) {
    if (typeof saved[name] === 'string' && saved[name] !== '') form.elements[name].value = saved[name];
  }
}

function showFieldErrors(form, fields = {}) {
  for (const [name] of FIELDS) {
    const input = form.querySelector(`[name="${name}"]`);
    const error = form.querySelector(`#ship-${name}-error`);
    error.textContent = fields[name] || '';
    input.setAttribute('aria-invalid', fields[name] ? 'true' : 'false');
  }
  const first = FIELDS.find(([name]) => fields[name]);
  if (first) form.querySelector(`[name="${first[0]}"]`).focus();
}

// 128 random bits as hex. (crypto.randomUUID exists only on HTTPS or localhost;
// getRandomValues works on any page.)
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const CART_CHANGED = 'Your cart changed (in another tab?): check the new total and place the order again.';

function summaryLine(item, currency) {
  return h('tr', { 'data-product': item.productId },
    h('th', { scope: 'row' }, item.name),
    h('td', { class: 'number' }, String(item.quantity)),
    h('td', { class: 'number' }, formatMoney(item.unitPriceCents, currency)),
    h('td', { class: 'number' }, formatMoney(item.lineTotalCents, currency)));
}

// The lines and totals of cart, or the way back to the shop when it is empty.
function orderSummary(cart) {
  if (cart.items.length === 0) {
    return h('p', { id: 'checkout-empty' }, 'Your cart is empty. ', h('a', { href: '/' }, 'Back to the shop'));
  }
  return [
    h('table', { class: 'order-summary' },
      h('caption', { class: 'visually-hidden' }, 'What you are ordering'),
      h('thead', {}, h('tr', {}, ['Product', 'Quantity', 'Price', 'Total'].map((title) =>
        h('th', { scope: 'col' }, title)))),
      h('tbody', {}, cart.items.map((item) => summaryLine(item, cart.currency)))),
    h('p', { class: 'cart-total' }, `Total (${plural(cart.itemCount, 'item', 'items')}): `,
      h('strong', { id: 'checkout-total' }, formatMoney(cart.totalCents, cart.currency))),
  ];
}

// What the shopper saw, for the shop to compare with the cart it charges.
function expected(cart) {
  return { expectedTotalCents: cart.totalCents,
    expectedItems: cart.items.map(({ productId, quantity }) => ({ productId, quantity })) };
}

// A signed-in shopper's name and e-mail, in the fields still empty.
async function prefillFromAccount(form) {
  try {
    const session = await api('/api/session');
    if (!session.signedIn) return;
    if (!form.elements.name.value) form.elements.name.value = session.account.name;
    if (!form.elements.email.value) form.elements.email.value = session.account.email;
  } catch {
    // Unreachable: the shopper types them.
  }
}

export async function renderCheckout() {
  const here = currentView();
  const summary = h('section', { class: 'checkout-summary', 'aria-label': 'Your order' }, loading());
  const message = h('p', { class: 'form-message', role: 'status' });
  const submit = h('button', { type: 'submit', disabled: true }, 'Place order');
  const form = h('form', { class: 'checkout', novalidate: true, hidden: true }, FIELDS.map(field), submit, message);
  prefillShipping(form);
  let shown = null; // the cart in the summary: what an order sends as expected
  let placing = false;
  // Shows cart as the order to place; the form is offered only for a cart with lines.
  const showCart = (cart) => {
    shown = cart;
    setCartBadge(cart);
    summary.replaceChildren(...[orderSummary(cart)].flat());
    form.hidden = cart.items.length === 0;
    submit.disabled = placing || cart.items.length === 0;
  };
  onCartChange((cart) => {
    if (!here()) return;
    const changed = shown !== null; // not the first cart this page shows
    showCart(cart);
    if (changed && !placing) message.textContent = 'Your cart changed (in another tab?): check the new total.';
  });
  // One key per order attempt: a retry after a lost answer cannot order twice.
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener('input', () => { idempotencyKey = newIdempotencyKey(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    rememberShipping(form);
    if (!shown || shown.items.length === 0) return;
    const shipping = Object.fromEntries(FIELDS.map(([name]) => [name, form.elements[name].value.trim()]));
    shipping.country = shipping.country.toUpperCase();
    placing = true;
    submit.disabled = true;
    message.textContent = 'Placing your order…';
    try {
      const order = await api('/api/orders', { method: 'POST', body: { shipping, ...expected(shown) },
        headers: { 'Idempotency-Key': idempotencyKey } });
      navigate(`/order/${encodeURIComponent(order.orderId)}`);
    } catch (error) {
      placing = false;
      showFieldErrors(form, error.details.fields);
      message.textContent = error.message;
      if (error.code === 'cart_changed' && error.details.cart) {
        showCart(error.details.cart);
        message.textContent = CART_CHANGED;
      } else {
        submit.disabled = false;
      }
      if (error.status === 0 || error.status >= 500) notify(error.message);
    }
  });
  show(h('h1', {}, 'Checkout'), summary, form);
  prefillFromAccount(form);
  try {
    const cart = await api('/api/cart');
    if (here()) showCart(cart);
  } catch (error) {
    if (here()) summary.replaceChildren(failure(error, renderCheckout));
  }
}
