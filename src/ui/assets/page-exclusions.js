// Exclusions: records taken out of the score with a reason; admins approve or reject proposals and revoke.
import {
  api,
  Badge,
  Card,
  Empty,
  ErrorBox,
  fmtDate,
  html,
  humanize,
  isAdmin,
  Loading,
  navigate,
  Notice,
  qs,
  useApi,
  useState,
} from '/assets/lib.js';

const STATUSES = ['proposed', 'active', 'expired', 'rejected', 'all'];

export function ExclusionsPage({ me, params, query }) {
  const { districtId } = params;
  const status = STATUSES.includes(query.status) ? query.status : isAdmin(me) ? 'proposed' : 'all';
  const list = useApi(`/api/districts/${districtId}/exclusions`, { status });
  const [notice, setNotice] = useState(null);
  const act = async (ex, action, note) => {
    try {
      if (action === 'revoke')
        await api(`/api/districts/${districtId}/exclusions/${ex.id}`, { method: 'DELETE' });
      else
        await api(`/api/districts/${districtId}/exclusions/${ex.id}/${action}`, {
          method: 'POST',
          body: note ? { note } : {},
        });
      setNotice({
        kind: 'success',
        text: `Exclusion ${{ approve: 'approved', reject: 'rejected', revoke: 'revoked' }[action]}.`,
      });
      list.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not ${action} the exclusion: ${err.message}` });
    }
  };
  const items = list.data?.items || [];

  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>Exclusions</h1>
        <p class="lede">
          Records that are right even though a rule flags them. An excluded record stops counting against the
          score until it is revoked or expires.
        </p>
      </div>
    </div>
    <div class="segmented" role="tablist" aria-label="Exclusion status">
      ${STATUSES.map(
        (s) =>
          html`<button
            type="button"
            role="tab"
            aria-selected=${s === status ? 'true' : 'false'}
            onClick=${() => navigate(`${location.pathname}${qs({ status: s })}`, { replace: true })}
          >
            ${s === 'proposed' ? 'Waiting for approval' : humanize(s)}
          </button>`,
      )}
    </div>
    <div aria-live="polite"><${Notice} notice=${notice} onClose=${() => setNotice(null)} /></div>
    <${Card}>
      ${list.loading && !list.data ? html`<${Loading} />` : null}
      <${ErrorBox} error=${list.error} what="Exclusions" />
      ${list.data && items.length === 0 ? html`<${Empty}>No ${status === 'all' ? '' : `${status} `}exclusions.<//>` : null}
      ${
        items.length > 0
          ? html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Record</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Status</th>
                    <th scope="col">Requested</th>
                    <th scope="col">Decision</th>
                    <th scope="col"><span class="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${items.map((ex) => html`<${ExclusionRow} me=${me} districtId=${districtId} ex=${ex} onAct=${act} />`)}
                </tbody>
              </table>
            </div>`
          : null
      }
    <//>
  </div>`;
}

function ExclusionRow({ me, districtId, ex, onAct }) {
  const [note, setNote] = useState('');
  const [audit, setAudit] = useState(null);
  const r = ex.record;
  const loadAudit = async (e) => {
    if (!e.target.open || audit) return;
    try {
      setAudit((await api(`/api/districts/${districtId}/exclusions/${ex.id}/audit`)).items);
    } catch {
      setAudit([]);
    }
  };
  const noteId = `note-${ex.id}`;
  return html`<tr>
    <th scope="row">
      ${
        r?.student
          ? html`${r.student.lastName}, ${r.student.firstName}
              <div class="sub">ID ${r.student.studentId}${r.school ? ` · ${r.school.name}` : ''}</div>`
          : html`<span class="code">${ex.fingerprint.slice(0, 12)}</span>`
      }
    </th>
    <td>
      <a href=${`/districts/${districtId}/rules/${encodeURIComponent(ex.ruleId)}`}
        >${r?.ruleTitle || ex.ruleId}</a
      >
      <div class="sub"><span class="code">${ex.ruleId}</span></div>
    </td>
    <td>
      ${ex.reason} ${ex.expiresAt ? html`<div class="sub">expires ${fmtDate(ex.expiresAt)}</div>` : null}
      <details onToggle=${loadAudit}>
        <summary>History</summary>
        ${
          audit === null
            ? html`<span class="sub">Loading…</span>`
            : html`<ul class="plain sub">
                ${audit.map((a) => html`<li>${fmtDate(a.at)} · ${a.actorEmail} · ${a.action}${a.note ? `: ${a.note}` : ''}</li>`)}
              </ul>`
        }
      </details>
    </td>
    <td><${Badge} kind=${ex.status} /></td>
    <td>
      ${ex.createdByEmail}
      <div class="sub">${fmtDate(ex.createdAt)}</div>
    </td>
    <td>
      ${
        ex.decidedAt
          ? html`${ex.decidedByEmail}
              <div class="sub">
                ${fmtDate(ex.decidedAt)}${ex.decisionNote ? ` · ${ex.decisionNote}` : ''}
              </div>`
          : '—'
      }
    </td>
    <td>
      ${
        isAdmin(me) && ex.status === 'proposed'
          ? html`<div class="decide">
              <label class="sr-only" for=${noteId}>Note for the decision</label>
              <input
                id=${noteId}
                placeholder="Note (optional)"
                value=${note}
                onInput=${(e) => setNote(e.target.value)}
              />
              <div class="actions">
                <button
                  type="button"
                  class="btn btn-small btn-primary"
                  onClick=${() => onAct(ex, 'approve', note)}
                >
                  Approve
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-danger"
                  onClick=${() => onAct(ex, 'reject', note)}
                >
                  Reject
                </button>
              </div>
            </div>`
          : null
      }
      ${
        ex.status === 'active' && isAdmin(me)
          ? html`<button type="button" class="btn btn-small btn-danger" onClick=${() => onAct(ex, 'revoke')}>
              Revoke
            </button>`
          : null
      }
    </td>
  </tr>`;
}
