import { html } from '/assets/lib.js';
export function RulePage() {
  return html`<div class="card">
    <h1>RulePage</h1>
    <p>Coming next.</p>
  </div>`;
}
export function RecordsPage() {
  return html`<div class="card">
    <h1>RecordsPage</h1>
    <p>Coming next.</p>
  </div>`;
}
