// quantity.js - a quantity box holds only what can be bought: never more than
// the stock, nor than the API's limit per cart line, so the box and the total agree.

// The API's limit per cart line (fcgi-apps/cart.c CART_MAX_QUANTITY).
export const LINE_LIMIT = 99;

// The most of a product one line can hold (at least 1: a sold-out line is the API's to refuse).
export function mostOf(stock) {
  return Number.isFinite(stock) ? Math.max(1, Math.min(LINE_LIMIT, stock)) : LINE_LIMIT;
}

// Why the box was lowered to max ("Only 2 in stock").
function limitNote(max) {
  return max < LINE_LIMIT ? `Only ${max} in stock` : `At most ${LINE_LIMIT} per order`;
}

// Keeps input's number within [min, max] as the shopper types: a number above
// max becomes max, and then the answer is the note saying why ('' otherwise).
// With final (a change: the shopper is done) an empty or too small box becomes min.
export function clampQuantity(input, min, max, final = false) {
  const value = Number(input.value);
  if (input.value !== '' && value > max) {
    input.value = String(max);
    return limitNote(max);
  }
  if (final && (input.value === '' || !Number.isInteger(value) || value < min)) input.value = String(min);
  return '';
}
