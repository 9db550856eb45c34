// Failing records: a rule's drill-down (prescription, trend, distribution) and the exceptions list with
// filters, sorting, paging, CSV export and exclusion with a reason.
import {
  api,
  Badge,
  Card,
  Chart,
  chartColors,
  countAxis,
  Empty,
  ErrorBox,
  Field,
  fmtDate,
  fmtNum,
  fmtValue,
  html,
  humanize,
  isAdmin,
  Loading,
  navigate,
  Notice,
  Pager,
  qs,
  runLabels,
  Select,
  SortHeader,
  useApi,
  useState,
} from '/assets/lib.js';

/** The list's filters and paging, all kept in the page's query string so links and Back work. */
const FILTER_KEYS = [
  'runId',
  'side',
  'ruleId',
  'schoolId',
  'grade',
  'severity',
  'state',
  'excluded',
  'q',
  'sort',
  'order',
];

function pick(query, keys) {
  const out = {};
  for (const k of keys) if (query[k] !== undefined && query[k] !== '') out[k] = query[k];
  return out;
}

export function RecordsPage({ me, params, query }) {
  const { districtId } = params;
  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>Failing records</h1>
        <p class="lede">
          Every record that fails a
          rule${me.role === 'school_user' ? ' at your schools' : me.role === 'program_user' ? ' in your programs' : ''},
          with the values that fail it. Fix them in the SIS; the next run shows them resolved.
        </p>
      </div>
    </div>
    <${ExceptionsList} me=${me} districtId=${districtId} query=${query} />
  </div>`;
}

export function RulePage({ me, params, query }) {
  const { districtId, ruleId } = params;
  const scope = pick(query, ['runId', 'side']);
  const rule = useApi(`/api/districts/${districtId}/scorecard/rules/${encodeURIComponent(ruleId)}`, scope);
  const [by, setBy] = useState('school');
  const dist = useApi(
    `/api/districts/${districtId}/scorecard/rules/${encodeURIComponent(ruleId)}/distribution`,
    {
      ...scope,
      by,
    },
  );
  const r = rule.data;
  return html`<div class="page">
    <p class="crumbs">
      <a href=${`/districts/${districtId}/scorecard${qs({ ...scope, schoolId: query.schoolId })}`}
        >Scorecard</a
      >${' ›'}
    </p>
    ${rule.loading && !r ? html`<${Loading} />` : null}
    <${ErrorBox} error=${rule.error} what="Rule" />
    ${
      r
        ? html`<div class="page-head">
              <div>
                <h1>${r.title} <${Badge} kind=${r.severity} /> <${Badge} kind=${r.status} /></h1>
                <p class="meta">
                  <span class="code">${r.ruleId}</span>
                  <span>${humanize(r.entity)} records</span>
                  <span>${r.source}</span>
                  ${r.checkKind || r['check kind'] ? html`<span>${humanize(r.checkKind || r['check kind'])} check</span>` : null}
                </p>
              </div>
            </div>
            <div class="stats">
              <div class="stat stat-error">
                <span class="stat-value">${fmtNum(r.failed)}</span><span class="stat-label">failing</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(r.checked)}</span><span class="stat-label">checked</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(r.new)}</span><span class="stat-label">new</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(r.persisting)}</span
                ><span class="stat-label">persisting</span>
              </div>
              <div class="stat stat-good">
                <span class="stat-value">${fmtNum(r.resolved)}</span><span class="stat-label">resolved</span>
              </div>
              <div class="stat">
                <span class="stat-value">${fmtNum(r.excluded)}</span><span class="stat-label">excluded</span>
              </div>
            </div>
            <${Card} title="How to fix it">
              ${r.description ? html`<p>${r.description}</p>` : null}
              <div class="prescription"><p>${r.prescription}</p></div>
              ${
                r.needs?.length
                  ? html`<p class="sub">
                      Looks at ${r.needs.map((n) => html`<span class="code">${n}</span> `)}
                    </p>`
                  : null
              }
            <//>
            <div class="grid-2">
              <${Card} title="Failing records per run">
                ${
                  (r.trend || []).length === 0
                    ? html`<${Empty}>No history yet.<//>`
                    : html`<${Chart}
                        type="bar"
                        label=${`Failing records per run: ${runLabels(r.trend)
                          .map((l, i) => `${l} ${r.trend[i].failed}`)
                          .join(', ')}`}
                        data=${{
                          labels: runLabels(r.trend),
                          datasets: [
                            {
                              label: 'Failing',
                              data: r.trend.map((t) => t.failed),
                              backgroundColor: chartColors.red,
                            },
                          ],
                        }}
                        options=${{ scales: { y: countAxis } }}
                      />`
                }
              <//>
              <${Card}
                title="Where they are"
                actions=${html`<${Select}
                  id="dist-by"
                  label="Group by"
                  value=${by}
                  onChange=${setBy}
                  options=${[
                    ['school', 'School'],
                    ['grade', 'Grade'],
                    ['value', 'Offending value'],
                  ]}
                />`}
              >
                <${ErrorBox} error=${dist.error} what="Distribution" />
                ${dist.data && dist.data.buckets.length === 0 ? html`<${Empty}>Nothing to group.<//>` : null}
                ${
                  dist.data && dist.data.buckets.length > 0
                    ? html`<${Chart}
                        type="bar"
                        label=${`Failing records by ${by}: ${dist.data.buckets.map((b) => `${b.label || b.key} ${b.count}`).join(', ')}`}
                        height=${Math.max(160, 50 + Math.min(dist.data.buckets.length, 15) * 26)}
                        data=${{
                          labels: dist.data.buckets.slice(0, 15).map((b) => b.label || b.key || '(empty)'),
                          datasets: [
                            {
                              label: 'Failing',
                              data: dist.data.buckets.slice(0, 15).map((b) => b.count),
                              backgroundColor: chartColors.blue,
                            },
                          ],
                        }}
                        options=${{ indexAxis: 'y', scales: { x: countAxis } }}
                      />`
                    : null
                }
              <//>
            </div>`
        : null
    }
    <${ExceptionsList} me=${me} districtId=${districtId} query=${{ ...query, ruleId }} fixedRule=${ruleId} />
  </div>`;
}

