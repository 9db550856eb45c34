import { html } from '/assets/lib.js';
export function ExclusionsPage() {
  return html`<div class="card">
    <h1>ExclusionsPage</h1>
    <p>Coming next.</p>
  </div>`;
}
