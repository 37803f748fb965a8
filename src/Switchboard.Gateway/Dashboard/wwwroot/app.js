'use strict';
// The Switchboard dashboard: plain JavaScript, no library, no CDN. Data comes from /ui/api (this dashboard's own
// read API) and from the admin APIs of the features this gateway has (/admin/keys, /admin/usage, /admin/cache,
// /conversations); a feature the gateway lacks shows "not enabled" instead of a page.
const state = { key: sessionStorage.getItem('switchboard.key') || '', features: {}, live: null };
const $ = (sel) => document.querySelector(sel);
const page = () => $('#page');

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.key) headers.Authorization = 'Bearer ' + state.key;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) { showLogin('The key was refused.'); throw new Error('unauthorized'); }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(body?.error?.message || response.statusText);
  return body;
}

function showLogin(message) {
  $('#nav').hidden = true;
  $('#login').hidden = false;
  page().innerHTML = '';
  $('#login-error').textContent = message || '';
}

async function start() {
  const response = await fetch('/ui/api/session', { headers: state.key ? { Authorization: 'Bearer ' + state.key } : {} });
  if (response.status === 401) { showLogin(state.key ? 'The key was refused.' : ''); return; }
  if (!response.ok) { page().innerHTML = '<p class="error">The dashboard is not available to you here.</p>'; return; }
  const session = await response.json();
  state.features = session.features;
  $('#login').hidden = true;
  $('#nav').hidden = false;
  $('#logout').hidden = !session.requires_key;
  route();
}

function notEnabled(what, how) {
  page().innerHTML = `<h1>${esc(what)}</h1><p class="notice" data-state="not-enabled">Not enabled on this gateway: ${esc(how)}</p>`;
}

function stopLive() {
  if (state.live) { state.live.abort(); state.live = null; }
}

function route() {
  stopLive();
  const name = (location.hash || '#overview').slice(1).split('/')[0];
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.getAttribute('href') === '#' + name));
  const pages = { overview, usage, keys, models, cache, conversations, live, request: requestDetail };
  (pages[name] || overview)().catch(error => {
    if (error.message !== 'unauthorized') page().insertAdjacentHTML('beforeend', `<p class="error">${esc(error.message)}</p>`);
  });
}

function rangeQuery(form) {
  const params = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const value = form?.querySelector(`[name=${name}]`)?.value;
    if (value) params.set(name, value);
  }
  return params.toString();
}

const money = (v) => '$' + Number(v || 0).toFixed(4);

async function overview() {
  page().innerHTML = `<h1>Overview</h1>
    <form class="inline" id="range"><label>From (UTC)<input name="from" type="datetime-local"></label>
    <label>To (UTC)<input name="to" type="datetime-local"></label><button>Show</button>
    <a id="overview-csv" href="#">CSV</a></form>
    <div class="cards" id="totals"></div><div class="charts" id="charts"></div>`;
  const load = async () => {
    const query = rangeQuery($('#range'));
    const report = await json('/ui/api/overview?' + query);
    const t = report.totals;
    $('#totals').innerHTML = [
      ['Requests', t.requests, 'requests'], ['Errors', t.errors, 'errors'],
      ['p50 latency', t.p50_ms == null ? '–' : t.p50_ms + ' ms', 'p50'], ['p99 latency', t.p99_ms == null ? '–' : t.p99_ms + ' ms', 'p99'],
      ['Tokens', (t.input_tokens + t.output_tokens), 'tokens'], ['Cost', money(t.cost_usd), 'cost'],
      ['Cache hits', t.cache_hits, 'cache-hits'], ['Cache savings', money(t.cost_saved_usd), 'cache-saved'],
    ].map(([label, value, id]) => `<div class="card" data-total="${id}"><div>${label}</div><div class="value">${esc(value)}</div></div>`).join('');
    const charts = ['requests', 'errors', 'latency', 'tokens', 'cost', 'cache'];
    const svgs = await Promise.all(charts.map(async c => (await api(`/ui/api/charts/${c}.svg?` + query)).text()));
    $('#charts').innerHTML = svgs.map(svg => `<div>${svg}</div>`).join('');
  };
  $('#range').addEventListener('submit', e => { e.preventDefault(); load(); });
  $('#overview-csv').addEventListener('click', e => { e.preventDefault(); download('/ui/api/overview.csv?' + rangeQuery($('#range')), 'overview.csv'); });
  await load();
}

