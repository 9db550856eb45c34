// Link status board: every link's state, uptime (chart.js) and incidents. Alert e-mails link here.
import {
  Badge,
  Card,
  Chart,
  chartColors,
  Empty,
  ErrorBox,
  fmtDate,
  fmtDuration,
  fmtPct,
  html,
  Loading,
  useApi,
  useInterval,
} from '/assets/lib.js';

export function StatusPage({ me }) {
  const board = useApi('/api/status');
  const incidentsPath =
    me.role === 'support'
      ? '/api/incidents'
      : me.role === 'district_admin'
        ? `/api/districts/${me.districtId}/incidents`
        : null;
  const incidents = useApi(incidentsPath, { limit: 50 });
  useInterval(() => {
    board.reload();
    if (incidentsPath) incidents.reload();
  }, 30_000);

  const districts = board.data || [];
  const links = districts.flatMap((d) => d.links.map((l) => ({ ...l, districtName: d.name })));
  const down = links.filter((l) => l.state === 'DOWN').length;

  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>Link status</h1>
        <p class="lede">
          The connection from sis-certify to each district's student information system, probed every minute.
        </p>
      </div>
      <button type="button" class="btn" onClick=${() => board.reload()}>Refresh</button>
    </div>
    ${board.loading && !board.data ? html`<${Loading} />` : null}
    <${ErrorBox} error=${board.error} what="Link status" />
    ${
      board.data
        ? html`<div class="stats" aria-live="polite">
            <div class="stat">
              <span class="stat-value">${districts.length}</span><span class="stat-label">districts</span>
            </div>
            <div class="stat">
              <span class="stat-value">${links.length}</span><span class="stat-label">links</span>
            </div>
            <div class=${`stat ${down ? 'stat-bad' : 'stat-good'}`}>
              <span class="stat-value">${down}</span><span class="stat-label">links down</span>
            </div>
            <div class="stat">
              <span class="stat-value">${links.filter((l) => l.openIncident).length}</span>
              <span class="stat-label">open incidents</span>
            </div>
          </div>`
        : null
    }
    ${
      links.length > 0
        ? html`<${Card} title="Uptime by link" id="uptime">
            <${Chart}
              type="bar"
              label=${`Uptime per link over 24 hours, 7 days and 30 days: ${links
                .map(
                  (l) =>
                    `${l.name} ${fmtPct(l.uptime.h24)} / ${fmtPct(l.uptime.d7)} / ${fmtPct(l.uptime.d30)}`,
                )
                .join('; ')}`}
              height=${Math.max(160, 70 + links.length * 46)}
              data=${{
                labels: links.map((l) => (districts.length > 1 ? `${l.districtName} · ${l.name}` : l.name)),
                datasets: [
                  {
                    label: 'Last 24 hours',
                    data: links.map((l) => pct(l.uptime.h24)),
                    backgroundColor: chartColors.blue,
                  },
                  {
                    label: 'Last 7 days',
                    data: links.map((l) => pct(l.uptime.d7)),
                    backgroundColor: chartColors.teal,
                  },
                  {
                    label: 'Last 30 days',
                    data: links.map((l) => pct(l.uptime.d30)),
                    backgroundColor: chartColors.slate,
                  },
                ],
              }}
              options=${{
                indexAxis: 'y',
                scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
                plugins: { legend: { display: true, position: 'bottom', labels: { boxWidth: 12 } } },
              }}
            />
          <//>`
        : null
    }
    ${districts.map((d) => html`<${DistrictLinks} d=${d} />`)}
    ${board.data && districts.length === 0 ? html`<${Empty}>No districts to show.<//>` : null}
    ${
      incidentsPath
        ? html`<${Card} title="Incidents" id="incidents">
            <${ErrorBox} error=${incidents.error} what="Incidents" />
            ${incidents.data ? html`<${IncidentTable} items=${incidents.data} districts=${districts} />` : null}
          <//>`
        : null
    }
  </div>`;
}

const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);

function DistrictLinks({ d }) {
  return html`<${Card}
    title=${html`${d.name} <${Badge} kind=${d.state} />`}
    id=${`district-${d.districtId}`}
    actions=${html`<a href=${`/districts/${d.districtId}/scorecard`}>Scorecard</a>`}
  >
    ${
      d.links.length === 0
        ? html`<${Empty}>No SIS links configured.<//>`
        : html`<div class="table-wrap">
            <table>
              <caption class="sr-only">
                Links of ${d.name}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Link</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col" class="num">Latency</th>
                  <th scope="col" class="num">24 h</th>
                  <th scope="col" class="num">7 d</th>
                  <th scope="col" class="num">30 d</th>
                  <th scope="col">Last problem</th>
                </tr>
              </thead>
              <tbody>
                ${d.links.map(
                  (l) =>
                    html`<tr>
                      <th scope="row">
                        ${l.name}
                        <div class="sub">${l.sisKind} · ${l.transport}${l.enabled ? '' : ' · disabled'}</div>
                      </th>
                      <td>${l.role}</td>
                      <td><${Badge} kind=${l.state} /></td>
                      <td class="nowrap">${fmtDate(l.since)}</td>
                      <td class="num">${l.lastLatencyMs === null ? '—' : `${l.lastLatencyMs} ms`}</td>
                      <td class="num">${fmtPct(l.uptime.h24)}</td>
                      <td class="num">${fmtPct(l.uptime.d7)}</td>
                      <td class="num">${fmtPct(l.uptime.d30)}</td>
                      <td>
                        ${
                          l.openIncident
                            ? html`<span class="text-bad"
                                >Incident open since ${fmtDate(l.openIncident.openedAt)}</span
                              >`
                            : null
                        }
                        ${l.lastError ? html`<div class="sub">${l.lastErrorCode}: ${l.lastError}</div>` : l.openIncident ? null : '—'}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${
      d.agents.length > 0
        ? html`<h3>Agents</h3>
            <ul class="plain">
              ${d.agents.map(
                (a) =>
                  html`<li>
                    <strong>${a.name}</strong>
                    <${Badge} kind=${a.state} /> ${` last heartbeat ${fmtDate(a.lastHeartbeatAt)}`}
                    ${a.version ? html`<span class="sub"> · v${a.version}</span>` : null}
                  </li>`,
              )}
            </ul>`
        : null
    }
    ${
      d.maintenance.length > 0
        ? html`<h3>Maintenance windows</h3>
            <ul class="plain">
              ${d.maintenance.map(
                (m) => html`<li>${fmtDate(m.startsAt)} – ${fmtDate(m.endsAt)}: ${m.reason}</li>`,
              )}
            </ul>`
        : null
    }
  <//>`;
}

function IncidentTable({ items, districts }) {
  if (items.length === 0) return html`<${Empty}>No incidents recorded.<//>`;
  const name = (id) => districts.find((d) => d.districtId === id)?.name || '';
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">Subject</th>
          ${districts.length > 1 ? html`<th scope="col">District</th>` : null}
          <th scope="col">Opened</th>
          <th scope="col">Closed</th>
          <th scope="col" class="num">Duration</th>
          <th scope="col">Cause</th>
          <th scope="col">Notified</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (i) =>
            html`<tr class=${i.closedAt ? '' : 'row-open'}>
              <th scope="row">${i.subject} <span class="sub">${i.subjectKind}</span></th>
              ${districts.length > 1 ? html`<td>${name(i.districtId)}</td>` : null}
              <td>${fmtDate(i.openedAt)}</td>
              <td>${i.closedAt ? fmtDate(i.closedAt) : html`<${Badge} kind="open">Open<//>`}</td>
              <td class="num">${fmtDuration(i.durationSeconds)}</td>
              <td><span class="code">${i.causeCode}</span> ${i.cause}</td>
              <td>${i.notifyState}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
