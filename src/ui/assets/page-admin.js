import { html } from '/assets/lib.js';
export function AdminPage() {
  return html`<div class="card">
    <h1>AdminPage</h1>
    <p>Coming next.</p>
  </div>`;
}
