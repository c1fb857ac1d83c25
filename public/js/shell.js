// shell.js - what every view shares: the cart badge, the notice bar, leaving a view.
//
// All tabs of one shopper share one cart (the session cookie). setCartBadge is
// where every cart this tab learns of passes: a cart that differs from the last
// one is broadcast to the other tabs, which update their badge and hand it to
// the view in front (onCartChange), so an open cart or checkout shows it. A tab
// coming back (visible again, or restored from the back-forward cache) fetches
// the cart again, since it may have missed changes.
import { api } from './api.js';
import { plural } from './dom.js';

let leaveView = null;
let cartChanged = null;

// Registers what to stop (timers) when the shopper leaves the current view.
export function onLeave(callback) {
  leaveView = callback;
}

// Registers what the current view does with a cart changed elsewhere (another tab).
export function onCartChange(callback) {
  cartChanged = callback;
}

export function leave() {
  if (leaveView) leaveView();
  leaveView = null;
  cartChanged = null;
}

const cartChannel = 'BroadcastChannel' in window ? new BroadcastChannel('fcgi-shop-cart') : null;
let lastCart = '';

// What makes two carts the same for the shopper: lines, quantities, prices.
function cartSignature(cart) {
  return JSON.stringify([cart.totalCents, cart.items.map((i) => [i.productId, i.quantity, i.unitPriceCents])]);
}

function showBadge(cart) {
  const badge = document.getElementById('cart-badge');
  badge.textContent = plural(cart.itemCount, 'item', 'items');
  badge.dataset.count = String(cart.itemCount);
}

// True when cart is news to this tab; it becomes the last cart seen.
function isNewCart(cart) {
  const signature = cartSignature(cart);
  if (signature === lastCart) return false;
  lastCart = signature;
  return true;
}

export function setCartBadge(cart) {
  showBadge(cart);
  // Only news is sent: the receiving tabs' views show it and call this again, which must not echo.
  if (isNewCart(cart) && cartChannel) cartChannel.postMessage(cart);
}

if (cartChannel) {
  cartChannel.addEventListener('message', ({ data: cart }) => {
    if (!cart || !Array.isArray(cart.items) || !isNewCart(cart)) return;
    showBadge(cart);
    if (cartChanged) cartChanged(cart);
  });
}

export async function refreshCartBadge() {
  try {
    const cart = await api('/api/cart');
    const changed = lastCart !== '' && cartSignature(cart) !== lastCart; // news, not the first cart seen
    setCartBadge(cart);
    if (changed && cartChanged) cartChanged(cart);
  } catch {
    // The badge keeps its last value; the view in front reports problems.
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refreshCartBadge();
});
window.addEventListener('pageshow', (event) => {
  if (event.persisted) refreshCartBadge();
});

// The header's account link: the signed-in shopper's name (to the account page), or "Sign in".
function setAccountLink(account) {
  const link = document.getElementById('account-link');
  link.textContent = account ? account.name : 'Sign in';
  link.setAttribute('href', account ? '/account' : '/sign-in');
  if (account) link.setAttribute('aria-label', `Your account: ${account.name}`);
  else link.removeAttribute('aria-label');
  link.dataset.signedIn = account ? 'true' : 'false';
}

// Shows who is signed in: the account given (null: nobody), or asked of the shop when none is given.
export async function refreshAccount(account) {
  if (account !== undefined) {
    setAccountLink(account);
    return;
  }
  try {
    // /api/session answers a guest 200 too: no failed request on every page.
    const session = await api('/api/session');
    setAccountLink(session.signedIn ? session.account : null);
  } catch {
    // The link keeps its last state; the view in front reports problems.
  }
}

export function notify(text) {
  document.getElementById('notice-text').textContent = text;
  document.getElementById('notice').hidden = false;
}

export function clearNotice() {
  document.getElementById('notice').hidden = true;
}

// Moving between pages without a reload: app.js registers the router, views
// call navigate('/order/…') and links are routed by app.js's click handler.
let router = () => {};

export function setRouter(callback) {
  router = callback;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  router();
}