async function download(path, name) {
  const blob = await (await api(path)).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

async function usage() {
  if (!state.features.usage) return notEnabled('Usage', 'usage records need the database (keys and usage, issue 9).');
  page().innerHTML = `<h1>Usage</h1>
    <form class="inline" id="usage-form"><label>From<input name="from" type="date"></label><label>To<input name="to" type="date"></label>
    <label>Group by<select name="group_by"><option>key</option><option>user</option><option>model</option><option>day</option><option value="key,model">key, model</option></select></label>
    <button>Show</button><a id="usage-csv" href="#">CSV</a></form><div id="usage-table"></div>`;
  const form = $('#usage-form');
  const query = () => { const q = new URLSearchParams(rangeQuery(form)); q.set('group_by', form.group_by.value); return q.toString(); };
  const load = async () => {
    const body = await json('/admin/usage?' + query());
    const rows = body.data || body.groups || body.rows || (Array.isArray(body) ? body : [body]);
    const columns = rows.length ? Object.keys(rows[0]) : [];
    $('#usage-table').innerHTML = `<table><tr>${columns.map(c => `<th>${esc(c)}</th>`).join('')}</tr>${rows.map(r => `<tr>${columns.map(c => `<td>${esc(typeof r[c] === 'object' ? JSON.stringify(r[c]) : r[c])}</td>`).join('')}</tr>`).join('')}</table>`;
  };
  form.addEventListener('submit', e => { e.preventDefault(); load(); });
  $('#usage-csv').addEventListener('click', e => { e.preventDefault(); download('/admin/usage/export?' + rangeQuery(form), 'usage.csv'); });
  await load();
}

async function keys() {
  if (!state.features.keys) return notEnabled('Keys', 'virtual keys need a master key and the database (issue 9).');
  page().innerHTML = `<h1>Keys</h1>
    <form class="inline" id="key-form"><label>Name<input name="name" required></label><label>User<input name="user"></label>
    <label>Models<input name="models" placeholder="gpt-4o*, mock-*"></label><label>RPM<input name="rpm" type="number" min="1"></label>
    <label>Budget<input name="budget" placeholder="10/day"></label><button>Create key</button></form>
    <div id="created"></div><div id="key-table"></div>`;
  const load = async () => {
    const body = await json('/admin/keys');
    const list = body.data || body;
    $('#key-table').innerHTML = `<table><tr><th>Name</th><th>Prefix</th><th>User</th><th>Models</th><th>Limits</th><th>Budget</th><th></th></tr>${list.map(k => `
      <tr data-key="${esc(k.id)}"><td>${esc(k.name)}</td><td>${esc(k.prefix)}</td><td>${esc(k.user)}</td><td>${esc((k.models || k.allowed_models || []).join(', '))}</td>
      <td>${esc([k.rpm && k.rpm + ' rpm', k.tpm && k.tpm + ' tpm'].filter(Boolean).join(', '))}</td>
      <td>${esc([k.budget_daily_usd != null && '$' + k.budget_daily_usd + '/day', k.budget_monthly_usd != null && '$' + k.budget_monthly_usd + '/month', k.budget_total_usd != null && '$' + k.budget_total_usd + ' total'].filter(Boolean).join(', '))}</td>
      <td>${k.revoked_at ? 'revoked' : `<button data-revoke="${esc(k.id)}">Revoke</button>`}</td></tr>`).join('')}</table>`;
  };
  $('#key-form').addEventListener('submit', async e => {
    e.preventDefault();
    const f = e.target;
    const spec = { name: f.name.value };
    if (f.user.value) spec.user = f.user.value;
    if (f.models.value) spec.models = f.models.value.split(',').map(s => s.trim()).filter(Boolean);
    if (f.rpm.value) spec.rpm = Number(f.rpm.value);
    if (f.budget.value) spec.budget = [f.budget.value];
    const created = await json('/admin/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec) });
    $('#created').innerHTML = `<p>Copy the key now; it is not shown again:</p><p class="secret" id="new-key">${esc(created.key)}</p>`;
    f.reset();
    await load();
  });
  $('#key-table').addEventListener('click', async e => {
    const id = e.target.dataset.revoke;
    if (!id) return;
    await api('/admin/keys/' + encodeURIComponent(id), { method: 'DELETE' });
    await load();
  });
  await load();
}

async function models() {
  const list = await json('/ui/api/models');
  page().innerHTML = `<h1>Models and deployments</h1>${list.map(m => `
    <h2>${esc(m.name)}</h2>${m.fallbacks.length ? `<p>Falls back to ${esc(m.fallbacks.join(', '))}</p>` : ''}
    <table><tr><th>Deployment</th><th>Provider</th><th>Circuit</th><th>Prices (per M in/out)</th><th>Recent errors</th></tr>
    ${m.deployments.map(d => `<tr data-deployment="${esc(d.id)}"><td>${esc(d.id)}</td><td>${esc(d.provider)} (${esc(d.provider_type)})</td>
      <td class="${d.circuit === 'closed' ? 'ok' : 'error'}">${esc(d.circuit)}${d.retry_after_s != null ? ' (retry in ' + d.retry_after_s + ' s)' : ''}</td>
      <td>${esc(d.input_per_million ?? '–')} / ${esc(d.output_per_million ?? '–')}</td>
      <td>${d.recent_errors.length ? d.recent_errors.map(r => `<div><a href="#request/${encodeURIComponent(r.request_id)}">${esc(r.status)} ${esc(r.error_code || '')}</a> ${esc(new Date(r.time).toLocaleTimeString())}</div>`).join('') : 'none'}</td></tr>`).join('')}
    </table>`).join('')}`;
}

async function cache() {
  if (!state.features.cache) return notEnabled('Cache', 'no cache is on in this gateway (cache.exact or cache.semantic in its configuration).');
  page().innerHTML = `<h1>Cache</h1><div id="cache-stats"></div><button id="purge">Purge the cache</button><p id="purged"></p>`;
  const load = async () => {
    const stats = await json('/admin/cache');
    // One level of nesting flattened: exact.entries, requests.hit_rate, ...
    const flat = [];
    for (const [k, v] of Object.entries(stats)) {
      if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) { if (typeof v2 !== 'object') flat.push([k + '.' + k2, v2]); }
      else flat.push([k, v]);
    }
    $('#cache-stats').innerHTML = `<div class="cards">${flat.map(([k, v]) => `<div class="card" data-stat="${esc(k)}"><div>${esc(k)}</div><div class="value">${esc(v)}</div></div>`).join('')}</div>`;
  };
  $('#purge').addEventListener('click', async () => {
    await api('/admin/cache', { method: 'DELETE' });
    $('#purged').textContent = 'Purged.';
    await load();
  });
  await load();
}

async function conversations() {
  if (!state.features.conversations) return notEnabled('Conversations', 'the conversations service is switched off (conversations.enabled).');
  const body = await json('/conversations?limit=100');
  page().innerHTML = `<h1>Conversations</h1><table id="conversation-list"><tr><th>Conversation</th><th>Partition</th><th>Turns</th><th>Model</th><th>Last active</th><th></th></tr>${body.conversations.map(c => `
    <tr data-conversation="${esc(c.conversation)}" data-partition="${esc(c.partition || '')}"><td><a href="#" data-open="${esc(c.conversation)}">${esc(c.conversation)}</a></td><td>${esc(c.partition || '')}</td><td>${esc(c.turns)}</td><td>${esc(c.model || '')}</td>
    <td>${esc(new Date(c.last_active_at).toLocaleString())}</td><td><button data-clear="${esc(c.conversation)}">Clear</button></td></tr>`).join('')}</table><pre id="conversation"></pre>`;
  page().onclick = async e => {
    const id = e.target.dataset.open || e.target.dataset.clear;
    if (!id) return;
    e.preventDefault();
    // Conversation ids are unique only within a partition (conversations.partition): address both.
    const partition = e.target.closest('tr').dataset.partition;
    const path = '/context?conversation=' + encodeURIComponent(id) + (partition ? '&partition=' + encodeURIComponent(partition) : '');
    if (e.target.dataset.open) $('#conversation').textContent = JSON.stringify(await json(path), null, 2);
    else { await api(path, { method: 'DELETE' }); await conversations(); }
  };
}

function requestRow(r) {
  return `<tr class="clickable" data-request="${esc(r.id)}"><td>${esc(new Date(r.time).toLocaleTimeString())}</td><td>${esc(r.model)}</td><td>${esc(r.deployment || '')}</td>
    <td>${esc(r.key_prefix || '')}</td><td class="${r.status >= 400 ? 'error' : 'ok'}">${esc(r.status)} ${esc(r.error_code || '')}</td><td>${esc(r.latency_ms)} ms</td>
    <td>${esc(r.input_tokens)} / ${esc(r.output_tokens)}</td><td>${esc(r.cache)}</td></tr>`;
}

async function live() {
  page().innerHTML = `<h1>Live request log</h1>
    <form class="inline" id="live-filter"><label>Model<input name="model"></label><label>Key<input name="key"></label>
    <label>Status<input name="status" type="number" min="100" max="599"></label><label>Errors only<input name="errors" type="checkbox"></label><button>Filter</button></form>
    <p id="live-state">connecting…</p>
    <table id="live-table"><thead><tr><th>Time</th><th>Model</th><th>Deployment</th><th>Key</th><th>Status</th><th>Latency</th><th>Tokens in/out</th><th>Cache</th></tr></thead><tbody></tbody></table>`;
  $('#live-table').addEventListener('click', e => { const row = e.target.closest('tr[data-request]'); if (row) location.hash = 'request/' + encodeURIComponent(row.dataset.request); });
  const connect = async () => {
    stopLive();
    const form = $('#live-filter');
    const params = new URLSearchParams();
    if (form.model.value) params.set('model', form.model.value);
    if (form.key.value) params.set('key', form.key.value);
    if (form.status.value) params.set('status', form.status.value);
    if (form.errors.checked) params.set('errors', 'true');
    const body = $('#live-table tbody');
    body.innerHTML = (await json('/ui/api/requests?limit=50&' + params)).map(requestRow).join('');
    const controller = new AbortController();
    state.live = controller;
    // fetch, not EventSource: EventSource cannot send the Authorization header.
    const response = await api('/ui/api/requests/live?' + params, { signal: controller.signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    $('#live-state').textContent = 'live';
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find(l => l.startsWith('data: '));
          if (data) body.insertAdjacentHTML('afterbegin', requestRow(JSON.parse(data.slice(6))));
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  };
  $('#live-filter').addEventListener('submit', e => { e.preventDefault(); connect(); });
  await connect();
}

async function requestDetail() {
  const id = decodeURIComponent(location.hash.split('/').slice(1).join('/'));
  const r = await json('/ui/api/requests/' + encodeURIComponent(id));
  page().innerHTML = `<h1>Request ${esc(r.id)}</h1>
    <table id="request-detail">${[
      ['Time', r.time], ['Model', r.model + (r.served_model && r.served_model !== r.model ? ' → ' + r.served_model : '')], ['Deployment', r.deployment],
      ['Key', r.key_prefix], ['User', r.user], ['Status', r.status + ' ' + (r.error_code || '')], ['Error', r.error_message],
      ['Latency', r.latency_ms + ' ms'], ['Time to first token', r.ttft_ms != null ? r.ttft_ms + ' ms' : null], ['Upstream', r.upstream_ms != null ? r.upstream_ms + ' ms' : null],
      ['Tokens in / out', r.input_tokens + ' / ' + r.output_tokens], ['Cost', r.cost_usd != null ? money(r.cost_usd) : null], ['Cache', r.cache], ['Trace id', r.trace_id],
    ].filter(([, v]) => v != null && v !== '').map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
    <h2>Attempts</h2><table id="attempts"><tr><th>#</th><th>Deployment</th><th>Started after</th><th>Took</th><th>Status</th></tr>
    ${r.attempts.map(a => `<tr><td>${a.number}</td><td>${esc(a.deployment)}</td><td>${a.started_ms} ms</td><td>${a.duration_ms} ms</td><td>${a.status} ${esc(a.error_code || '')}</td></tr>`).join('')}</table>`;
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', e => {
    e.preventDefault();
    state.key = $('#master-key').value.trim();
    sessionStorage.setItem('switchboard.key', state.key);
    start();
  });
  $('#logout').addEventListener('click', () => { sessionStorage.removeItem('switchboard.key'); state.key = ''; showLogin(''); });
  window.addEventListener('hashchange', route);
  start();
});
