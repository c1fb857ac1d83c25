// account.js - the shopper's account: sign up, sign in, the account page (name,
// password, sign out), "forgot password" and the reset page its e-mail links to.
//
// Signing in or out changes whose cart this browser shows (the anonymous cart
// joins the account's), so each refreshes the header: who is signed in, and
// the cart badge.
import { api } from '../api.js';
import { navigate, notify, refreshAccount, refreshCartBadge } from '../shell.js';
import { h, show, loading, failure, currentView } from '../dom.js';

// [name, label, type, autocomplete, maxlength]
const NAME = ['name', 'Your name', 'text', 'name', 100];
const EMAIL = ['email', 'E-mail', 'email', 'email', 254];
const NEW_PASSWORD = ['password', 'Password (at least 10 characters)', 'password', 'new-password', 128];
const PASSWORD = ['password', 'Password', 'password', 'current-password', 128];
const CURRENT_PASSWORD = ['currentPassword', 'Current password', 'password', 'current-password', 128];
const CHANGED_PASSWORD = ['password', 'New password (at least 10 characters)', 'password', 'new-password', 128];

// Which field an API error code is about, so the message sits next to it.
const ERROR_FIELDS = {
  invalid_email: 'email', email_taken: 'email', invalid_name: 'name', invalid_password: 'password',
  password_too_short: 'password', password_too_long: 'password', password_too_common: 'password',
};

function field(prefix, [name, label, type, autocomplete, maxlength]) {
  return h('div', { class: 'field' },
    h('label', { for: `${prefix}-${name}` }, label),
    h('input', { id: `${prefix}-${name}`, name, type, autocomplete, maxlength, required: true,
      'aria-describedby': `${prefix}-${name}-error` }),
    h('p', { class: 'field-error', id: `${prefix}-${name}-error` }));
}

