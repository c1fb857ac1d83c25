// orders.js - the thank-you page with the order's live status, and the order history.
import { api, formatMoney } from '../api.js';
import { onLeave, refreshCartBadge } from '../shell.js';
import { currentView, h, show, loading, failure, plural } from '../dom.js';

const POLL_MS = 1000;
const FINAL = new Set(['PROCESSED', 'PAYMENT_FAILED', 'FAILED', 'CANCELLED', 'REFUNDED']);
const STATUS_TEXT = {
  PENDING: 'Received: we are processing your payment…',
  PROCESSED: 'Confirmed: payment received, a confirmation e-mail is on its way.',
  PAYMENT_FAILED: 'Your payment was declined. Your cart is still there to try again.',
  FAILED: 'We could not complete this order. Please contact us.',
  CANCELLED: 'This order was cancelled.',
  REFUNDED: 'This order was refunded: the money goes back to your card, and an e-mail says so.',
};

function statusLine(status) {
  return h('p', { class: `order-status status-${status.toLowerCase()}`, id: 'order-status', 'data-status': status,
    role: 'status' }, STATUS_TEXT[status] || status);
}

function orderItems(order) {
  return h('ul', { class: 'order-items' }, order.items.map((item) =>
    h('li', {}, `${item.quantity} × ${item.name}: ${formatMoney(item.lineTotalCents, order.currency)}`)));
}

export async function renderOrder(id) {
  show(h('h1', {}, 'Thank you for your order'), loading());
  let timer = null;
  let stopped = false;
  onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const poll = async () => {
    try {
      const order = await api(`/api/orders/${encodeURIComponent(id)}`);
      if (stopped) return;
      show(h('h1', {}, 'Thank you for your order'),
        h('p', {}, 'Order number ', h('strong', { id: 'order-id' }, order.orderId)),
        statusLine(order.status), orderItems(order),
        h('p', { class: 'cart-total' }, 'Total: ', h('strong', {}, formatMoney(order.totalCents, order.currency))),
        h('p', {}, h('a', { href: '/orders' }, 'Your orders'), ' · ', h('a', { href: '/' }, 'Keep shopping')));
      if (FINAL.has(order.status)) {
        refreshCartBadge(); // the worker takes ordered items out of the cart
        return;
      }
    } catch (error) {
      if (stopped) return;
      if (error.status === 404) {
        show(h('h1', {}, 'Order not found'), failure(error));
        return;
      }
      // A passing outage: say so, and keep polling.
      document.getElementById('main').append(failure(error));
    }
    timer = setTimeout(poll, POLL_MS);
  };
  poll();
}

export async function renderOrders() {
  const here = currentView();
  show(h('h1', {}, 'Your orders'), loading());
  try {
    const { items } = await api('/api/orders?limit=50');
    if (!here()) return;
    show(h('h1', {}, 'Your orders'), items.length === 0
      ? h('p', {}, 'No orders yet. ', h('a', { href: '/' }, 'Start shopping'))
      : h('ul', { class: 'order-list' }, items.map((order) => h('li', { 'data-order': order.orderId },
        h('a', { href: `/order/${encodeURIComponent(order.orderId)}` }, order.orderId),
        h('span', { class: `order-status status-${order.status.toLowerCase()}` }, order.status),
        h('span', {}, `${plural(order.itemCount, 'item', 'items')}, ${formatMoney(order.totalCents, order.currency)}`),
        h('time', { datetime: order.createdAt }, new Date(order.createdAt).toLocaleString())))));
  } catch (error) {
    if (here()) show(h('h1', {}, 'Your orders'), failure(error, renderOrders));
  }
}