function ExceptionsList({ me, districtId, query, fixedRule }) {
  const filters = pick(query, FILTER_KEYS);
  const page = Number(query.page || 1);
  const pageSize = Number(query.pageSize || 50);
  const list = useApi(`/api/districts/${districtId}/exceptions`, { ...filters, page, pageSize });
  const card = useApi(`/api/districts/${districtId}/scorecard`, pick(query, ['runId', 'side']));
  const proposals = useApi(`/api/districts/${districtId}/exclusions`, { status: 'proposed' });
  const proposed = new Set((proposals.data?.items || []).map((e) => `${e.ruleId}|${e.fingerprint}`));
  const [notice, setNotice] = useState(null);
  const [excluding, setExcluding] = useState(null);
  const setQuery = (q) => {
    const next = { ...query, ...q };
    if (fixedRule) delete next.ruleId;
    navigate(`${location.pathname}${qs(next)}`, { replace: true });
  };
  const sort = filters.sort || 'severity';
  const order = filters.order || 'asc';
  const onSort = (field, o) => setQuery({ sort: field, order: o, page: undefined });
  // The CSV is exactly the list on screen: the same filters and the same order.
  const csv = `/api/districts/${districtId}/exceptions.csv${qs({ ...filters, sort, order })}`;
  const schools = card.data?.schools || [];
  const rules = (card.data?.rules || []).filter((r) => r.failed > 0);
  const items = list.data?.items || [];

  return html`<${Card}
    title=${list.data ? `Records · ${fmtNum(list.data.total)}` : 'Records'}
    id="records"
    actions=${html`<a class="btn btn-small" href=${csv} download>Export CSV</a>`}
  >
    <form
      class="filters"
      role="search"
      aria-label="Filter records"
      onSubmit=${(e) => {
        e.preventDefault();
        setQuery({ q: new FormData(e.target).get('q') || undefined, page: undefined });
      }}
    >
      ${
        !fixedRule
          ? html`<${Select}
              id="f-rule"
              label="Rule"
              value=${filters.ruleId || ''}
              onChange=${(v) => setQuery({ ruleId: v || undefined, page: undefined })}
              options=${[['', 'All rules'], ...rules.map((r) => [r.ruleId, `${r.ruleId} · ${r.title}`.slice(0, 70)])]}
            />`
          : null
      }
      ${
        schools.length > 1
          ? html`<${Select}
              id="f-school"
              label="School"
              value=${filters.schoolId || ''}
              onChange=${(v) => setQuery({ schoolId: v || undefined, page: undefined })}
              options=${[['', 'All schools'], ...schools.map((s) => [s.schoolId, s.name || s.schoolId])]}
            />`
          : null
      }
      <${Field} label="Grade" id="f-grade">
        <input
          id="f-grade"
          class="input-short"
          value=${filters.grade || ''}
          onChange=${(e) => setQuery({ grade: e.target.value.trim() || undefined, page: undefined })}
        />
      <//>
      <${Select}
        id="f-severity"
        label="Severity"
        value=${filters.severity || ''}
        onChange=${(v) => setQuery({ severity: v || undefined, page: undefined })}
        options=${[
          ['', 'Any'],
          ['fatal', 'Fatal'],
          ['error', 'Error'],
          ['warning', 'Warning'],
        ]}
      />
      <${Select}
        id="f-state"
        label="Since last run"
        value=${filters.state || ''}
        onChange=${(v) => setQuery({ state: v || undefined, page: undefined })}
        options=${[
          ['', 'New and persisting'],
          ['new', 'New only'],
          ['persisting', 'Persisting only'],
        ]}
      />
      <${Select}
        id="f-excluded"
        label="Excluded records"
        value=${filters.excluded || 'exclude'}
        onChange=${(v) => setQuery({ excluded: v === 'exclude' ? undefined : v, page: undefined })}
        options=${[
          ['exclude', 'Hide'],
          ['include', 'Show too'],
          ['only', 'Only excluded'],
        ]}
      />
      <${Field} label="Student name or id" id="f-q">
        <input id="f-q" name="q" type="search" value=${filters.q || ''} />
      <//>
      <button type="submit" class="btn">Search</button>
    </form>
    <div aria-live="polite"><${Notice} notice=${notice} onClose=${() => setNotice(null)} /></div>
    ${list.loading && !list.data ? html`<${Loading} label="Loading records…" />` : null}
    <${ErrorBox} error=${list.error} what="Records" />
    ${list.data && items.length === 0 ? html`<${Empty}>No failing records match these filters.<//>` : null}
    ${
      items.length > 0
        ? html`<div class="table-wrap">
              <table class="records">
                <thead>
                  <tr>
                    <${SortHeader}
                      label="Student"
                      field="student"
                      sort=${sort}
                      order=${order}
                      onSort=${onSort}
                    />
                    <${SortHeader}
                      label="School"
                      field="school"
                      sort=${sort}
                      order=${order}
                      onSort=${onSort}
                    />
                    <${SortHeader} label="Grade" field="grade" sort=${sort} order=${order} onSort=${onSort} />
                    ${!fixedRule ? html`<${SortHeader} label="Rule" field="rule" sort=${sort} order=${order} onSort=${onSort} />` : null}
                    <${SortHeader}
                      label="Severity"
                      field="severity"
                      sort=${sort}
                      order=${order}
                      onSort=${onSort}
                    />
                    <th scope="col">Offending values</th>
                    <th scope="col">Exclusion</th>
                  </tr>
                </thead>
                <tbody>
                  ${items.map(
                    (x) =>
                      html`<tr class=${x.excluded ? 'row-excluded' : ''}>
                          <th scope="row">
                            ${
                              x.student
                                ? html`${x.student.lastName}, ${x.student.firstName}
                                    <div class="sub">${studentIds(x.student)}</div>`
                                : html`<span class="sub">${humanize(x.entity)}</span>${' '}<span class="code"
                                      >${x.sourceKey}</span
                                    >`
                            }
                          </th>
                          <td>
                            ${
                              x.school
                                ? html`${x.school.name || x.school.schoolId}
                                    <div class="sub">${x.school.schoolId}</div>`
                                : '—'
                            }
                          </td>
                          <td>${x.student?.grade || '—'}</td>
                          ${
                            !fixedRule
                              ? html`<td>
                                  <a
                                    href=${`/districts/${districtId}/rules/${encodeURIComponent(x.ruleId)}${qs(pick(query, ['runId', 'side']))}`}
                                    >${x.ruleTitle}</a
                                  >
                                  <div class="sub"><span class="code">${x.ruleId}</span></div>
                                  <details>
                                    <summary>How to fix</summary>
                                    <p class="sub">${x.prescription}</p>
                                  </details>
                                </td>`
                              : null
                          }
                          <td>
                            <${Badge} kind=${x.severity} />
                            <div><${Badge} kind=${x.state} /></div>
                          </td>
                          <td>
                            <ul class="values">
                              ${Object.entries(x.values || {}).map(
                                ([k, v]) => html`<li><span class="k">${k}</span> ${fmtValue(v)}</li>`,
                              )}
                            </ul>
                          </td>
                          <td>
                            ${
                              x.excluded
                                ? html`<${Badge} kind="excluded">Excluded<//> ${
                                      x.exclusion
                                        ? html`<div class="sub exclusion-note">
                                            ${x.exclusion.reason}
                                            <div>${exclusionBy(x.exclusion)}</div>
                                          </div>`
                                        : null
                                    }`
                                : proposed.has(`${x.ruleId}|${x.fingerprint}`)
                                  ? html`<${Badge} kind="proposed">Exclusion proposed<//>`
                                  : html`<button
                                      type="button"
                                      class="btn btn-small"
                                      aria-expanded=${excluding === x.id ? 'true' : 'false'}
                                      onClick=${() => setExcluding(excluding === x.id ? null : x.id)}
                                    >
                                      Exclude<span class="sr-only">
                                        ${x.student ? `${x.student.firstName} ${x.student.lastName}` : x.sourceKey}</span
                                      >
                                    </button>`
                            }
                          </td>
                        </tr>
                        ${
                          excluding === x.id
                            ? html`<tr class="exclude-row">
                                <td colspan=${fixedRule ? 6 : 7}>
                                  <${ExcludeForm}
                                    me=${me}
                                    districtId=${districtId}
                                    item=${x}
                                    onCancel=${() => setExcluding(null)}
                                    onDone=${(ex) => {
                                      setExcluding(null);
                                      setNotice({
                                        kind: 'success',
                                        text:
                                          ex.status === 'active'
                                            ? 'Record excluded. It no longer counts against the score.'
                                            : 'Exclusion proposed. A district administrator will approve or reject it.',
                                      });
                                      list.reload();
                                      proposals.reload();
                                    }}
                                  />
                                </td>
                              </tr>`
                            : null
                        }`,
                  )}
                </tbody>
              </table>
            </div>
            <${Pager}
              page=${page}
              pageSize=${list.data.pageSize}
              total=${list.data.total}
              onPage=${(p) => setQuery({ page: p })}
            />`
        : null
    }
  <//>`;
}

