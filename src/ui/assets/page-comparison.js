// The migration comparison of a run: entity counts, per-school readiness, record differences with old and
// new values, reference warnings and the rule delta (with rule titles and the records behind each count).
import {
  Badge,
  Card,
  Chart,
  chartColors,
  Empty,
  ErrorBox,
  fmtDate,
  fmtNum,
  fmtValue,
  html,
  humanize,
  Loading,
  navigate,
  Pager,
  qs,
  Select,
  useApi,
  useEffect,
} from '/assets/lib.js';

const TABS = [
  ['overview', 'Overview'],
  ['schools', 'School readiness'],
  ['differences', 'Differences'],
  ['warnings', 'Reference warnings'],
  ['rules', 'Rule delta'],
];

/** /districts/:id/comparison: the latest run that compared an old and a new SIS. */
export function LatestComparison({ params }) {
  const { districtId } = params;
  const runs = useApi(`/api/districts/${districtId}/runs`);
  const latest = (runs.data?.items || []).find((r) => r.status === 'done' && r.links?.old && r.links?.new);
  useEffect(() => {
    if (latest) navigate(`/districts/${districtId}/runs/${latest.id}/comparison`, { replace: true });
  }, [latest?.id]);
  return html`<div class="page">
    <h1>Migration comparison</h1>
    ${runs.loading ? html`<${Loading} />` : null}
    <${ErrorBox} error=${runs.error} what="Runs" />
    ${
      runs.data && !latest
        ? html`<${Card}>
            <${Empty}>
              No run has compared an old and a new SIS yet. A run compares them when the district has both an
              old and a new link. <a href=${`/districts/${districtId}/runs`}>Go to runs</a>
            <//>
          <//>`
        : null
    }
  </div>`;
}

export function ComparisonPage({ params, query }) {
  const { districtId, runId } = params;
  const tab = TABS.some(([k]) => k === query.tab) ? query.tab : 'overview';
  const base = `/api/districts/${districtId}/runs/${runId}/comparison`;
  const report = useApi(base);
  const setQuery = (q) => navigate(`${location.pathname}${qs({ ...query, ...q })}`, { replace: true });
  const c = report.data?.comparison;
  const counts = {
    differences: c?.differencesTotal,
    warnings: c?.warningsTotal,
  };
  const student = report.data?.entities.find((e) => e.entity === 'student');

  return html`<div class="page">
    <p class="crumbs">
      <a href=${`/districts/${districtId}/runs`}>Runs</a>${' › '}<a
        href=${`/districts/${districtId}/runs/${runId}`}
        >Run</a
      >${' ›'}
    </p>
    <div class="page-head">
      <div>
        <h1>Migration comparison ${c?.isTrial ? html`<${Badge} kind="pending">Trial<//>` : null}</h1>
        <p class="lede">
          The old SIS against the new one, record by record, after mapping old ids to new ones.
          ${c ? html` Compared ${fmtDate(c.createdAt)}.` : null}
        </p>
      </div>
    </div>
    ${report.loading ? html`<${Loading} />` : null}
    <${ErrorBox} error=${report.error} what="Comparison" />
    ${
      report.data
        ? html`<div class="stats">
              <div class="stat">
                <span class="stat-value">${student ? fmtNum(student.matched) : '—'}</span>
                <span class="stat-label">students matched</span>
              </div>
              <div class=${`stat ${student?.onlyInOld ? 'stat-bad' : ''}`}>
                <span class="stat-value">${student ? fmtNum(student.onlyInOld) : '—'}</span>
                <span class="stat-label">students missing in the new SIS</span>
              </div>
              <div class=${`stat ${student?.onlyInNew ? 'stat-warning' : ''}`}>
                <span class="stat-value">${student ? fmtNum(student.onlyInNew) : '—'}</span>
                <span class="stat-label">students only in the new SIS</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(c.differencesTotal)}</span>
                <span class="stat-label">differences</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(c.warningsTotal)}</span>
                <span class="stat-label">reference warnings</span>
              </div>
            </div>
            <div class="segmented" role="tablist" aria-label="Comparison views">
              ${TABS.map(
                ([k, label]) =>
                  html`<button
                    type="button"
                    role="tab"
                    id=${`tab-${k}`}
                    aria-selected=${tab === k ? 'true' : 'false'}
                    aria-controls="comparison-panel"
                    onClick=${() => setQuery({ tab: k, page: undefined })}
                  >
                    ${label}${counts[k] !== undefined ? html`<span class="count">${fmtNum(counts[k])}</span>` : null}
                  </button>`,
              )}
            </div>
            <div id="comparison-panel" role="tabpanel" aria-labelledby=${`tab-${tab}`}>
              ${
                tab === 'overview'
                  ? html`<${Overview}
                      report=${report.data}
                      onShow=${(q) => setQuery({ tab: 'differences', ...q })}
                    />`
                  : null
              }
              ${tab === 'schools' ? html`<${Schools} schools=${report.data.schools} />` : null}
              ${
                tab === 'differences'
                  ? html`<${Differences}
                      base=${base}
                      query=${query}
                      setQuery=${setQuery}
                      entities=${report.data.entities}
                    />`
                  : null
              }
              ${tab === 'warnings' ? html`<${Warnings} base=${base} query=${query} setQuery=${setQuery} />` : null}
              ${tab === 'rules' ? html`<${RuleDelta} base=${base} districtId=${districtId} runId=${runId} />` : null}
            </div>`
        : null
    }
  </div>`;
}

function Overview({ report, onShow }) {
  return html`<${Card} title="Records by entity">
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col" class="num">Old SIS</th>
            <th scope="col" class="num">New SIS</th>
            <th scope="col" class="num">Matched</th>
            <th scope="col" class="num">Missing in new</th>
            <th scope="col" class="num">Missing in old</th>
            <th scope="col" class="num">Records with differences</th>
            <th scope="col">Fields that differ</th>
          </tr>
        </thead>
        <tbody>
          ${report.entities.map(
            (e) =>
              html`<tr>
                <th scope="row">${humanize(e.entity)}</th>
                <td class="num">${fmtNum(e.oldCount)}</td>
                <td class="num">${fmtNum(e.newCount)}</td>
                <td class="num">${fmtNum(e.matched)}</td>
                <td class="num">
                  ${
                    e.onlyInOld
                      ? html`<button
                          type="button"
                          class="btn btn-quiet btn-small"
                          onClick=${() => onShow({ entity: e.entity, kind: 'missing_in_new', field: undefined })}
                          aria-label=${`${e.onlyInOld} ${e.entity} records missing in the new SIS: show them`}
                        >
                          ${fmtNum(e.onlyInOld)}
                        </button>`
                      : '0'
                  }
                </td>
                <td class="num">
                  ${
                    e.onlyInNew
                      ? html`<button
                          type="button"
                          class="btn btn-quiet btn-small"
                          onClick=${() => onShow({ entity: e.entity, kind: 'missing_in_old', field: undefined })}
                          aria-label=${`${e.onlyInNew} ${e.entity} records missing in the old SIS: show them`}
                        >
                          ${fmtNum(e.onlyInNew)}
                        </button>`
                      : '0'
                  }
                </td>
                <td class="num">${fmtNum(e.recordsWithDifferences)}</td>
                <td>
                  ${
                    Object.entries(e.byField).length === 0
                      ? '—'
                      : Object.entries(e.byField).map(
                          ([f, n]) =>
                            html`<button
                              type="button"
                              class="btn btn-quiet btn-small"
                              onClick=${() => onShow({ entity: e.entity, kind: 'field', field: f })}
                            >
                              ${f} <span class="sub">${n}</span>
                            </button> `,
                        )
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      report.warnings?.first?.length
        ? html`<h3>First reference warnings</h3>
            <ul class="plain">
              ${report.warnings.first
                .slice(0, 5)
                .map(
                  (w) =>
                    html`<li>
                      <span class="sub">${humanize(w.entity)}</span>${' '}<span class="code"
                        >${w.oldSourceKey ?? w.refId}</span
                      >: ${w.message}
                    </li>`,
                )}
            </ul>
            ${
              report.warnings.total > 5
                ? html`<p class="sub">${fmtNum(report.warnings.total - 5)} more under Reference warnings.</p>`
                : null
            }`
        : null
    }
  <//>`;
}

function readiness(s) {
  if (s.matchedPercent >= 99 && s.introducedErrors === 0 && s.onlyInOld === 0) return ['pass', 'Ready'];
  if (s.matchedPercent >= 95) return ['warning', 'Review'];
  return ['fail', 'Not ready'];
}

function Schools({ schools }) {
  if (schools.length === 0) return html`<${Empty}>No schools in this comparison.<//>`;
  const sorted = [...schools].sort((a, b) => a.matchedPercent - b.matchedPercent);
  return html`<div class="grid-2">
      <${Card} title="Matched records per school">
        <${Chart}
          type="bar"
          label=${`Share of records matched per school: ${sorted.map((s) => `${s.schoolName || s.schoolId} ${s.matchedPercent}%`).join('; ')}`}
          height=${Math.max(180, 60 + sorted.length * 34)}
          data=${{
            labels: sorted.map((s) => s.schoolName || s.schoolId),
            datasets: [
              {
                label: 'Matched %',
                data: sorted.map((s) => s.matchedPercent),
                backgroundColor: sorted.map((s) =>
                  readiness(s)[0] === 'pass'
                    ? chartColors.teal
                    : readiness(s)[0] === 'warning'
                      ? chartColors.amber
                      : chartColors.red,
                ),
              },
            ],
          }}
          options=${{ indexAxis: 'y', scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } } }}
        />
      <//>
      <${Card} title="Readiness">
        <p class="lede">
          A school is ready when at least 99% of its records match, none is missing in the new SIS and the new
          SIS introduces no rule errors.
        </p>
        <ul class="plain">
          ${['pass', 'warning', 'fail'].map((k) => {
            const n = schools.filter((s) => readiness(s)[0] === k).length;
            return html`<li>
              <${Badge} kind=${k}>${{ pass: 'Ready', warning: 'Review', fail: 'Not ready' }[k]}<//
              >${` ${n} ${n === 1 ? 'school' : 'schools'}`}
            </li>`;
          })}
        </ul>
      <//>
    </div>
    <${Card} title="Schools">
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">School</th>
              <th scope="col">Readiness</th>
              <th scope="col" class="num">Old records</th>
              <th scope="col" class="num">New records</th>
              <th scope="col" class="num">Matched</th>
              <th scope="col" class="num">Missing in new</th>
              <th scope="col" class="num">Missing in old</th>
              <th scope="col" class="num">With differences</th>
              <th scope="col" class="num">Introduced errors</th>
              <th scope="col">Matched %</th>
            </tr>
          </thead>
          <tbody>
            ${sorted.map((s) => {
              const [kind, label] = readiness(s);
              return html`<tr>
                <th scope="row">${s.schoolName || s.schoolId} <span class="sub">${s.schoolId}</span></th>
                <td><${Badge} kind=${kind}>${label}<//></td>
                <td class="num">${fmtNum(s.oldRecords)}</td>
                <td class="num">${fmtNum(s.newRecords)}</td>
                <td class="num">${fmtNum(s.matched)}</td>
                <td class="num">${fmtNum(s.onlyInOld)}</td>
                <td class="num">${fmtNum(s.onlyInNew)}</td>
                <td class="num">${fmtNum(s.recordsWithDifferences)}</td>
                <td class="num">${fmtNum(s.introducedErrors)}</td>
                <td>
                  <div class="bar-cell">
                    <div class="bar-track" aria-hidden="true">
                      <div class="bar-fill" style=${`width:${Math.min(100, s.matchedPercent)}%`}></div>
                    </div>
                    <span class="num">${s.matchedPercent.toFixed(1)}%</span>
                  </div>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    <//>`;
}

function keyText(key) {
  return Object.entries(key || {})
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k.replace(/_id$/, '')} ${v}`)
    .join(' · ');
}

function Differences({ base, query, setQuery, entities }) {
  const page = Number(query.page || 1);
  const diffs = useApi(`${base}/differences`, {
    entity: query.entity,
    kind: query.kind,
    field: query.field,
    page,
  });
  const entity = entities.find((e) => e.entity === query.entity);
  const fields = entity
    ? Object.keys(entity.byField)
    : [...new Set(entities.flatMap((e) => Object.keys(e.byField)))];
  return html`<${Card} title="Record differences">
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filter differences">
      <${Select}
        id="diff-entity"
        label="Entity"
        value=${query.entity || ''}
        onChange=${(v) => setQuery({ entity: v || undefined, field: undefined, page: undefined })}
        options=${[['', 'All entities'], ...entities.map((e) => [e.entity, humanize(e.entity)])]}
      />
      <${Select}
        id="diff-kind"
        label="Kind"
        value=${query.kind || ''}
        onChange=${(v) => setQuery({ kind: v || undefined, page: undefined })}
        options=${[
          ['', 'All kinds'],
          ['missing_in_new', 'Missing in new SIS'],
          ['missing_in_old', 'Missing in old SIS'],
          ['field', 'Field differs'],
        ]}
      />
      <${Select}
        id="diff-field"
        label="Field"
        value=${query.field || ''}
        onChange=${(v) => setQuery({ field: v || undefined, page: undefined })}
        options=${[['', 'All fields'], ...fields.map((f) => [f, f])]}
      />
    </form>
    ${diffs.loading && !diffs.data ? html`<${Loading} />` : null}
    <${ErrorBox} error=${diffs.error} what="Differences" />
    ${diffs.data && diffs.data.items.length === 0 ? html`<${Empty}>No differences match these filters.<//>` : null}
    ${
      diffs.data && diffs.data.items.length > 0
        ? html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Entity</th>
                    <th scope="col">Record</th>
                    <th scope="col">School</th>
                    <th scope="col">Field</th>
                    <th scope="col">Old SIS value</th>
                    <th scope="col">New SIS value</th>
                  </tr>
                </thead>
                <tbody>
                  ${diffs.data.items.map(
                    (d) =>
                      html`<tr>
                        <td>
                          <${Badge} kind=${d.kind === 'field' ? 'warning' : 'fail'}>
                            ${{ field: 'Field differs', missing_in_new: 'Missing in new', missing_in_old: 'Missing in old' }[d.kind]}
                          <//>
                        </td>
                        <td>${humanize(d.entity)}</td>
                        <th scope="row">
                          ${keyText(d.key)}
                          <div class="sub code">${d.oldSourceKey || d.newSourceKey}</div>
                        </th>
                        <td>${d.schoolId || '—'}</td>
                        <td>${d.field ? html`<span class="code">${d.field}</span>` : '—'}</td>
                        <td>
                          ${
                            d.kind === 'missing_in_old'
                              ? html`<span class="sub">not in the old SIS</span>`
                              : d.kind === 'field'
                                ? html`<span class="old-value">${fmtValue(d.oldValue)}</span>
                                    ${d.oldRaw !== null && d.oldRaw !== d.oldValue ? html`<div class="sub">raw ${d.oldRaw}</div>` : null}`
                                : html`<span class="sub">present</span>`
                          }
                        </td>
                        <td>
                          ${
                            d.kind === 'missing_in_new'
                              ? html`<span class="sub">not in the new SIS</span>`
                              : d.kind === 'field'
                                ? html`<span class="new-value">${fmtValue(d.newValue)}</span>
                                    ${d.newRaw !== null && d.newRaw !== d.newValue ? html`<div class="sub">raw ${d.newRaw}</div>` : null}`
                                : html`<span class="sub">present</span>`
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            <${Pager}
              page=${page}
              pageSize=${diffs.data.pageSize}
              total=${diffs.data.total}
              onPage=${(p) => setQuery({ page: p })}
              label="differences"
            />`
        : null
    }
  <//>`;
}

function Warnings({ base, query, setQuery }) {
  const page = Number(query.page || 1);
  const warnings = useApi(`${base}/warnings`, { page });
  return html`<${Card} title="Reference warnings">
    <p class="lede">Records of the old SIS that point at something the new SIS does not have.</p>
    ${warnings.loading && !warnings.data ? html`<${Loading} />` : null}
    <${ErrorBox} error=${warnings.error} what="Warnings" />
    ${warnings.data && warnings.data.items.length === 0 ? html`<${Empty}>No reference warnings.<//>` : null}
    ${
      warnings.data && warnings.data.items.length > 0
        ? html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Warning</th>
                    <th scope="col">Record</th>
                    <th scope="col">Points at</th>
                    <th scope="col">Old SIS source</th>
                  </tr>
                </thead>
                <tbody>
                  ${warnings.data.items.map(
                    (w) =>
                      html`<tr>
                        <td>${w.message}</td>
                        <td>${humanize(w.entity)}</td>
                        <td>${humanize(w.refEntity)} <span class="code">${w.refId}</span></td>
                        <td><span class="code">${w.oldSourceKey || '—'}</span></td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            <${Pager}
              page=${page}
              pageSize=${100}
              total=${warnings.data.total}
              onPage=${(p) => setQuery({ page: p })}
              label="warnings"
            />`
        : null
    }
  <//>`;
}

function RuleDelta({ base, districtId, runId }) {
  const delta = useApi(`${base}/rule-delta`);
  const rules = useApi(`/api/districts/${districtId}/rules`);
  const catalogue = new Map();
  for (const link of rules.data || []) for (const r of link.selected || []) catalogue.set(r.id, r);
  const records = (ruleId, side) =>
    `/districts/${districtId}/exceptions${qs({ ruleId, side, runId, excluded: 'include' })}`;
  const items = [...(delta.data?.rules || [])].sort(
    (a, b) => b.onlyInNew - a.onlyInNew || b.onlyInOld - a.onlyInOld,
  );
  return html`<${Card} title="Rule delta">
    <p class="lede">
      For each rule, the failing records only the old SIS has (fixed by the migration), only the new SIS has
      (introduced by it) and both have.
    </p>
    ${delta.loading || rules.loading ? html`<${Loading} />` : null}
    <${ErrorBox} error=${delta.error} what="Rule delta" />
    ${
      delta.data && !delta.data.evaluated
        ? html`<div class="alert alert-warn">
            One side of this run was not evaluated, so there is no rule delta.
          </div>`
        : null
    }
    ${
      delta.data && delta.data.evaluated && items.length === 0
        ? html`<${Empty}
            >Both SIS fail the same rules on the same records: the migration changes nothing here.<//
          >`
        : null
    }
    ${
      items.length > 0
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Severity</th>
                  <th scope="col" class="num">Only in old (fixed)</th>
                  <th scope="col" class="num">Only in new (introduced)</th>
                  <th scope="col" class="num">In both</th>
                </tr>
              </thead>
              <tbody>
                ${items.map((r) => {
                  const rule = catalogue.get(r.ruleId);
                  return html`<tr>
                    <th scope="row">
                      ${rule ? rule.title : r.ruleId}
                      <div class="sub">
                        <span class="code">${r.ruleId}</span>${rule ? ` · ${humanize(rule.entity)}` : ''}
                      </div>
                    </th>
                    <td>${rule ? html`<${Badge} kind=${rule.severity} />` : '—'}</td>
                    <td class="num">
                      ${
                        r.onlyInOld
                          ? html`<a
                              href=${records(r.ruleId, 'old')}
                              aria-label=${`${r.onlyInOld} records failing ${r.ruleId} only in the old SIS`}
                              >${fmtNum(r.onlyInOld)}</a
                            >`
                          : '0'
                      }
                    </td>
                    <td class="num">
                      ${
                        r.onlyInNew
                          ? html`<a
                              class="text-bad"
                              href=${records(r.ruleId, 'new')}
                              aria-label=${`${r.onlyInNew} records failing ${r.ruleId} only in the new SIS`}
                              >${fmtNum(r.onlyInNew)}</a
                            >`
                          : '0'
                      }
                    </td>
                    <td class="num">
                      ${
                        r.inBoth
                          ? html`<a
                              href=${records(r.ruleId, 'new')}
                              aria-label=${`${r.inBoth} records failing ${r.ruleId} in both`}
                              >${fmtNum(r.inBoth)}</a
                            >`
                          : '0'
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>`
        : null
    }
  <//>`;
}
