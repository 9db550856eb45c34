// Support: every district at a glance (score, open findings, last run, link states).
import {
  Badge,
  Card,
  Empty,
  ErrorBox,
  fmtDate,
  fmtNum,
  fmtScore,
  html,
  Loading,
  scoreClass,
  useApi,
  useState,
} from '/assets/lib.js';

export function SupportPage() {
  const cards = useApi('/api/scorecards');
  const status = useApi('/api/status');
  const [filter, setFilter] = useState('');
  // Until every district has a scorecard, the link states come from the status board as well.
  const byDistrict = new Map((status.data || []).map((d) => [d.districtId, d]));
  const rows = cards.data
    ? cards.data.items
    : (status.data || []).map((d) => ({
        districtId: d.districtId,
        districtName: d.name,
        state: null,
        score: null,
        fatal: null,
        error: null,
        warning: null,
        lastRunAt: null,
        lastRunStatus: null,
        links: d.links.map((l) => ({ linkId: l.linkId, name: l.name, role: l.role, state: l.state })),
      }));
  const shown = rows
    .filter((r) => !filter || r.districtName.toLowerCase().includes(filter.toLowerCase()))
    .sort((a, b) => (a.score ?? 101) - (b.score ?? 101));
  const down = rows.filter((r) => r.links.some((l) => l.state === 'DOWN')).length;

  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>All districts</h1>
        <p class="lede">
          Every district's certification score, open findings, last run and SIS links. Lowest score first.
        </p>
      </div>
      <div class="field">
        <label for="district-filter">Find a district</label>
        <input
          id="district-filter"
          type="search"
          value=${filter}
          onInput=${(e) => setFilter(e.target.value)}
        />
      </div>
    </div>
    ${(cards.loading || status.loading) && rows.length === 0 ? html`<${Loading} />` : null}
    ${cards.error && cards.error.status !== 404 ? html`<${ErrorBox} error=${cards.error} what="Scorecards" />` : null}
    ${
      cards.error && cards.error.status === 404
        ? html`<div class="alert alert-info">
            Scores are not available from this service yet; showing link states.
          </div>`
        : null
    }
    <div class="stats">
      <div class="stat">
        <span class="stat-value">${rows.length}</span><span class="stat-label">districts</span>
      </div>
      <div class=${`stat ${down ? 'stat-bad' : 'stat-good'}`}>
        <span class="stat-value">${down}</span><span class="stat-label">with a link down</span>
      </div>
      <div class="stat">
        <span class="stat-value">${rows.filter((r) => r.lastRunStatus === 'failed').length}</span>
        <span class="stat-label">last run failed</span>
      </div>
    </div>
    <${Card} title="Districts">
      ${rows.length > 0 && shown.length === 0 ? html`<${Empty}>No district matches “${filter}”.<//>` : null}
      ${
        shown.length > 0
          ? html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">District</th>
                    <th scope="col" class="num">Score</th>
                    <th scope="col" class="num">Fatal</th>
                    <th scope="col" class="num">Errors</th>
                    <th scope="col" class="num">Warnings</th>
                    <th scope="col">Last run</th>
                    <th scope="col">SIS links</th>
                  </tr>
                </thead>
                <tbody>
                  ${shown.map(
                    (r) =>
                      html`<tr>
                        <th scope="row">
                          <a href=${`/districts/${r.districtId}/scorecard`}>${r.districtName}</a>
                          ${r.state ? html`<div class="sub">${r.state}</div>` : null}
                        </th>
                        <td class="num">
                          <span class=${`score-chip ${scoreClass(r.score)}`}>${fmtScore(r.score)}</span>
                        </td>
                        <td class="num">${fmtNum(r.fatal)}</td>
                        <td class="num">${fmtNum(r.error)}</td>
                        <td class="num">${fmtNum(r.warning)}</td>
                        <td>
                          ${r.lastRunStatus ? html`<${Badge} kind=${r.lastRunStatus} /> ` : null}
                          <span class="sub"
                            >${r.lastRunAt ? fmtDate(r.lastRunAt) : byDistrict.size ? 'never' : ''}</span
                          >
                          <div><a href=${`/districts/${r.districtId}/runs`} class="sub">Runs</a></div>
                        </td>
                        <td>
                          ${
                            r.links.length === 0
                              ? html`<span class="sub">none</span>`
                              : r.links.map(
                                  (l) =>
                                    html`<div class="link-state">
                                      <${Badge} kind=${l.state} />${` ${l.name} `}<span class="sub"
                                        >${l.role}</span
                                      >
                                    </div>`,
                                )
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : null
      }
    <//>
  </div>`;
}
