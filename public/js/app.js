// app.js - the storefront entry: which view a URL shows.
//
// Pages have clean paths (/product/prod-001, /cart) that can be shared and
// bookmarked: nginx answers each with index.html (nginx/fcgi-shop.conf lists the
// same first segments as the routes here), and this file picks the view. Links
// inside the shop move with the History API, without a reload; the older
// #/product/… links still work and are rewritten to the clean path.
import { renderHome, renderCategory, renderSearch, renderProduct } from './views/catalog.js';
import { renderCart } from './views/cart.js';
import { renderCheckout } from './views/checkout.js';
import { renderOrder, renderOrders } from './views/orders.js';
import { renderAccount, renderForgotPassword, renderResetPassword, renderSignIn, renderSignUp } from './views/account.js';
import { beginView, focusViewsFromNowOn, h, show } from './dom.js';
import { clearNotice, leave, navigate, refreshAccount, refreshCartBadge, setRouter } from './shell.js';

const routes = [
  [/^\/$/, () => renderHome()],
  [/^\/category\/([^/]+)$/, (name) => renderCategory(name)],
  [/^\/search\/([^/]*)$/, (q) => renderSearch(q)],
  [/^\/product\/([^/]+)$/, (id) => renderProduct(id)],
  [/^\/cart$/, () => renderCart()],
  [/^\/checkout$/, () => renderCheckout()],
  [/^\/order\/([^/]+)$/, (id) => renderOrder(id)],
  [/^\/orders$/, () => renderOrders()],
  [/^\/account$/, () => renderAccount()],
  [/^\/sign-in$/, () => renderSignIn()],
  [/^\/sign-up$/, () => renderSignUp()],
  [/^\/forgot-password$/, () => renderForgotPassword()],
  [/^\/reset-password$/, () => renderResetPassword()],
];

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a broken %-escape: shown as typed, never a crash
  }
}

function route() {
  leave();
  beginView();
  const path = window.location.pathname;
  // The search box holds the query of a search page, and nothing elsewhere.
  const searching = path.match(/^\/search\/([^/]*)$/);
  document.getElementById('search-input').value = searching ? decode(searching[1]) : '';
  for (const [pattern, render] of routes) {
    const match = path.match(pattern);
    if (match) {
      render(...match.slice(1).map(decode));
      return;
    }
  }
  show(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'Back to the shop')));
}

// An old #/… link: the same page at its clean path, without a new history entry.
function rewriteHashLink() {
  const hash = window.location.hash;
  if (!hash.startsWith('#/')) return false;
  window.history.replaceState(null, '', hash.slice(1));
  return true;
}

// A click on a link to a page of the shop is routed here; new tabs, downloads
// and other sites are left to the browser.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== window.location.origin) return;
  const path = link.pathname;
  if (!routes.some(([pattern]) => pattern.test(path)) || link.hash) return;
  event.preventDefault();
  clearNotice();
  focusViewsFromNowOn();
  navigate(path + link.search);
});

document.getElementById('notice-close').addEventListener('click', clearNotice);
document.getElementById('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = document.getElementById('search-input').value.trim();
  clearNotice();
  focusViewsFromNowOn();
  navigate(q ? `/search/${encodeURIComponent(q)}` : '/');
});
window.addEventListener('popstate', () => {
  clearNotice();
  focusViewsFromNowOn();
  route();
});
window.addEventListener('hashchange', () => {
  if (!rewriteHashLink()) return;
  clearNotice();
  focusViewsFromNowOn();
  route();
});
setRouter(route);
rewriteHashLink();
refreshCartBadge();
refreshAccount();
route();
