import { html } from '/assets/lib.js';
export function ComparisonPage() {
  return html`<div class="card">
    <h1>ComparisonPage</h1>
    <p>Coming next.</p>
  </div>`;
}
export function LatestComparison() {
  return html`<div class="card">
    <h1>LatestComparison</h1>
    <p>Coming next.</p>
  </div>`;
}
