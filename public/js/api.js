// api.js - the shop's JSON API, with one error type for every failure.
//
// Every call resolves to the decoded JSON or throws an ApiError carrying the
// API's error code and human message; a network failure (the shop is down)
// becomes an ApiError with status 0, so views have one thing to handle.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const options = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (method !== 'GET') {
    // Every state-changing call is JSON: the shop refuses anything else (CSRF guard).
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError(0, 'network', 'The shop cannot be reached right now. Check your connection and try again.');
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const message = error.message || `The shop answered with an error (${response.status}).`;
    const { code, message: _, ...details } = error;
    throw new ApiError(response.status, code || 'http_error', message, details);
  }
  return data;
}

const formats = new Map();

// Integer cents as money in the shopper's locale: never floating-point arithmetic on amounts.
export function formatMoney(cents, currency = 'USD') {
  if (!formats.has(currency)) {
    formats.set(currency, new Intl.NumberFormat(undefined, { style: 'currency', currency }));
  }
  return formats.get(currency).format(cents / 100);
}
