// checkout.js - the checkout form: shipping details, the order, then its status page.
import { api, formatMoney } from '../api.js';
import { navigate, notify, setCartBadge } from '../shell.js';
import { h, show, loading, failure, plural } from '../dom.js';
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

export async function renderCheckout() {
  const summary = h('p', { class: 'muted' }, loading());
  const message = h('p', { class: 'form-message', role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Place order');
  const form = h('form', { class: 'checkout', novalidate: true }, FIELDS.map(field), submit, message);
  form.addEventListener('submit', () => rememberShipping(form));
  prefillShipping(form);
  // One key per order attempt: a retry after a lost answer cannot order twice.
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener('input', () => { idempotencyKey = newIdempotencyKey(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const shipping = Object.fromEntries(FIELDS.map(([name]) => [name, form.elements[name].value.trim()]));
    shipping.country = shipping.country.toUpperCase();
    submit.disabled = true;
    message.textContent = 'Placing your order…';
    try {
      const order = await api('/api/orders', { method: 'POST', body: { shipping },
        headers: { 'Idempotency-Key': idempotencyKey } });
      navigate(`/order/${encodeURIComponent(order.orderId)}`);
    } catch (error) {
      showFieldErrors(form, error.details.fields);
      message.textContent = error.message;
      if (error.status === 0 || error.status >= 500) notify(error.message);
      submit.disabled = false;
    }
  });
  show(h('h1', {}, 'Checkout'), summary, form);
  try {
    const cart = await api('/api/cart');
    setCartBadge(cart);
    summary.replaceChildren(cart.items.length === 0
      ? h('span', {}, 'Your cart is empty. ', h('a', { href: '/' }, 'Find something you like'))
      : `${plural(cart.itemCount, 'item', 'items')}, ${formatMoney(cart.totalCents, cart.currency)}`);
  } catch (error) {
    summary.replaceChildren(failure(error));
  }
}
