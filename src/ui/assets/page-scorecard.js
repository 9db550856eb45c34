// District and school scorecards: the certification score, its trend, the rules and the schools.
import {
  api,
  Badge,
  Card,
  Chart,
  chartColors,
  countAxis,
  Empty,
  ErrorBox,
  fmtDate,
  fmtDay,
  runLabels,
  fmtNum,
  fmtScore,
  html,
  humanize,
  Loading,
  navigate,
  qs,
  scoreClass,
  Select,
  useApi,
  useEffect,
  useState,
} from '/assets/lib.js';

const SEVERITY_ORDER = { fatal: 0, error: 1, warning: 2 };

export function ScorecardPage({ me, params, query }) {
  const { districtId } = params;
  const { schoolId, runId, side } = query;
  const card = useApi(`/api/districts/${districtId}/scorecard`, { schoolId, runId, side });
  const setQuery = (q) => navigate(`${location.pathname}${qs({ ...query, ...q })}`, { replace: true });
  const s = card.data;
  // A school user with one school sees that school's scorecard; anyone can narrow the district to a school.
  const school = !s
    ? null
    : schoolId
      ? s.schools.find((x) => x.schoolId === schoolId)
      : me.role === 'school_user' && s.schools.length === 1
        ? s.schools[0]
        : null;
  const scope = { runId: s?.runId, side: s?.side, schoolId };

  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>
          ${school ? html`${school.name} <span class="sub">school scorecard</span>` : 'District scorecard'}
        </h1>
        ${
          s
            ? html`<p class="lede">
                ${s.districtName} · data as of ${fmtDay(s.asOf)} · checked ${fmtDate(s.evaluatedAt)}
                ${s.side !== 'current' ? html` · <strong>${humanize(s.side)} SIS</strong>` : null}
              </p>`
            : null
        }
      </div>
      ${
        s
          ? html`<div class="filters filters-head">
              ${
                s.schools.length > 1 || schoolId
                  ? html`<${Select}
                      id="scorecard-school"
                      label="School"
                      value=${schoolId || ''}
                      onChange=${(v) => setQuery({ schoolId: v || undefined })}
                      options=${[
                        ['', me.role === 'school_user' ? 'All my schools' : 'Whole district'],
                        ...s.schools.map((x) => [x.schoolId, x.name || x.schoolId]),
                      ]}
                    />`
                  : null
              }
              ${
                s.sides.filter((x) => x.status === 'evaluated').length > 1
                  ? html`<${Select}
                      id="scorecard-side"
                      label="SIS"
                      value=${s.side}
                      onChange=${(v) => setQuery({ side: v })}
                      options=${s.sides.filter((x) => x.status === 'evaluated').map((x) => [x.side, `${humanize(x.side)} · ${x.linkName}`])}
                    />`
                  : null
              }
            </div>`
          : null
      }
    </div>
    ${card.loading && !s ? html`<${Loading} />` : null}
    ${
      card.error && card.error.status === 404
        ? html`<${Card}>
            <${Empty}>
              No scorecard yet: it appears after the first completed run.
              ${
                me.role === 'support' || me.role === 'district_admin'
                  ? html` <a href=${`/districts/${districtId}/runs`}>Start a run</a>`
                  : null
              }
            <//>
          <//>`
        : html`<${ErrorBox} error=${card.error} what="Scorecard" />`
    }
    ${
      s
        ? html`<${ScoreSummary} s=${s} school=${school} />
            <${SidesNote} sides=${s.sides} />
            <${Trend} trend=${s.trend} />
            <${Rules} s=${s} districtId=${districtId} scope=${scope} />
            ${
              !schoolId && s.schools.length > 0
                ? html`<${Schools} schools=${s.schools} onPick=${(id) => setQuery({ schoolId: id })} />`
                : null
            }
            <${DigestOptIn} />`
        : null
    }
  </div>`;
}

function ScoreSummary({ s, school }) {
  const score = school ? school.score : s.score;
  const counts = school
    ? { ...s.counts, fatal: school.fatal, error: school.error, warning: school.warning }
    : s.counts;
  return html`<section class="card" aria-label="Certification score">
    <div class="score-panel">
      <div class=${`score ${scoreClass(score)}`}>
        <span class="score-label">Certification score</span>
        <span class="score-value">${fmtScore(score)}</span>
        <span class="sub">out of 100</span>
      </div>
      <div>
        <div class="stats stats-tight">
          <div class="stat stat-fatal">
            <span class="stat-value">${fmtNum(counts.fatal)}</span><span class="stat-label">fatal</span>
          </div>
          <div class="stat stat-error">
            <span class="stat-value">${fmtNum(counts.error)}</span><span class="stat-label">errors</span>
          </div>
          <div class="stat stat-warning">
            <span class="stat-value">${fmtNum(counts.warning)}</span><span class="stat-label">warnings</span>
          </div>
          <div class="stat">
            <span class="stat-value">${fmtNum(counts.excluded)}</span><span class="stat-label">excluded</span>
          </div>
          <div class="stat">
            <span class="stat-value">${fmtNum(s.findings.new)}</span
            ><span class="stat-label">new since last run</span>
          </div>
          <div class="stat stat-good">
            <span class="stat-value">${fmtNum(s.findings.resolved)}</span
            ><span class="stat-label">resolved</span>
          </div>
        </div>
        <p class="score-formula">${s.scoreFormula}</p>
      </div>
    </div>
  </section>`;
}

function SidesNote({ sides }) {
  const notEvaluated = sides.filter((x) => x.status !== 'evaluated');
  if (sides.length <= 1 && notEvaluated.length === 0) return null;
  return html`<div class="sides" aria-label="SIS sides of this run">
    ${sides.map(
      (x) =>
        html`<div class="side">
          <strong>${humanize(x.side)}</strong> ${x.linkName} <${Badge} kind=${x.status} />
          ${x.reason ? html`<span class="sub"> ${x.reason}</span>` : null}
        </div>`,
    )}
  </div>`;
}

function Trend({ trend }) {
  if (!trend || trend.length === 0) return null;
  const labels = runLabels(trend);
  return html`<div class="grid-2 trend">
    <${Card} title="Score trend">
      <${Chart}
        type="line"
        label=${`Certification score per run: ${trend.map((t, i) => `${labels[i]} ${fmtScore(t.score)}`).join(', ')}`}
        data=${{
          labels,
          datasets: [
            {
              label: 'Score',
              data: trend.map((t) => t.score),
              borderColor: chartColors.blue,
              backgroundColor: 'rgba(37, 99, 235, 0.12)',
              fill: true,
              tension: 0.25,
              pointRadius: 3,
            },
          ],
        }}
        options=${{
          scales: {
            y: {
              min: Math.max(0, Math.floor(Math.min(...trend.map((t) => t.score ?? 100)) - 2)),
              max: 100,
            },
          },
        }}
      />
    <//>
    <${Card} title="Open findings per run">
      <${Chart}
        type="bar"
        label=${`Open findings per run: ${trend.map((t, i) => `${labels[i]} ${t.fatal} fatal, ${t.error} errors, ${t.warning} warnings`).join('; ')}`}
        data=${{
          labels,
          datasets: [
            {
              label: 'Fatal',
              data: trend.map((t) => t.fatal),
              backgroundColor: '#7a1010',
              maxBarThickness: 48,
            },
            {
              label: 'Errors',
              data: trend.map((t) => t.error),
              backgroundColor: chartColors.red,
              maxBarThickness: 48,
            },
            {
              label: 'Warnings',
              data: trend.map((t) => t.warning),
              backgroundColor: chartColors.amber,
              maxBarThickness: 48,
            },
          ],
        }}
        options=${{
          scales: { x: { stacked: true }, y: { ...countAxis, stacked: true } },
          plugins: { legend: { display: true, position: 'bottom', labels: { boxWidth: 12 } } },
        }}
      />
    <//>
  </div>`;
}

function Rules({ s, districtId, scope }) {
  const [all, setAll] = useState(false);
  const failing = s.rules.filter((r) => r.failed > 0 || r.status === 'fail' || r.status === 'error');
  const shown = (all ? s.rules : failing)
    .slice()
    .sort(
      (a, b) =>
        (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
        b.failed - a.failed ||
        a.ruleId.localeCompare(b.ruleId),
    );
  const ruleHref = (r) => `/districts/${districtId}/rules/${encodeURIComponent(r.ruleId)}${qs(scope)}`;
  return html`<${Card}
    title=${`Rules · ${failing.length} failing of ${s.rules.length}`}
    id="rules"
    actions=${html`<label class="checkbox">
        <input type="checkbox" checked=${all} onChange=${(e) => setAll(e.target.checked)} /> Show passing
        rules too
      </label>
      <a class="btn btn-small" href=${`/districts/${districtId}/exceptions${qs(scope)}`}
        >All failing records</a
      >`}
  >
    ${shown.length === 0 ? html`<${Empty}>No rule fails. Nothing to fix.<//>` : null}
    ${
      shown.length > 0
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Failing</th>
                  <th scope="col" class="num">New</th>
                  <th scope="col" class="num opt">Persisting</th>
                  <th scope="col" class="num opt">Resolved</th>
                  <th scope="col" class="num opt">Excluded</th>
                  <th scope="col" class="opt">Trend</th>
                </tr>
              </thead>
              <tbody>
                ${shown.map(
                  (r) =>
                    html`<tr>
                      <th scope="row">
                        <a href=${ruleHref(r)}>${r.title}</a>
                        <div class="sub">
                          <span class="code">${r.ruleId}</span> · ${humanize(r.entity)} · ${r.source}
                        </div>
                      </th>
                      <td><${Badge} kind=${r.severity} /></td>
                      <td><${Badge} kind=${r.status} /></td>
                      <td class="num">
                        <strong>${fmtNum(r.failed)}</strong> <span class="sub">/ ${fmtNum(r.checked)}</span>
                      </td>
                      <td class="num">${fmtNum(r.new)}</td>
                      <td class="num opt">${fmtNum(r.persisting)}</td>
                      <td class="num opt">${fmtNum(r.resolved)}</td>
                      <td class="num opt">${fmtNum(r.excluded)}</td>
                      <td>
                        <${Sparkline} values=${r.trend} label=${`Failing records of ${r.ruleId} per run`} />
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
  <//>`;
}

/** A tiny chart.js line of a rule's failing count per run. */
function Sparkline({ values, label }) {
  if (!values || values.length < 2)
    return html`<span class="sub">${values?.length ? fmtNum(values[0]) : '—'}</span>`;
  return html`<div class="spark">
    <${Chart}
      type="line"
      height=${28}
      label=${`${label}: ${values.join(', ')}`}
      data=${{
        labels: values.map((_, i) => i + 1),
        datasets: [
          { data: values, borderColor: chartColors.slate, borderWidth: 1.5, pointRadius: 0, tension: 0.3 },
        ],
      }}
      options=${{
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
        events: [],
      }}
    />
  </div>`;
}

function Schools({ schools, onPick }) {
  const sorted = [...schools].sort((a, b) => (a.score ?? 101) - (b.score ?? 101));
  return html`<${Card} title="Schools" id="schools">
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">School</th>
            <th scope="col" class="num">Score</th>
            <th scope="col" class="num">Fatal</th>
            <th scope="col" class="num">Errors</th>
            <th scope="col" class="num">Warnings</th>
          </tr>
        </thead>
        <tbody>
          ${sorted.map(
            (x) =>
              html`<tr>
                <th scope="row">
                  <a
                    href=${`?schoolId=${encodeURIComponent(x.schoolId)}`}
                    onClick=${(e) => {
                      e.preventDefault();
                      onPick(x.schoolId);
                    }}
                    >${x.name || x.schoolId}</a
                  >${' '}<span class="sub">${x.schoolId}</span>
                </th>
                <td class="num">
                  <span class=${`score-chip ${scoreClass(x.score)}`}>${fmtScore(x.score)}</span>
                </td>
                <td class="num">${fmtNum(x.fatal)}</td>
                <td class="num">${fmtNum(x.error)}</td>
                <td class="num">${fmtNum(x.warning)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  <//>`;
}

function DigestOptIn() {
  const [enabled, setEnabled] = useState(null);
  const [msg, setMsg] = useState('');
  useEffect(() => {
    api('/api/me/digest')
      .then((d) => setEnabled(!!d.enabled))
      .catch(() => setEnabled(null));
  }, []);
  if (enabled === null) return null;
  const change = async (e) => {
    const next = e.target.checked;
    try {
      const d = await api('/api/me/digest', { method: 'PATCH', body: { enabled: next } });
      setEnabled(!!d.enabled);
      setMsg(
        d.enabled ? 'You will receive the nightly digest.' : 'You will no longer receive the nightly digest.',
      );
    } catch (err) {
      setMsg(`Could not change the digest: ${err.message}`);
    }
  };
  return html`<div class="digest">
    <label class="checkbox"
      ><input type="checkbox" checked=${enabled} onChange=${change} /> E-mail me the nightly digest</label
    >
    <span class="sub" aria-live="polite">${msg}</span>
  </div>`;
}
