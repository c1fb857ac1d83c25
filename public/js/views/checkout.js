// checkout.js - the checkout form: shipping details, the order, then its status page.
import { api, formatMoney } from '../api.js';
import { navigate, notify, setCartBadge } from '../shell.js';
import { h, show, loading, failure, plural } from '../dom.js';

const FIELDS = [
  ['name', 'Full name', 'text', 'name', 100],
  ['email', 'E-mail', 'email', 'email', 254],
  ['address', 'Street address', 'text', 'street-address', 200],
  ['city', 'City', 'text', 'address-level2', 100],
  ['postalCode', 'Postal code', 'text', 'postal-code', 20],
  ['country', 'Country (two letters, e.g. DE)', 'text', 'country', 2],
];

function field([name, label, type, autocomplete, maxlength]) {
  return h('div', { class: 'field' },
    h('label', { for: `ship-${name}` }, label),
    h('input', { id: `ship-${name}`, name, type, autocomplete, maxlength, required: true,
      'aria-describedby': `ship-${name}-error` }),
    h('p', { class: 'field-error', id: `ship-${name}-error` }));
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

// A signed-in shopper's name and e-mail, in the fields still empty.
async function prefillFromAccount(form) {
  try {
    const account = await api('/api/account');
    if (!form.elements.name.value) form.elements.name.value = account.name;
    if (!form.elements.email.value) form.elements.email.value = account.email;
  } catch {
    // Not signed in (401) or unreachable: the shopper types them.
  }
}

export async function renderCheckout() {
  const summary = h('p', { class: 'muted' }, loading());
  const message = h('p', { class: 'form-message', role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Place order');
  const form = h('form', { class: 'checkout', novalidate: true }, FIELDS.map(field), submit, message);
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
  prefillFromAccount(form);
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
