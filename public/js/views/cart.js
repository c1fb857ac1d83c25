// cart.js - the cart: change quantities, remove, totals, on to checkout.
import { api, formatMoney } from '../api.js';
import { notify, onCartChange, setCartBadge } from '../shell.js';
import { currentView, h, show, loading, failure, plural } from '../dom.js';
import { clampQuantity, mostOf } from '../quantity.js';

function cartLine(item, currency, update, message) {
  const id = `quantity-${item.productId}`;
  const most = mostOf(item.stock);
  const quantity = h('input', { id, type: 'number', min: 0, max: most, value: item.quantity,
    inputmode: 'numeric', class: 'quantity' });
  // Above the stock the box shows the stock at once; the API's answer then sets what the line holds.
  // A quantity is sent once: the box losing focus as the updated cart replaces it fires another change.
  let note = '';
  let sent = item.quantity;
  quantity.addEventListener('input', () => { note = clampQuantity(quantity, 0, most) || note; });
  quantity.addEventListener('change', () => {
    note = clampQuantity(quantity, 0, most, true) || note;
    if (Number(quantity.value) === sent) {
      if (note) message.textContent = `${note}.`; // lowered to what the line already holds
      return;
    }
    sent = Number(quantity.value);
    update(`/api/cart/items/${encodeURIComponent(item.productId)}`, 'PUT', { quantity: sent }, note);
    note = '';
  });
  return h('li', { class: 'cart-line', 'data-product': item.productId },
    h('img', { src: item.imageUrl, alt: '', width: 64, height: 64 }),
    h('div', { class: 'cart-line-name' },
      h('a', { href: `/product/${encodeURIComponent(item.productId)}` }, item.name),
      h('p', { class: 'muted' }, `${formatMoney(item.unitPriceCents, currency)} each`)),
    h('label', { for: id, class: 'visually-hidden' }, `Quantity of ${item.name}`), quantity,
    h('p', { class: 'line-total' }, formatMoney(item.lineTotalCents, currency)),
    h('button', { type: 'button', class: 'link-button', 'aria-label': `Remove ${item.name}`,
      onclick: () => update(`/api/cart/items/${encodeURIComponent(item.productId)}`, 'DELETE') }, 'Remove'));
}

function cartView(cart, update, message) {
  setCartBadge(cart);
  if (cart.items.length === 0) {
    return [h('h1', {}, 'Your cart'), message, h('p', {}, 'Your cart is empty. ', h('a', { href: '/' }, 'Keep shopping'))];
  }
  return [h('h1', {}, 'Your cart'), message,
    h('ul', { class: 'cart-lines' }, cart.items.map((item) => cartLine(item, cart.currency, update, message))),
    h('p', { class: 'cart-total' }, `Total (${plural(cart.itemCount, 'item', 'items')}): `,
      h('strong', { id: 'cart-total' }, formatMoney(cart.totalCents, cart.currency))),
    h('p', {}, h('a', { href: '/checkout', class: 'button' }, 'Proceed to checkout'))];
}

export async function renderCart() {
  const here = currentView();
  show(h('h1', {}, 'Your cart'), loading());
  const message = h('p', { class: 'form-message', role: 'status' });
  // note: why the box was lowered ("Only 2 in stock"), said with the outcome.
  const update = async (path, method, body, note = '') => {
    message.textContent = 'Updating…';
    try {
      const cart = await api(path, { method, body });
      setCartBadge(cart);
      if (!here()) return;
      message.textContent = note ? `${note}: cart updated.` : 'Cart updated.';
      show(...cartView(cart, update, message));
    } catch (error) {
      message.textContent = error.message;
      if (error.status === 0 || error.status >= 500) notify(error.message);
      // The box shows what the line holds: the API's cart, not what was typed.
      try {
        const cart = await api('/api/cart');
        if (here()) show(...cartView(cart, update, message));
      } catch {
        // The message already says what went wrong.
      }
    }
  };
  // Changed in another tab: show it as it is now.
  onCartChange((cart) => {
    if (here()) show(...cartView(cart, update, message));
  });
  try {
    const cart = await api('/api/cart');
    if (here()) show(...cartView(cart, update, message));
  } catch (error) {
    if (here()) show(h('h1', {}, 'Your cart'), failure(error, renderCart));
  }
}
