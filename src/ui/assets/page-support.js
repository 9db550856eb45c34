import { html } from '/assets/lib.js';
export function SupportPage() {
  return html`<div class="card">
    <h1>SupportPage</h1>
    <p>Coming next.</p>
  </div>`;
}
