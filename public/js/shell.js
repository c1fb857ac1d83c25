// shell.js - what every view shares: the cart badge, the notice bar, leaving a view.
import { api } from './api.js';
import { plural } from './dom.js';

let leaveView = null;

// Registers what to stop (timers) when the shopper leaves the current view.
export function onLeave(callback) {
  leaveView = callback;
}

export function leave() {
  if (leaveView) leaveView();
  leaveView = null;
}

export function setCartBadge(cart) {
  const badge = document.getElementById('cart-badge');
  badge.textContent = plural(cart.itemCount, 'item', 'items');
  badge.dataset.count = String(cart.itemCount);
}

export async function refreshCartBadge() {
  try {
    setCartBadge(await api('/api/cart'));
  } catch {
    // The badge keeps its last value; the view in front reports problems.
  }
}

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
    setAccountLink(await api('/api/account'));
  } catch (error) {
    if (error.status === 401) setAccountLink(null);
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
