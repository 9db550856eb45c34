// Users and contacts of a district (district administrators and support).
import {
  api,
  Badge,
  Card,
  Empty,
  ErrorBox,
  Field,
  fmtDate,
  html,
  Loading,
  Notice,
  roleLabel,
  useApi,
  useState,
} from '/assets/lib.js';

const ROLES = ['district_admin', 'school_user', 'program_user'];
const list = (s) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function AdminPage({ params, district }) {
  const { districtId } = params;
  return html`<div class="page">
    <div class="page-head">
      <div>
        <h1>Users and contacts</h1>
        <p class="lede">
          Who can log in to ${district ? district.name : 'this district'}, what each of them sees, and who
          receives link alerts and the nightly digest.
        </p>
      </div>
    </div>
    <${Users} districtId=${districtId} />
    <${Contacts} districtId=${districtId} />
  </div>`;
}

function Users({ districtId }) {
  const users = useApi(`/api/districts/${districtId}/users`);
  const [notice, setNotice] = useState(null);
  const [form, setForm] = useState({
    email: '',
    displayName: '',
    role: 'school_user',
    password: '',
    schools: '',
    programs: '',
  });
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });

  const create = async (e) => {
    e.preventDefault();
    setNotice(null);
    try {
      const body = { email: form.email, displayName: form.displayName || form.email, role: form.role };
      if (form.password) body.password = form.password;
      if (form.role === 'school_user') body.schoolIds = list(form.schools);
      if (form.role === 'program_user') body.programCodes = list(form.programs);
      await api(`/api/districts/${districtId}/users`, { method: 'POST', body });
      setNotice({ kind: 'success', text: `User ${form.email} created.` });
      setForm({ ...form, email: '', displayName: '', password: '', schools: '', programs: '' });
      users.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not create the user: ${err.message}` });
    }
  };
  const toggle = async (u) => {
    try {
      await api(`/api/districts/${districtId}/users/${u.id}`, {
        method: 'PATCH',
        body: { active: !u.active },
      });
      setNotice({ kind: 'success', text: `${u.email} ${u.active ? 'deactivated' : 'activated'}.` });
      users.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not change ${u.email}: ${err.message}` });
    }
  };

  return html`<${Card} title="Users" id="users">
    <div aria-live="polite"><${Notice} notice=${notice} onClose=${() => setNotice(null)} /></div>
    ${users.loading && !users.data ? html`<${Loading} />` : null}
    <${ErrorBox} error=${users.error} what="Users" />
    ${users.data && users.data.length === 0 ? html`<${Empty}>No users yet.<//>` : null}
    ${
      users.data && users.data.length > 0
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sees</th>
                  <th scope="col">Last login</th>
                  <th scope="col">Status</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${users.data.map(
                  (u) =>
                    html`<tr>
                      <th scope="row">
                        ${u.displayName}
                        ${u.displayName !== u.email ? html`<div class="sub">${u.email}</div>` : null}
                      </th>
                      <td>${roleLabel(u.role)}</td>
                      <td>
                        ${
                          u.role === 'school_user'
                            ? `Schools ${u.schoolIds.join(', ') || '—'}`
                            : u.role === 'program_user'
                              ? `Programs ${u.programCodes.join(', ') || '—'}`
                              : 'The whole district'
                        }
                      </td>
                      <td>${fmtDate(u.lastLoginAt)}</td>
                      <td>
                        <${Badge} kind=${u.active ? 'active' : 'revoked'}
                          >${u.active ? 'Active' : 'Inactive'}<//
                        >
                      </td>
                      <td>
                        <button type="button" class="btn btn-small" onClick=${() => toggle(u)}>
                          ${u.active ? 'Deactivate' : 'Activate'}<span class="sr-only"> ${u.email}</span>
                        </button>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
    <h3>Add a user</h3>
    <form onSubmit=${create} aria-label="Add a user">
      <div class="form-grid">
        <${Field} label="E-mail" id="user-email">
          <input id="user-email" type="email" required value=${form.email} onInput=${set('email')} />
        <//>
        <${Field} label="Name" id="user-name">
          <input id="user-name" value=${form.displayName} onInput=${set('displayName')} />
        <//>
        <${Field} label="Role" id="user-role">
          <select id="user-role" value=${form.role} onChange=${set('role')}>
            ${ROLES.map((r) => html`<option value=${r} selected=${r === form.role}>${roleLabel(r)}</option>`)}
          </select>
        <//>
        <${Field}
          label="Initial password"
          id="user-password"
          hint="At least 12 characters; empty = set later"
        >
          <input
            id="user-password"
            type="password"
            autocomplete="new-password"
            minlength="12"
            value=${form.password}
            onInput=${set('password')}
            aria-describedby="user-password-hint"
          />
        <//>
        ${
          form.role === 'school_user'
            ? html`<${Field} label="School ids" id="user-schools" hint="Comma separated, e.g. 101, 102">
                <input
                  id="user-schools"
                  value=${form.schools}
                  onInput=${set('schools')}
                  aria-describedby="user-schools-hint"
                />
              <//>`
            : null
        }
        ${
          form.role === 'program_user'
            ? html`<${Field}
                label="Program codes"
                id="user-programs"
                hint="Comma separated, e.g. 144 (special education)"
              >
                <input
                  id="user-programs"
                  value=${form.programs}
                  onInput=${set('programs')}
                  aria-describedby="user-programs-hint"
                />
              <//>`
            : null
        }
      </div>
      <button type="submit" class="btn btn-primary">Add user</button>
    </form>
  <//>`;
}

function Contacts({ districtId }) {
  const contacts = useApi(`/api/districts/${districtId}/contacts`);
  const [notice, setNotice] = useState(null);
  const [form, setForm] = useState({
    name: '',
    email: '',
    kind: 'technical',
    receivesAlerts: true,
    receivesDigest: true,
  });
  const set = (k) => (e) =>
    setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  const add = async (e) => {
    e.preventDefault();
    setNotice(null);
    try {
      await api(`/api/districts/${districtId}/contacts`, { method: 'POST', body: form });
      setNotice({ kind: 'success', text: `Contact ${form.email} added.` });
      setForm({ ...form, name: '', email: '' });
      contacts.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not add the contact: ${err.message}` });
    }
  };
  const remove = async (c) => {
    try {
      await api(`/api/districts/${districtId}/contacts/${c.id}`, { method: 'DELETE' });
      setNotice({ kind: 'success', text: `Contact ${c.email} removed.` });
      contacts.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not remove ${c.email}: ${err.message}` });
    }
  };

  return html`<${Card} title="Contacts" id="contacts">
    <div aria-live="polite"><${Notice} notice=${notice} onClose=${() => setNotice(null)} /></div>
    ${contacts.loading && !contacts.data ? html`<${Loading} />` : null}
    <${ErrorBox} error=${contacts.error} what="Contacts" />
    ${contacts.data && contacts.data.length === 0 ? html`<${Empty}>No contacts yet: nobody receives link alerts.<//>` : null}
    ${
      contacts.data && contacts.data.length > 0
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Contact</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Link alerts</th>
                  <th scope="col">Nightly digest</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${contacts.data.map(
                  (c) =>
                    html`<tr>
                      <th scope="row">
                        ${c.name}
                        <div class="sub">${c.email}</div>
                      </th>
                      <td>${c.kind}</td>
                      <td>${c.receivesAlerts ? 'Yes' : 'No'}</td>
                      <td>${c.receivesDigest ? 'Yes' : 'No'}</td>
                      <td>
                        <button type="button" class="btn btn-small btn-danger" onClick=${() => remove(c)}>
                          Remove<span class="sr-only"> ${c.email}</span>
                        </button>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
    <h3>Add a contact</h3>
    <form onSubmit=${add} aria-label="Add a contact">
      <div class="form-grid">
        <${Field} label="Name" id="contact-name">
          <input id="contact-name" required value=${form.name} onInput=${set('name')} />
        <//>
        <${Field} label="E-mail" id="contact-email">
          <input id="contact-email" type="email" required value=${form.email} onInput=${set('email')} />
        <//>
        <${Field} label="Kind" id="contact-kind">
          <select id="contact-kind" value=${form.kind} onChange=${set('kind')}>
            ${['administrative', 'technical', 'data'].map(
              (k) => html`<option value=${k} selected=${k === form.kind}>${k}</option>`,
            )}
          </select>
        <//>
        <div class="field">
          <span class="sr-only">Receives</span>
          <label class="checkbox">
            <input type="checkbox" checked=${form.receivesAlerts} onChange=${set('receivesAlerts')} /> Link
            alerts
          </label>
          <label class="checkbox">
            <input type="checkbox" checked=${form.receivesDigest} onChange=${set('receivesDigest')} /> Nightly
            digest
          </label>
        </div>
      </div>
      <button type="submit" class="btn btn-primary">Add contact</button>
    </form>
  <//>`;
}