const exclusionBy = (ex) =>
  `by ${ex.createdByEmail} · ${ex.expiresAt ? `until ${fmtDate(ex.expiresAt)}` : 'no expiry'}`;

const studentIds = (st) => `ID ${st.studentId}${st.stateStudentId ? ` · SSID ${st.stateStudentId}` : ''}`;

function ExcludeForm({ me, districtId, item, onCancel, onDone }) {
  const [reason, setReason] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = `ex-${item.id}`;
  const submit = async (e) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Say why this record is not an error.');
      return;
    }
    setBusy(true);
    try {
      const body = { fingerprint: item.fingerprint, ruleId: item.ruleId, reason: reason.trim() };
      if (expiresAt) body.expiresAt = new Date(`${expiresAt}T23:59:59`).toISOString();
      onDone(await api(`/api/districts/${districtId}/exclusions`, { method: 'POST', body }));
    } catch (err) {
      setError(`Could not exclude the record: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="exclude-panel" onSubmit=${submit} aria-label="Exclude this record">
    <p class="sub">
      ${
        isAdmin(me)
          ? 'The record stops counting against the score; it stays visible under “Excluded records”.'
          : 'Your exclusion is proposed; a district administrator approves or rejects it.'
      }
    </p>
    <div class="form-grid">
      <${Field} label="Reason" id=${`${id}-reason`}>
        <textarea
          id=${`${id}-reason`}
          required
          value=${reason}
          onInput=${(e) => setReason(e.target.value)}
        ></textarea>
      <//>
      <${Field} label="Expires on (optional)" id=${`${id}-expires`}>
        <input
          id=${`${id}-expires`}
          type="date"
          value=${expiresAt}
          onInput=${(e) => setExpiresAt(e.target.value)}
        />
      <//>
    </div>
    ${error ? html`<div class="alert alert-error" role="alert">${error}</div>` : null}
    <div class="actions">
      <button type="submit" class="btn btn-primary" disabled=${busy}>
        ${isAdmin(me) ? 'Exclude record' : 'Propose exclusion'}
      </button>
      <button type="button" class="btn btn-quiet" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}
