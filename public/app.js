// app.js - the storefront: catalog browsing over the shop's JSON API.
// Plain JavaScript, no build step and no third-party code.
'use strict';

const CATEGORIES = ['Books', 'Clothing', 'Electronics', 'Home & Kitchen', 'Sports & Outdoors', 'Toys & Games'];
const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });

const state = { category: '', q: '', cursor: null };
const $ = (id) => document.getElementById(id);

async function api(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `The shop answered ${response.status}.`;
    throw new Error(message);
  }
  return body;
}

function formatPrice(cents, currency) {
  if (currency === 'USD') return money.format(cents / 100);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
}

function productCard(product) {
  const item = document.createElement('li');
  item.className = 'card';
  const image = document.createElement('img');
  image.src = product.imageUrl;
  image.alt = product.name;
  image.width = 160;
  image.height = 160;
  const name = document.createElement('h2');
  name.textContent = product.name;
  const price = document.createElement('p');
  price.className = 'price';
  price.textContent = formatPrice(product.priceCents, product.currency);
  const category = document.createElement('p');
  category.className = 'category';
  category.textContent = product.category;
  item.append(image, name, price, category);
  return item;
}

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

async function loadPage(reset) {
  if (reset) {
    state.cursor = null;
    $('grid').replaceChildren();
  }
  const params = new URLSearchParams({ limit: '20' });
  if (state.category) params.set('category', state.category);
  if (state.q) params.set('q', state.q);
  if (state.cursor) params.set('cursor', state.cursor);
  $('loading').hidden = false;
  $('more').hidden = true;
  try {
    const page = await api(`/api/products?${params}`);
    showNotice(page.items.length === 0 && reset ? 'No products match.' : '');
    $('grid').append(...page.items.map(productCard));
    state.cursor = page.nextCursor;
    $('more').hidden = !state.cursor;
  } catch (error) {
    showNotice(`Sorry, the shop could not load products: ${error.message}`);
    $('more').hidden = !state.cursor;
  } finally {
    $('loading').hidden = true;
  }
}

function renderCategories() {
  const all = ['', ...CATEGORIES];
  $('categories').replaceChildren(...all.map((category) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = category || 'All';
    button.setAttribute('aria-pressed', String(category === state.category));
    button.addEventListener('click', () => {
      state.category = category;
      state.q = '';
      $('search-input').value = '';
      $('heading').textContent = category || 'All products';
      renderCategories();
      loadPage(true);
    });
    return button;
  }));
}

document.addEventListener('DOMContentLoaded', () => {
  renderCategories();
  $('more').addEventListener('click', () => loadPage(false));
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.q = $('search-input').value.trim();
    state.category = '';
    $('heading').textContent = state.q ? `Results for “${state.q}”` : 'All products';
    renderCategories();
    loadPage(true);
  });
  loadPage(true);
});
