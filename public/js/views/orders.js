// orders.js - an order's page, which follows its status live, and the order history.
//
// Every status has its own heading, words and way on: a declined card leads
// back to the cart and to checkout, an order the shop could not complete says
// whom to write to, quoting the order's short reference (the one its e-mails
// and the shop's staff use). The page is drawn again only when the status
// changes, so a poll never takes the focus from the shopper.
import { api, formatMoney } from '../api.js';
import { onLeave, refreshCartBadge } from '../shell.js';
import { currentView, h, show, loading, failure, plural } from '../dom.js';

const POLL_MS = 1000;

// heading: the page's (and so its title); label: the short name lists show; text: what it means for the shopper.
const STATUSES = {
  PENDING: { final: false, heading: 'Thank you: we have your order', label: 'Processing',
    text: 'We are processing your payment…' },
  PROCESSED: { final: true, heading: 'Thank you for your order', label: 'Confirmed',
    text: 'Payment received: a confirmation e-mail is on its way.' },
  PAYMENT_FAILED: { final: true, heading: 'Your payment was declined', label: 'Payment declined',
    text: 'Your card was declined, so we have not charged you. Your cart is still there: try again with another card.' },
  FAILED: { final: true, heading: 'We could not complete this order', label: 'Could not be completed',
    text: 'Something went wrong on our side. You have not been charged: any charge made for it goes back to your card.' },
  CANCELLED: { final: true, heading: 'This order was cancelled', label: 'Cancelled',
    text: 'It will not be shipped, and you are not charged for it.' },
  REFUNDED: { final: true, heading: 'This order was refunded', label: 'Refunded',
    text: 'The money goes back to the card you paid with, usually within 5 to 10 business days; an e-mail says so.' },
};

function statusOf(code) {
  return STATUSES[code] || { final: true, heading: 'Your order', label: code, text: '' };
}

function statusLine(code) {
  return h('p', { class: `order-status status-${code.toLowerCase()}`, id: 'order-status', 'data-status': code,
    role: 'status' }, statusOf(code).text);
}

function orderItems(order) {
  return h('ul', { class: 'order-items' }, order.items.map((item) =>
    h('li', {}, `${item.quantity} × ${item.name}: ${formatMoney(item.lineTotalCents, order.currency)}`)));
}

// Whom to write to about the order: a mail link whose subject quotes the reference.
function contactLink(order) {
  const email = order.contact && order.contact.email;
  if (!email) return null;
  const subject = encodeURIComponent(`Order ${order.reference}`);
  return h('a', { href: `mailto:${email}?subject=${subject}`, id: 'order-contact' }, email);
}

// What the shopper can do next, by status.
function nextSteps(order) {
  if (order.status === 'PAYMENT_FAILED') {
    return h('p', { class: 'order-actions' },
      h('a', { href: '/checkout', class: 'button' }, 'Try again'), ' ',
      h('a', { href: '/cart' }, 'Back to your cart'));
  }
  if (order.status === 'FAILED') {
    return h('p', { class: 'order-contact' }, 'Please write to us at ', contactLink(order),
      ` and quote your order reference ${order.reference}: we will sort it out with you.`);
  }
  return null;
}

function orderPage(order) {
  const contact = contactLink(order);
  return [
    h('h1', {}, statusOf(order.status).heading),
    h('p', {}, 'Order reference ', h('strong', { id: 'order-reference' }, order.reference)),
    statusLine(order.status),
    nextSteps(order),
    orderItems(order),
    h('p', { class: 'cart-total' }, 'Total: ', h('strong', {}, formatMoney(order.totalCents, order.currency))),
    order.status !== 'FAILED' && contact
      ? h('p', { class: 'muted' }, 'Questions about this order? Write to ', contact, ` quoting ${order.reference}.`)
      : null,
    h('p', {}, h('a', { href: '/orders' }, 'Your orders'), ' · ', h('a', { href: '/' }, 'Keep shopping')),
  ].filter(Boolean); // show() takes nodes only
}

// Draws the page for a new status. Focus that was in the page (now replaced) goes to the new heading.
function showOrder(order) {
  const main = document.getElementById('main');
  const hadFocus = main.contains(document.activeElement) && document.activeElement !== main;
  show(...orderPage(order));
  if (hadFocus) main.querySelector('h1').focus({ preventScroll: true });
}

export async function renderOrder(id) {
  show(h('h1', {}, 'Your order'), loading());
  let timer = null;
  let stopped = false;
  let shown = null; // the status on the page
  let outage = null; // the notice of a failed poll, while the shop cannot be reached
  onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  const poll = async () => {
    try {
      const order = await api(`/api/orders/${encodeURIComponent(id)}`);
      if (stopped) return;
      if (outage) outage.remove();
      outage = null;
      if (order.status !== shown) {
        shown = order.status;
        showOrder(order);
      }
      if (statusOf(order.status).final) {
        refreshCartBadge(); // the worker takes ordered items out of the cart
        return;
      }
    } catch (error) {
      if (stopped) return;
      if (error.status === 404) {
        show(h('h1', {}, 'Order not found'), failure(error));
        return;
      }
      // A passing outage: say so (once), and keep polling.
      if (!outage) {
        outage = failure(error);
        document.getElementById('main').append(outage);
      }
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
        h('a', { href: `/order/${encodeURIComponent(order.orderId)}` }, `Order ${order.reference}`),
        h('span', { class: `order-status status-${order.status.toLowerCase()}`, 'data-status': order.status },
          statusOf(order.status).label),
        h('span', {}, `${plural(order.itemCount, 'item', 'items')}, ${formatMoney(order.totalCents, order.currency)}`),
        h('time', { datetime: order.createdAt }, new Date(order.createdAt).toLocaleString())))));
  } catch (error) {
    if (here()) show(h('h1', {}, 'Your orders'), failure(error, renderOrders));
  }
}
