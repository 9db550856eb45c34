// Log in with e-mail and password; the session cookie is set by the API.
import { api, html, rememberCsrf, useState } from '/assets/lib.js';

export function LoginPage({ next, onLoggedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api('/api/auth/login', { method: 'POST', body: { email, password } });
      rememberCsrf(res.csrfToken);
      onLoggedIn(res.user, next);
    } catch (err) {
      setError(
        err.status === 401 || err.status === 400
          ? 'The e-mail or password is not right.'
          : err.status === 429
            ? 'Too many attempts. Wait a minute and try again.'
            : `Could not log in: ${err.message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="login" id="main">
    <div class="login-card">
      <div class="login-brand">
        <img src="/assets/logo.svg" alt="" width="40" height="40" />
        <div>
          <h1>sis-certify</h1>
          <p>Student information data, certified.</p>
        </div>
      </div>
      <form onSubmit=${submit} novalidate>
        <div class="field">
          <label for="login-email">E-mail</label>
          <input
            id="login-email"
            type="email"
            autocomplete="username"
            required
            value=${email}
            onInput=${(e) => setEmail(e.target.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autocomplete="current-password"
            required
            value=${password}
            onInput=${(e) => setPassword(e.target.value)}
          />
        </div>
        ${error ? html`<div class="alert alert-error" role="alert">${error}</div>` : null}
        <button type="submit" class="btn btn-primary btn-block" disabled=${busy}>
          ${busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  </main>`;
}
