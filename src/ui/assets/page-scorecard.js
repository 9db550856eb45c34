import { html } from '/assets/lib.js';
export function ScorecardPage() {
  return html`<div class="card">
    <h1>ScorecardPage</h1>
    <p>Coming next.</p>
  </div>`;
}
