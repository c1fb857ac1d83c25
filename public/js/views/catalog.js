// catalog.js - home with recommendations, category and search grids, product detail.
import { api, formatMoney } from '../api.js';
import { notify, setCartBadge } from '../shell.js';
import { currentView, describePage, h, show, loading, failure } from '../dom.js';

const PAGE_SIZE = 20;

function productCard(product) {
  return h('li', { class: 'card' },
    h('a', { href: `/product/${encodeURIComponent(product.id)}`, class: 'card-link' },
      h('img', { src: product.imageUrl, alt: '', width: 160, height: 160, loading: 'lazy' }),
      h('h3', {}, product.name)),
    h('p', { class: 'price' }, formatMoney(product.priceCents, product.currency)),
    product.reason ? h('p', { class: 'reason' }, product.reason) : h('p', { class: 'category' }, product.category));
}

async function categoryNav(current) {
  const nav = h('nav', { class: 'categories', 'aria-label': 'Categories' });
  try {
    const { items } = await api('/api/categories');
    nav.append(h('a', { href: '/', 'aria-current': current ? null : 'page' }, 'All'),
      ...items.map((c) => h('a', { href: `/category/${encodeURIComponent(c.name)}`,
        'aria-current': c.name === current ? 'page' : null }, c.name)));
  } catch {
    // Browsing still works without the category bar.
  }
  return nav;
}

// A product grid that pages with "Load more"; errors show in place and keep the grid.
function productGrid(query) {
  const list = h('ul', { class: 'grid', 'aria-live': 'polite' });
  const status = h('div', { class: 'grid-status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more');
  let cursor = null;
  let loaded = false;

  async function load() {
    if (loaded && !cursor) return; // the end of the list: never page 1 again
    more.hidden = true;
    status.replaceChildren(loading());
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), ...query });
    if (cursor) params.set('cursor', cursor);
    try {
      const page = await api(`/api/products?${params}`);
      list.append(...page.items.map(productCard));
      cursor = page.nextCursor;
      loaded = true;
      status.replaceChildren(list.children.length === 0 ? h('p', {}, 'No products match.') : '');
      more.hidden = !cursor;
    } catch (error) {
      status.replaceChildren(failure(error, load));
    }
  }
  more.addEventListener('click', load);
  load();
  return h('div', {}, list, status, more);
}

// Complete before the home page shows it: filled in later, it would push the
// rest of the page down as the shopper starts to read (a layout shift).
async function recommendationsSection() {
  const section = h('section', { class: 'recommended', 'aria-labelledby': 'recommended-heading' },
    h('h2', { id: 'recommended-heading' }, 'Recommended for you'));
  try {
    const { items } = await api('/api/recommendations?limit=4');
    section.append(items.length ? h('ul', { class: 'grid' }, items.map(productCard))
      : h('p', {}, 'Nothing yet: have a look around!'));
  } catch {
    section.append(h('p', { class: 'muted' }, 'Recommendations are not available right now.'));
  }
  return section;
}

export async function renderHome() {
  const here = currentView();
  const [recommended, nav] = await Promise.all([recommendationsSection(), categoryNav('')]);
  if (!here()) return;
  show(h('h1', { class: 'visually-hidden' }, 'fcgi-shop'), recommended, nav,
    h('h2', {}, 'All products'), productGrid({}));
}

export async function renderCategory(name) {
  const here = currentView();
  const nav = await categoryNav(name);
  if (here()) {
    show(nav, h('h1', {}, name), h('h2', { class: 'visually-hidden' }, 'Products'), productGrid({ category: name }));
  }
}

export async function renderSearch(q) {
  document.getElementById('search-input').value = q;
  const here = currentView();
  const nav = await categoryNav('');
  if (here()) show(nav, h('h1', {}, `Results for “${q}”`), h('h2', { class: 'visually-hidden' }, 'Products'),
    productGrid({ q }));
}

export async function renderProduct(id) {
  const here = currentView();
  show(loading());
  let product;
  try {
    product = await api(`/api/products/${encodeURIComponent(id)}`);
  } catch (error) {
    if (!here()) return;
    if (error.status === 404) {
      // Trying again cannot help: offer the way back instead.
      show(h('h1', {}, 'Product not found'),
        h('p', {}, 'This product is not in the shop (any more). ', h('a', { href: '/' }, 'Back to all products')));
    } else {
      show(h('h1', {}, 'Product'), failure(error, () => renderProduct(id)));
    }
    return;
  }
  if (!here()) return;
  // Interest tracking: fire and forget, the page never waits for it.
  api('/api/events', { method: 'POST',
    body: { productId: product.id, eventType: 'product-view', productType: product.category } }).catch(() => {});

  const quantity = h('input', { id: 'quantity', type: 'number', min: 1, max: Math.max(1, Math.min(99, product.stock)),
    value: 1, inputmode: 'numeric', required: true });
  const message = h('p', { class: 'form-message', role: 'status' });
  const add = h('button', { type: 'submit', disabled: product.stock < 1 }, product.stock < 1 ? 'Sold out' : 'Add to cart');
  const form = h('form', { class: 'add-form' },
    h('label', { for: 'quantity' }, 'Quantity'), quantity, add, message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    add.disabled = true;
    message.textContent = 'Adding…';
    try {
      const cart = await api('/api/cart', { method: 'POST',
        body: { productId: product.id, quantity: Number(quantity.value) } });
      setCartBadge(cart);
      message.replaceChildren('Added to your cart. ', h('a', { href: '/cart' }, 'View cart'));
    } catch (error) {
      message.textContent = error.message;
      if (error.status === 0 || error.status >= 500) notify(error.message);
    } finally {
      add.disabled = product.stock < 1;
    }
  });
  show(h('article', { class: 'product' },
    h('img', { src: product.imageUrl, alt: product.name, width: 320, height: 320 }),
    h('div', { class: 'product-info' },
      h('p', { class: 'category' }, h('a', { href: `/category/${encodeURIComponent(product.category)}` }, product.category)),
      h('h1', {}, product.name),
      h('p', { class: 'price' }, formatMoney(product.priceCents, product.currency)),
      h('p', {}, product.description),
      h('p', { class: 'stock' }, product.stock > 0 ? `${product.stock} in stock` : 'Out of stock'),
      form)));
  describePage(product.description);
}
