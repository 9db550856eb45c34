// Validation runs: the list, a button to start one, and live progress while a run is under way.
import {
  api,
  Badge,
  Card,
  Empty,
  ErrorBox,
  Field,
  fmtDate,
  fmtDay,
  fmtDuration,
  html,
  humanize,
  isAdmin,
  Loading,
  Notice,
  useApi,
  useEffect,
  useInterval,
  useState,
} from '/assets/lib.js';

const FINAL = ['done', 'failed', 'skipped', 'cancelled'];
export const isActive = (run) => run && !FINAL.includes(run.status);

function duration(run) {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? new Date(run.finishedAt) : new Date();
  return (end.getTime() - new Date(run.startedAt).getTime()) / 1000;
}

export function Progress({ run }) {
  const pct = Math.max(0, Math.min(100, Math.round(Number(run.percent) || 0)));
  return html`<div class="progress-block">
    <div
      class="progress"
      role="progressbar"
      aria-label="Run progress"
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${pct}
      aria-valuetext=${`${pct}%: ${run.message || run.phase || run.status}`}
    >
      <div class=${`progress-bar ${run.status === 'failed' ? 'bar-bad' : ''}`} style=${`width:${pct}%`}></div>
    </div>
    <div class="progress-text">${pct}% · ${run.message || humanize(run.phase || run.status)}</div>
  </div>`;
}

