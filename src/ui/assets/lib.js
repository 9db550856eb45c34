// Shared client code: the API wrapper (CSRF, JSON), the router, data hooks and small components.
import { html, useState, useEffect, useRef, useCallback } from '/assets/vendor/preact-htm.mjs';

export { html, useState, useEffect, useRef, useCallback };

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(status, body) {
    const message =
      body && typeof body === 'object' && body.message
        ? Array.isArray(body.message)
          ? body.message.join('; ')
          : String(body.message)
        : `HTTP ${status}`;
    super(message);
    this.status = status;
    this.body = body;
  }
}

let csrfFromLogin = null;
export function rememberCsrf(token) {
  csrfFromLogin = token || null;
}

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)sis_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : csrfFromLogin;
}

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** fetch for the JSON API: same-origin cookie, X-CSRF-Token on every non-GET request, JSON bodies. */
export async function api(path, { method = 'GET', body, query } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  const res = await fetch(`${path}${qs(query)}`, {
    method,
    headers,
    credentials: 'same-origin',
    body:
      body === undefined ? (method === 'GET' || method === 'HEAD' ? undefined : '{}') : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (res.status === 401 && !path.startsWith('/api/auth/login')) {
    onUnauthenticated();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function onUnauthenticated() {
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    navigate(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
  }
}

// ---------------------------------------------------------------- router

const listeners = new Set();

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
}

/** The current location, re-rendering on navigation. */
export function useLocation() {
  const [loc, setLoc] = useState({ path: location.pathname, search: location.search });
  useEffect(() => {
    const update = () => setLoc({ path: location.pathname, search: location.search });
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** Matches "/districts/:id/scorecard" against a path; returns the params or null. */
export function match(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** Same-origin links navigate inside the SPA; downloads, new tabs and /api links go to the server. */
export function installLinkInterceptor() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

export function searchParams(search) {
  return Object.fromEntries(new URLSearchParams(search));
}

// ---------------------------------------------------------------- data hooks

/** Loads a JSON API path; `key` changes reload it. Returns { data, error, loading, reload }. */
export function useApi(path, query) {
  const key = path ? `${path}${qs(query)}` : null;
  const [state, setState] = useState({ data: null, error: null, loading: !!key });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!key) return undefined;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api(path, { query })
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState({ data: null, error, loading: false }));
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls fn every `ms` while `active`. */
export function useInterval(fn, ms, active = true) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

// ---------------------------------------------------------------- formatting

export function fmtDate(v) {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDay(v) {
  if (!v) return '—';
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [y, m, d] = s.split('-').map(Number);
    return new Date(y, m - 1, d).toLocaleDateString(undefined, { dateStyle: 'medium' });
  }
  return new Date(s).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/**
 * Axis labels for a series of runs: the day (as of, else evaluated), with the time of the check added where
 * two runs share a day — otherwise two bars read "Nov 1, 2026" and nobody knows which is which.
 */
export function runLabels(points) {
  const days = points.map((t) => fmtDay(t.asOf || t.evaluatedAt));
  return days.map((d, i) =>
    days.indexOf(d) !== days.lastIndexOf(d) && points[i].evaluatedAt
      ? `${d}, ${fmtTime(points[i].evaluatedAt)}`
      : d,
  );
}

function fmtTime(v) {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { timeStyle: 'short' });
}

export function fmtNum(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

export function fmtPct(v, digits = 1) {
  return v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(digits)}%`;
}

export function fmtScore(v) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(1);
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function fmtValue(v) {
  if (v === null || v === undefined || v === '') return '∅';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function humanize(s) {
  return String(s ?? '')
    .replace(/[_-]+/g, ' ')
    .replace(/^\w/, (c) => c.toUpperCase());
}

export function scoreClass(score) {
  if (score === null || score === undefined) return 'score-none';
  if (score >= 95) return 'score-good';
  if (score >= 80) return 'score-fair';
  return 'score-poor';
}

// ---------------------------------------------------------------- components

export function Badge({ kind, children }) {
  return html`<span class=${`badge badge-${String(kind).toLowerCase()}`}
    >${children ?? humanize(kind)}</span
  >`;
}

export function Loading({ label = 'Loading…' }) {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${label}</p>`;
}

export function ErrorBox({ error, what }) {
  if (!error) return null;
  const text =
    error.status === 404
      ? `${what ? `${what}: ` : ''}not found (or not in your scope).`
      : error.status === 403
        ? `${what ? `${what}: ` : ''}you do not have access to this.`
        : `${what ? `${what}: ` : ''}${error.message}`;
  return html`<div class="alert alert-error" role="alert">${text}</div>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

/** A card section with a heading. */
export function Card({ title, actions, children, id, className }) {
  const headingId = id ? `${id}-title` : undefined;
  return html`<section class=${`card ${className || ''}`} id=${id} aria-labelledby=${headingId}>
    ${
      title || actions
        ? html`<div class="card-head">
            ${title ? html`<h2 id=${headingId}>${title}</h2>` : null}
            ${actions ? html`<div class="card-actions">${actions}</div>` : null}
          </div>`
        : null
    }
    ${children}
  </section>`;
}

export function Pager({ page, pageSize, total, onPage, label = 'records' }) {
  const pages = Math.max(1, Math.ceil((total || 0) / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return html`<nav class="pager" aria-label=${`Pages of ${label}`}>
    <span class="pager-info">${fmtNum(first)}–${fmtNum(last)} of ${fmtNum(total)} ${label}</span>
    <button type="button" class="btn btn-quiet" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>
      ← Previous
    </button>
    <span class="pager-page">Page ${page} of ${pages}</span>
    <button type="button" class="btn btn-quiet" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>
      Next →
    </button>
  </nav>`;
}

/** A sortable column header: a real button, with aria-sort on the cell. */
export function SortHeader({ label, field, sort, order, onSort }) {
  const active = sort === field;
  const ariaSort = active ? (order === 'desc' ? 'descending' : 'ascending') : 'none';
  return html`<th scope="col" aria-sort=${ariaSort}>
    <button
      type="button"
      class="th-sort"
      onClick=${() => onSort(field, active && order === 'asc' ? 'desc' : 'asc')}
    >
      ${label} <span aria-hidden="true">${active ? (order === 'desc' ? '▼' : '▲') : '↕'}</span>
    </button>
  </th>`;
}

const palette = {
  blue: '#2563eb',
  teal: '#0d9488',
  amber: '#d97706',
  red: '#dc2626',
  slate: '#64748b',
  violet: '#7c3aed',
};
export const chartColors = palette;

/** A chart.js axis for counts: from zero, whole numbers only. */
export const countAxis = { beginAtZero: true, ticks: { precision: 0 } };

/** A chart.js chart (loaded from node_modules as /assets/vendor/chart.umd.js). */
export function Chart({ type, data, options, label, height = 220 }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    const ChartJs = window.Chart;
    if (!ChartJs || !canvas.current) return undefined;
    chart.current = new ChartJs(canvas.current, {
      type,
      data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: (data.datasets || []).length > 1, labels: { boxWidth: 12 } } },
        datasets: { bar: { maxBarThickness: 48 } },
        ...options,
      },
    });
    return () => chart.current && chart.current.destroy();
  }, [JSON.stringify({ type, data, options })]);
  return html`<div class="chart" style=${`height:${height}px`}>
    <canvas ref=${canvas} role="img" aria-label=${label}></canvas>
  </div>`;
}

export function Field({ label, id, children, hint }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children} ${hint ? html`<small class="hint" id=${`${id}-hint`}>${hint}</small>` : null}
  </div>`;
}

export function Select({ id, value, onChange, options, label }) {
  return html`<${Field} label=${label} id=${id}>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.target.value)}>
      ${options.map(([v, l]) => html`<option value=${v} selected=${String(v) === String(value)}>${l}</option>`)}
    </select>
  <//>`;
}

/** Announces short messages to screen readers (and shows them) in a polite live region. */
export function Notice({ notice, onClose }) {
  if (!notice) return null;
  return html`<div
    class=${`alert alert-${notice.kind || 'info'}`}
    role=${notice.kind === 'error' ? 'alert' : 'status'}
  >
    <span>${notice.text}</span>
    ${
      onClose
        ? html`<button
            type="button"
            class="btn btn-quiet btn-small"
            onClick=${onClose}
            aria-label="Dismiss message"
          >
            ×
          </button>`
        : null
    }
  </div>`;
}

export function roleLabel(role) {
  return (
    {
      support: 'Support',
      district_admin: 'District administrator',
      school_user: 'School user',
      program_user: 'Program user',
    }[role] || role
  );
}

export const isAdmin = (me) => me && (me.role === 'support' || me.role === 'district_admin');
