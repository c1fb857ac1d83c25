// app.js - the storefront entry: which view a URL shows.
//
// Routes are URL hashes (#/product/prod-001), so every page survives a reload
// and the back button, with no server-side routing. Each view module renders
// into <main>; this file only decides which one.
import { renderHome, renderCategory, renderSearch, renderProduct } from './views/catalog.js';
import { renderCart, renderCheckout } from './views/cart.js';
import { renderOrder, renderOrders } from './views/orders.js';
import { beginView, focusViewsFromNowOn, h, show } from './dom.js';
import { clearNotice, leave, refreshCartBadge } from './shell.js';

const routes = [
  [/^#?\/?$/, () => renderHome()],
  [/^#\/category\/(.+)$/, (name) => renderCategory(name)],
  [/^#\/search\/(.*)$/, (q) => renderSearch(q)],
  [/^#\/product\/([^/]+)$/, (id) => renderProduct(id)],
  [/^#\/cart$/, () => renderCart()],
  [/^#\/checkout$/, () => renderCheckout()],
  [/^#\/order\/([^/]+)$/, (id) => renderOrder(id)],
  [/^#\/orders$/, () => renderOrders()],
];

function route() {
  leave();
  beginView();
  const hash = window.location.hash || '#/';
  // The search box holds the query of a search page, and nothing elsewhere.
  const searching = hash.match(/^#\/search\/(.*)$/);
  document.getElementById('search-input').value = searching ? decodeURIComponent(searching[1]) : '';
  for (const [pattern, render] of routes) {
    const match = hash.match(pattern);
    if (match) {
      render(...match.slice(1).map(decodeURIComponent));
      return;
    }
  }
  show(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the shop')));
}

document.getElementById('notice-close').addEventListener('click', clearNotice);
document.getElementById('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = document.getElementById('search-input').value.trim();
  window.location.hash = q ? `#/search/${encodeURIComponent(q)}` : '#/';
});
window.addEventListener('hashchange', () => {
  clearNotice();
  focusViewsFromNowOn();
  route();
});
refreshCartBadge();
route();
