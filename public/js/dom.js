// dom.js - building the page safely: elements from data, never HTML from strings.

// h('p', { class: 'price' }, 'text', child…): attributes starting with "on" become listeners.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Views render after awaiting the API; by then the shopper may have moved on.
// Every route starts a numbered view; a view keeps the checker it got at its
// start and shows nothing once another view has begun.
let viewSerial = 0;
export function beginView() {
  viewSerial += 1;
}
export function currentView() {
  const mine = viewSerial;
  return () => mine === viewSerial;
}

// After the first page, a new view takes the focus (see show()); the first page
// leaves it where the browser puts it, at the top, so Tab reaches the skip link.
let moveFocus = false;
export function focusViewsFromNowOn() {
  moveFocus = true;
}

const SHOP_NAME = 'fcgi-shop';
const SHOP_DESCRIPTION = 'a small, fast online shop.';

// The page's meta description (search results, link previews); show() gives
// every page one from its heading, a view may say more (a product's text).
export function describePage(text) {
  document.querySelector('meta[name="description"]').setAttribute('content', text);
}

// Replaces the main area with a view; after in-app navigation, puts focus on its
// heading, so screen readers announce the new page and keyboard users start there.
export function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
  const heading = main.querySelector('h1');
  // Each page's title names it (tabs, history, bookmarks): its heading, then the shop.
  const name = heading ? heading.textContent.trim() : '';
  document.title = name ? `${name} · ${SHOP_NAME}` : SHOP_NAME;
  describePage(name && name !== SHOP_NAME ? `${name} at ${SHOP_NAME}, ${SHOP_DESCRIPTION}`
    : `${SHOP_NAME}: ${SHOP_DESCRIPTION}`);
  if (heading) heading.setAttribute('tabindex', '-1');
  if (heading && moveFocus) heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

// A friendly failure inside a view, with a way to try again.
export function failure(error, retry) {
  return h('div', { class: 'failure', role: 'alert' },
    h('p', {}, `Sorry: ${error.message}`),
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null);
}

export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}