function StartRun({ districtId, onStarted }) {
  const [kind, setKind] = useState('manual');
  const [asOf, setAsOf] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const start = async (e) => {
    e.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      const run = await api(`/api/districts/${districtId}/runs`, {
        method: 'POST',
        body: asOf ? { kind, asOf } : { kind },
      });
      setNotice({ kind: 'success', text: 'Run started.' });
      onStarted(run);
    } catch (err) {
      setNotice({ kind: 'error', text: `The run could not start: ${err.message}` });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="inline-form" onSubmit=${start} aria-label="Start a run">
    <${Field} label="Kind" id="run-kind">
      <select id="run-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="manual">Validation run</option>
        <option value="trial">Trial (new SIS test copy)</option>
      </select>
    <//>
    <${Field} label="As of (optional)" id="run-asof">
      <input id="run-asof" type="date" value=${asOf} onInput=${(e) => setAsOf(e.target.value)} />
    <//>
    <button type="submit" class="btn btn-primary" disabled=${busy}>
      ${busy ? 'Starting…' : 'Start a run'}
    </button>
    <${Notice} notice=${notice} />
  </form>`;
}

export function RunsPage({ me, params }) {
  const { districtId } = params;
  const [page, setPage] = useState(1);
  const runs = useApi(`/api/districts/${districtId}/runs`, { page });
  const items = runs.data?.items || [];
  const active = items.filter(isActive);
  useInterval(() => runs.reload(), 2000, active.length > 0);

  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>Runs</h1>
        <p class="lede">
          Each run extracts the SIS data, checks every rule and, during a migration, compares old and new.
        </p>
      </div>
    </div>
    ${isAdmin(me) ? html`<${Card} title="Start a run"><${StartRun} districtId=${districtId} onStarted=${() => runs.reload()} /><//>` : null}
    <div aria-live="polite" class="live">
      ${active.map(
        (r) =>
          html`<${Card} title=${`Run in progress · ${humanize(r.kind)}`} className="card-active">
            <${Progress} run=${r} />
            <p><a href=${`/districts/${districtId}/runs/${r.id}`}>Follow this run</a></p>
          <//>`,
      )}
    </div>
    <${Card} title="All runs">
      ${runs.loading && !runs.data ? html`<${Loading} />` : null}
      <${ErrorBox} error=${runs.error} what="Runs" />
      ${runs.data && items.length === 0 ? html`<${Empty}>No runs yet.<//>` : null}
      ${
        items.length > 0
          ? html`<div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Kind</th>
                      <th scope="col">As of</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">Duration</th>
                      <th scope="col">Trigger</th>
                      <th scope="col"><span class="sr-only">Links</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (r) =>
                        html`<tr>
                          <th scope="row">
                            <a href=${`/districts/${districtId}/runs/${r.id}`}
                              >${fmtDate(r.startedAt || r.createdAt)}</a
                            >
                          </th>
                          <td>${humanize(r.kind)}</td>
                          <td>${fmtDay(r.asOf)}</td>
                          <td>
                            <${Badge} kind=${r.status} />
                            ${isActive(r) ? html` <span class="sub">${Math.round(r.percent)}%</span>` : null}
                            ${r.skipReason ? html`<div class="sub">${r.skipReason}</div>` : null}
                            ${r.error ? html`<div class="sub text-bad">${r.error}</div>` : null}
                          </td>
                          <td class="num">${fmtDuration(duration(r))}</td>
                          <td>${humanize(r.trigger?.kind || '')}</td>
                          <td>
                            ${
                              r.links?.old && r.links?.new && r.status === 'done'
                                ? html`<a href=${`/districts/${districtId}/runs/${r.id}/comparison`}
                                    >Comparison</a
                                  >`
                                : null
                            }
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
              <nav class="pager" aria-label="Pages of runs">
                <button
                  type="button"
                  class="btn btn-quiet"
                  disabled=${page <= 1}
                  onClick=${() => setPage(page - 1)}
                >
                  ← Newer
                </button>
                <span class="pager-page">Page ${page}</span>
                <button
                  type="button"
                  class="btn btn-quiet"
                  disabled=${items.length < runs.data.pageSize}
                  onClick=${() => setPage(page + 1)}
                >
                  Older →
                </button>
              </nav>`
          : null
      }
    <//>
  </div>`;
}

export function RunPage({ me, params }) {
  const { districtId, runId } = params;
  const [run, setRun] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const load = () =>
    api(`/api/districts/${districtId}/runs/${runId}`)
      .then((r) => {
        setRun(r);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, [runId]);
  useInterval(load, 1500, isActive(run));

  const cancel = async () => {
    try {
      await api(`/api/districts/${districtId}/runs/${runId}/cancel`, { method: 'POST' });
      setNotice({ kind: 'info', text: 'Cancellation requested.' });
      void load();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not cancel: ${err.message}` });
    }
  };

  return html`<div class="page">
    <p class="crumbs"><a href=${`/districts/${districtId}/runs`}>Runs</a> ›</p>
    <div class="page-head">
      <div>
        <h1>Run ${run ? html`<${Badge} kind=${run.status} />` : null}</h1>
        ${run ? html`<p class="lede">${humanize(run.kind)} run as of ${fmtDay(run.asOf)}, school year ${run.schoolYear}</p>` : null}
      </div>
      ${
        run && isActive(run) && isAdmin(me)
          ? html`<button
              type="button"
              class="btn btn-danger"
              onClick=${cancel}
              disabled=${run.cancelRequested}
            >
              ${run.cancelRequested ? 'Cancelling…' : 'Cancel run'}
            </button>`
          : null
      }
    </div>
    <${ErrorBox} error=${error} what="Run" />
    <${Notice} notice=${notice} />
    ${!run && !error ? html`<${Loading} />` : null}
    ${
      run
        ? html`<${Card} title="Progress">
              <div aria-live="polite"><${Progress} run=${run} /></div>
              ${run.skipReason ? html`<p class="alert alert-warn">Skipped: ${run.skipReason}</p>` : null}
              ${run.error ? html`<p class="alert alert-error">${run.error}</p>` : null}
              <dl class="facts">
                <div>
                  <dt>Created</dt>
                  <dd>${fmtDate(run.createdAt)}</dd>
                </div>
                <div>
                  <dt>Started</dt>
                  <dd>${fmtDate(run.startedAt)}</dd>
                </div>
                <div>
                  <dt>Finished</dt>
                  <dd>${fmtDate(run.finishedAt)}</dd>
                </div>
                <div>
                  <dt>Duration</dt>
                  <dd>${fmtDuration(duration(run))}</dd>
                </div>
                <div>
                  <dt>Attempts</dt>
                  <dd>${run.attempts}</dd>
                </div>
              </dl>
            <//>
            <${Card} title="Steps">
              ${
                (run.steps || []).length === 0
                  ? html`<${Empty}>No step has finished yet.<//>`
                  : html`<ol class="steps">
                      ${run.steps.map(
                        (s) =>
                          html`<li>
                            <span>${humanize(s.step)} · ${s.target}</span> <${Badge} kind=${s.status} />
                          </li>`,
                      )}
                    </ol>`
              }
              ${
                run.status === 'done'
                  ? html`<p class="actions">
                      <a class="btn" href=${`/districts/${districtId}/scorecard?runId=${run.id}`}
                        >Scorecard of this run</a
                      >
                      ${
                        run.links?.old && run.links?.new
                          ? html`<a class="btn" href=${`/districts/${districtId}/runs/${run.id}/comparison`}
                              >Migration comparison</a
                            >`
                          : null
                      }
                    </p>`
                  : null
              }
            <//>`
        : null
    }
  </div>`;
}
