// The SPA: who is logged in, the page frame (header, navigation, district switcher) and the routes.
import { render } from '/assets/vendor/preact-htm.mjs';
import {
  api,
  html,
  installLinkInterceptor,
  isAdmin,
  Loading,
  match,
  navigate,
  roleLabel,
  searchParams,
  useApi,
  useEffect,
  useLocation,
  useRef,
  useState,
} from '/assets/lib.js';
import { LoginPage } from '/assets/page-login.js';
import { StatusPage } from '/assets/page-status.js';
import { RunsPage, RunPage } from '/assets/page-runs.js';
import { ComparisonPage, LatestComparison } from '/assets/page-comparison.js';
import { ScorecardPage } from '/assets/page-scorecard.js';
import { RulePage, RecordsPage } from '/assets/page-records.js';
import { ExclusionsPage } from '/assets/page-exclusions.js';
import { SupportPage } from '/assets/page-support.js';
import { AdminPage } from '/assets/page-admin.js';

const ROUTES = [
  ['/districts/:districtId/scorecard', ScorecardPage, 'Scorecard'],
  ['/districts/:districtId/rules/:ruleId', RulePage, 'Rule'],
  ['/districts/:districtId/exceptions', RecordsPage, 'Records'],
  ['/districts/:districtId/exclusions', ExclusionsPage, 'Exclusions'],
  ['/districts/:districtId/runs', RunsPage, 'Runs'],
  ['/districts/:districtId/runs/:runId', RunPage, 'Run'],
  ['/districts/:districtId/runs/:runId/comparison', ComparisonPage, 'Comparison'],
  ['/districts/:districtId/comparison', LatestComparison, 'Comparison'],
  ['/districts/:districtId/admin', AdminPage, 'Users and contacts'],
  ['/status', StatusPage, 'Link status'],
  ['/support', SupportPage, 'All districts'],
];

function homeFor(me) {
  if (me.role === 'support') return '/support';
  return `/districts/${me.districtId}/scorecard`;
}

function App() {
  const loc = useLocation();
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    if (loc.path === '/login') return;
    if (me) return;
    api('/api/auth/me')
      .then(setMe)
      .catch(() => setMe(null));
  }, [loc.path, me]);

  if (loc.path === '/login') {
    return html`<${LoginPage}
      next=${searchParams(loc.search).next}
      onLoggedIn=${(user, next) => {
        setMe(user);
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(user), {
          replace: true,
        });
      }}
    />`;
  }
  if (me === undefined || me === null) return html`<div class="boot"><${Loading} /></div>`;
  if (loc.path === '/') {
    navigate(homeFor(me), { replace: true });
    return null;
  }
  let page = null;
  for (const [pattern, Page, title] of ROUTES) {
    const params = match(pattern, loc.path);
    if (params) {
      page = { Page, params, title };
      break;
    }
  }
  return html`<${Frame} me=${me} loc=${loc} page=${page} onLogout=${() => setMe(undefined)} />`;
}

function Frame({ me, loc, page, onLogout }) {
  const routeDistrict = page?.params.districtId;
  const [lastDistrict, setLastDistrict] = useState(me.districtId);
  useEffect(() => {
    if (routeDistrict) setLastDistrict(routeDistrict);
  }, [routeDistrict]);
  const districtId = routeDistrict || lastDistrict;
  const districts = useApi('/api/districts');
  const district = (districts.data || []).find((d) => d.id === districtId);
  const main = useRef(null);
  useEffect(() => {
    document.title = `${page ? page.title : 'Not found'}${district ? ` · ${district.name}` : ''} · sis-certify`;
  }, [page?.title, district?.name]);
  useEffect(() => {
    // Move focus to the page on navigation so keyboard and screen-reader users start at its content.
    if (main.current && document.activeElement && document.activeElement.tagName === 'A')
      main.current.focus();
    window.scrollTo(0, 0);
  }, [loc.path]);

  const logout = async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } finally {
      onLogout();
      navigate('/login', { replace: true });
    }
  };

  const d = districtId ? `/districts/${districtId}` : null;
  const nav = [
    d && [`${d}/scorecard`, 'Scorecard'],
    d && [`${d}/exceptions`, 'Records'],
    d && [`${d}/exclusions`, 'Exclusions'],
    d && isAdmin(me) && [`${d}/runs`, 'Runs'],
    d && isAdmin(me) && [`${d}/comparison`, 'Migration'],
    ['/status', 'Link status'],
    me.role === 'support' && ['/support', 'All districts'],
    d && isAdmin(me) && [`${d}/admin`, 'Users & contacts'],
  ].filter(Boolean);
  const current = (href) =>
    loc.path === href ||
    (href.endsWith('/runs') && loc.path.startsWith(href) && !loc.path.endsWith('/comparison')) ||
    (href.endsWith('/comparison') && loc.path.endsWith('/comparison')) ||
    (href.endsWith('/scorecard') && d && loc.path.startsWith(`${d}/rules/`));

  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <div class="top-inner">
        <a class="brand" href=${homeFor(me)}>
          <img src="/assets/logo.svg" alt="" width="28" height="28" />
          <span>sis-certify</span>
        </a>
        ${
          me.role === 'support' && (districts.data || []).length > 0
            ? html`<div class="district-switch">
                <label for="district-switch">District</label>
                <select
                  id="district-switch"
                  value=${districtId || ''}
                  onChange=${(e) => e.target.value && navigate(`/districts/${e.target.value}/scorecard`)}
                >
                  <option value="">Choose a district…</option>
                  ${districts.data.map(
                    (x) => html`<option value=${x.id} selected=${x.id === districtId}>${x.name}</option>`,
                  )}
                </select>
              </div>`
            : district
              ? html`<span class="district-name">${district.name}</span>`
              : null
        }
        <div class="who">
          <span class="who-name" title=${me.email}>${me.email}</span>
          <span class="who-role">${roleLabel(me.role)}</span>
          <button type="button" class="btn btn-quiet btn-small" onClick=${logout}>Log out</button>
        </div>
      </div>
      <nav class="tabs" aria-label="Main">
        <ul>
          ${nav.map(
            ([href, label]) =>
              html`<li>
                <a href=${href} aria-current=${current(href) ? 'page' : undefined}>${label}</a>
              </li>`,
          )}
        </ul>
      </nav>
    </header>
    <main id="main" tabindex="-1" ref=${main}>
      ${
        page
          ? html`<${page.Page}
              key=${loc.path}
              me=${me}
              params=${page.params}
              query=${searchParams(loc.search)}
              district=${district}
            />`
          : html`<div class="card">
              <h1>Page not found</h1>
              <p><a href=${homeFor(me)}>Go to your start page</a></p>
            </div>`
      }
    </main>`;
}

installLinkInterceptor();
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