// A form of fields whose submit calls send(values); an API error is shown by its field, or under the form.
function accountForm(prefix, fields, buttonText, send) {
  const message = h('p', { class: 'form-message', role: 'status' });
  const submit = h('button', { type: 'submit' }, buttonText);
  const form = h('form', { class: 'account-form', novalidate: true, 'aria-labelledby': `${prefix}-heading` },
    fields.map((f) => field(prefix, f)), submit, message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(fields.map(([name]) => [name, form.elements[name].value]));
    for (const [name] of fields) {
      form.querySelector(`#${prefix}-${name}-error`).textContent = '';
      form.elements[name].setAttribute('aria-invalid', 'false');
    }
    submit.disabled = true;
    message.textContent = '';
    try {
      await send(values, message);
    } catch (error) {
      const name = ERROR_FIELDS[error.code];
      if (name && form.elements[name]) {
        form.querySelector(`#${prefix}-${name}-error`).textContent = error.message;
        form.elements[name].setAttribute('aria-invalid', 'true');
        form.elements[name].focus();
      } else {
        message.textContent = error.message;
      }
      if (error.status === 0 || error.status >= 500) notify(error.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function heading(prefix, text) {
  return h('h1', { id: `${prefix}-heading` }, text);
}

async function signedIn(account) {
  await refreshAccount(account);
  await refreshCartBadge();
  navigate('/account', { replace: true });
}

export function renderSignUp() {
  const form = accountForm('signup', [NAME, EMAIL, NEW_PASSWORD], 'Create account', async (values) => {
    await signedIn(await api('/api/account', { method: 'POST', body: values }));
  });
  show(heading('signup', 'Create an account'),
    h('p', { class: 'muted' }, 'Your cart and your orders, on every device.'),
    form,
    h('p', {}, 'Have an account? ', h('a', { href: '/sign-in' }, 'Sign in')));
}

export function renderSignIn() {
  const form = accountForm('signin', [EMAIL, PASSWORD], 'Sign in', async (values) => {
    await signedIn(await api('/api/session', { method: 'POST', body: values }));
  });
  show(heading('signin', 'Sign in'), form,
    h('p', {}, h('a', { href: '/forgot-password' }, 'Forgot your password?')),
    h('p', {}, 'New here? ', h('a', { href: '/sign-up' }, 'Create an account')));
}

export function renderForgotPassword() {
  const form = accountForm('forgot', [EMAIL], 'Send me a link', async (values, message) => {
    await api('/api/account/password-reset', { method: 'POST', body: values });
    message.textContent = 'If an account uses that address, an e-mail with a link to choose a new password is on '
      + 'its way. The link works once, for 30 minutes.';
  });
  show(heading('forgot', 'Forgot your password?'),
    h('p', { class: 'muted' }, 'Enter the e-mail address of your account.'), form);
}

export function renderResetPassword() {
  // The token travels in the fragment (never sent to a server, never in a Referer); it leaves the address bar at once.
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (token) window.history.replaceState({ token }, '', '/reset-password');
  const kept = token || (window.history.state && window.history.state.token);
  if (!kept) {
    show(heading('reset', 'Choose a new password'),
      h('p', {}, 'This page needs the link from the e-mail. ', h('a', { href: '/forgot-password' }, 'Ask for a new one')));
    return;
  }
  const form = accountForm('reset', [NEW_PASSWORD], 'Set password', async (values, message) => {
    try {
      await api('/api/account/password-reset/confirm', { method: 'POST', body: { token: kept, ...values } });
    } catch (error) {
      if (error.code !== 'invalid_token') throw error;
      message.replaceChildren(error.message, ' ', h('a', { href: '/forgot-password' }, 'Ask for a new link'));
      return;
    }
    window.history.replaceState(null, '', '/reset-password');
    message.replaceChildren('Your password is changed, and every device was signed out. ',
      h('a', { href: '/sign-in' }, 'Sign in'));
  });
  show(heading('reset', 'Choose a new password'), form);
}

function accountDetails(account) {
  const since = new Date(account.createdAt);
  return h('dl', { class: 'account-details' },
    h('dt', {}, 'Name'), h('dd', { id: 'account-name' }, account.name),
    h('dt', {}, 'E-mail'), h('dd', { id: 'account-email' }, account.email),
    h('dt', {}, 'Member since'), h('dd', {}, Number.isNaN(since.getTime()) ? account.createdAt : since.toLocaleDateString()));
}

export async function renderAccount() {
  const stillHere = currentView();
  show(h('h1', {}, 'Your account'), loading());
  let account;
  try {
    account = await api('/api/account');
  } catch (error) {
    if (!stillHere()) return;
    if (error.status === 401) {
      navigate('/sign-in', { replace: true });
      return;
    }
    show(h('h1', {}, 'Your account'), failure(error, renderAccount));
    return;
  }
  if (!stillHere()) return;
  const details = h('div', {}, accountDetails(account));
  const nameForm = accountForm('rename', [NAME], 'Save name', async (values, message) => {
    const changed = await api('/api/account', { method: 'PATCH', body: values });
    details.replaceChildren(accountDetails(changed));
    await refreshAccount(changed);
    message.textContent = 'Saved.';
  });
  nameForm.elements.name.value = account.name;
  const passwordForm = accountForm('repass', [CURRENT_PASSWORD, CHANGED_PASSWORD], 'Change password',
    async (values, message) => {
      await api('/api/account', { method: 'PATCH', body: values });
      passwordForm.reset();
      message.textContent = 'Password changed. Your other devices are signed out.';
    });
  const signOut = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    signOut.disabled = true;
    try {
      await api('/api/session', { method: 'DELETE' });
      await refreshAccount(null);
      await refreshCartBadge();
      navigate('/');
    } catch (error) {
      notify(error.message);
      signOut.disabled = false;
    }
  } }, 'Sign out');
  show(h('h1', {}, 'Your account'), details,
    h('p', {}, h('a', { href: '/orders' }, 'Your orders')),
    h('h2', { id: 'rename-heading' }, 'Name'), nameForm,
    h('h2', { id: 'repass-heading' }, 'Password'), passwordForm,
    signOut);
}
