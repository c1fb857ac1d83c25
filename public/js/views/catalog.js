// catalog.js - home with recommendations, category and search grids, product detail.
import { api, formatMoney } from '../api.js';
import { notify, setCartBadge } from '../shell.js';
import { currentView, describePage, h, show, loading, failure } from '../dom.js';
import { clampQuantity, mostOf } from '../quantity.js';

const PAGE_SIZE = 20;
const LOW_STOCK = 5; // at most this many left: the card says how many

// What a shopper should know about the stock before clicking: null when plenty.
function stockNote(product) {
  if (product.stock < 1) return 'Sold out';
  if (product.stock <= LOW_STOCK) return `Only ${product.stock} left`;
  return null;
}

function stockBadge(product) {
  const note = stockNote(product);
  return note && h('p', { class: `stock-badge${product.stock < 1 ? ' sold-out' : ''}` }, note);
}

function productCard(product) {
  return h('li', { class: 'card' },
    h('a', { href: `/product/${encodeURIComponent(product.id)}`, class: 'card-link' },
      h('img', { src: product.imageUrl, alt: '', width: 160, height: 160, loading: 'lazy' }),
      h('h3', {}, product.name)),
    h('p', { class: 'price' }, formatMoney(product.priceCents, product.currency)),
    stockBadge(product),
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

// The grid's order and price range live in the page's query (?sort=price_asc&min=10&max=30,
// prices in the shop's currency units), so a view can be shared, reloaded and gone back to.
const SORTS = [['name', 'Name'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'],
  ['newest', 'Newest']];
const PRICE_PATTERN = /^\d{1,9}(\.\d{1,2})?$/;

// "12.5" → 1250 without floating point; null when it is not a price.
function priceToCents(text) {
  if (!PRICE_PATTERN.test(text)) return null;
  const [units, fraction = ''] = text.split('.');
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

// The page's query as the grid's choices; anything unknown or malformed is left out.
function gridChoices() {
  const params = new URLSearchParams(window.location.search);
  const sort = SORTS.some(([value]) => value === params.get('sort')) ? params.get('sort') : 'name';
  const price = (name) => (priceToCents(params.get(name) || '') === null ? '' : params.get(name));
  return { sort, min: price('min'), max: price('max') };
}

function choicesToApi({ sort, min, max }) {
  const query = {};
  if (sort !== 'name') query.sort = sort;
  if (min) query.minPrice = String(priceToCents(min));
  if (max) query.maxPrice = String(priceToCents(max));
  return query;
}

// The grid with its "Sort by" and "Price" controls; a change is a new history entry and reloads page 1.
function browsableGrid(filter) {
  const choices = gridChoices();
  const sort = h('select', { id: 'sort' }, SORTS.map(([value, label]) =>
    h('option', { value, selected: value === choices.sort }, label)));
  const priceInput = (id, value) => h('input', { id, type: 'number', min: 0, step: '0.01', inputmode: 'decimal',
    value, size: 6 });
  const min = priceInput('price-min', choices.min);
  const max = priceInput('price-max', choices.max);
  const message = h('p', { class: 'form-message', role: 'status' });
  const form = h('form', { class: 'price-filter', 'aria-label': 'Price' },
    h('fieldset', {}, h('legend', {}, 'Price'),
      h('label', { for: 'price-min' }, 'From'), min, h('label', { for: 'price-max' }, 'to'), max,
      h('button', { type: 'submit' }, 'Apply')), message);
  let grid = productGrid({ ...filter, ...choicesToApi(choices) });
  const holder = h('div', {}, grid);

  function apply() {
    const next = { sort: sort.value, min: min.value.trim(), max: max.value.trim() };
    const bad = [[min, next.min], [max, next.max]].filter(([, v]) => v && priceToCents(v) === null);
    for (const input of [min, max]) input.setAttribute('aria-invalid', String(bad.some(([i]) => i === input)));
    if (bad.length) {
      message.textContent = 'Enter prices as amounts, such as 10 or 24.99.';
      return;
    }
    if (next.min && next.max && priceToCents(next.min) > priceToCents(next.max)) {
      message.textContent = 'The lowest price must not be above the highest.';
      min.setAttribute('aria-invalid', 'true');
      return;
    }
    message.textContent = '';
    const params = new URLSearchParams();
    if (next.sort !== 'name') params.set('sort', next.sort);
    if (next.min) params.set('min', next.min);
    if (next.max) params.set('max', next.max);
    const search = params.toString();
    window.history.pushState(null, '', window.location.pathname + (search ? `?${search}` : ''));
    grid = productGrid({ ...filter, ...choicesToApi(next) });
    holder.replaceChildren(grid);
  }
  sort.addEventListener('change', apply);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  return h('div', {},
    h('div', { class: 'grid-controls' },
      h('div', { class: 'sort-by' }, h('label', { for: 'sort' }, 'Sort by'), sort), form),
    holder);
}

export async function renderHome() {
  const here = currentView();
  const [recommended, nav] = await Promise.all([recommendationsSection(), categoryNav('')]);
  if (!here()) return;
  show(h('h1', { class: 'visually-hidden' }, 'fcgi-shop'), recommended, nav,
    h('h2', {}, 'All products'), browsableGrid({}));
}

export async function renderCategory(name) {
  const here = currentView();
  const nav = await categoryNav(name);
  if (here()) {
    show(nav, h('h1', {}, name), h('h2', { class: 'visually-hidden' }, 'Products'), browsableGrid({ category: name }));
  }
}

export async function renderSearch(q) {
  document.getElementById('search-input').value = q;
  const here = currentView();
  const nav = await categoryNav('');
  if (here()) {
    show(nav, h('h1', {}, `Results for “${q}”`), h('h2', { class: 'visually-hidden' }, 'Products'), browsableGrid({ q }));
  }
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

  const most = mostOf(product.stock);
  const quantity = h('input', { id: 'quantity', type: 'number', min: 1, max: most,
    value: 1, inputmode: 'numeric', required: true });
  const message = h('p', { class: 'form-message', role: 'status' });
  // Typing 5 of 2 in stock leaves 2 in the box, and says why.
  const clamp = (final) => {
    const note = clampQuantity(quantity, 1, most, final);
    if (note) message.textContent = `${note}.`;
  };
  quantity.addEventListener('input', () => clamp(false));
  quantity.addEventListener('change', () => clamp(true));
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
      h('p', { class: 'stock' }, stockNote(product) || `${product.stock} in stock`),
      form)));
  describePage(product.description);
}
