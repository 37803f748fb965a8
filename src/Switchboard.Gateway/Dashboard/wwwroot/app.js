'use strict';
// The Switchboard dashboard: plain JavaScript, no library, no CDN. Data comes from /ui/api (this dashboard's own
// read API) and from the admin APIs of the features this gateway has (/admin/keys, /admin/usage, /admin/cache,
// /conversations); a feature the gateway lacks shows "not enabled" instead of a page.
// Signing in exchanges the master key for an HttpOnly session cookie (POST /ui/api/login): the page never keeps the key.
const state = { features: {}, live: null, requiresKey: false };
const $ = (sel) => document.querySelector(sel);
const page = () => $('#page');

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

async function api(path, options = {}) {
  // The header marks the request as the dashboard's own: the gateway takes the session cookie for a change
  // (POST, DELETE) only with it, which a form on another site cannot send.
  const headers = Object.assign({ 'X-Switchboard-Dashboard': '1' }, options.headers || {});
  const response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options, { headers }));
  if (response.status === 401) { showLogin('Your session has ended; sign in again.'); throw new Error('unauthorized'); }
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
  const response = await fetch('/ui/api/session', { credentials: 'same-origin' });
  if (response.status === 401) { showLogin(''); return; }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    page().innerHTML = `<p class="error">The dashboard is not available to you here. ${esc(body?.error?.message || '')}</p>`;
    return;
  }
  const session = await response.json();
  state.features = session.features;
  state.requiresKey = session.requires_key;
  $('#login').hidden = true;
  $('#nav').hidden = false;
  $('#logout').hidden = session.signed_in_with !== 'session';
  route();
}

async function login(key) {
  const response = await fetch('/ui/api/login', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    showLogin(body?.error?.message || 'Signing in failed.');
    return;
  }
  $('#master-key').value = '';
  await start();
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
  // Cleared first, so an error is never shown under the previous page's data.
  page().innerHTML = '<p class="hint">Loading…</p>';
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

// Budgets left to the millionth of a dollar, so a little spend never reads as none ($0.999958, not $1.0000).
const exact = (v) => '$' + Number(v || 0).toFixed(6).replace(/\.?0+$/, '');
const utc = (time) => new Date(time).toISOString().slice(11, 19);

// Where the time went: before the first upstream call (auth, limits, cache, routing), in each call, and after
// the last one (the answer written, a stream relayed).
function timeline(r) {
  if (!r.attempts.length) return '';
  const first = r.attempts[0].started_ms;
  const last = r.attempts[r.attempts.length - 1];
  const after = Math.max(0, r.latency_ms - (last.started_ms + last.duration_ms));
  const parts = [['In the gateway before the first call', first], ...r.attempts.map(a => [`Call ${a.number} to ${a.deployment}`, a.duration_ms]), ['After the last call', after]];
  return `<h2>Where the time went</h2><table id="timeline">${parts.map(([what, ms]) => `<tr><th>${esc(what)}</th><td>${Math.round(ms * 100) / 100} ms</td>
    <td><svg class="bar" width="400" height="10"><rect width="${Math.max(1, Math.round(400 * ms / Math.max(r.latency_ms, 1)))}" height="10"></rect></svg></td></tr>`).join('')}</table>`;
}

// Small amounts keep their digits ($0.0000084, not $0.0000): a request often costs less than a hundredth of a cent.
const money = (v) => {
  const n = Number(v || 0);
  if (n === 0) return '$0';
  return '$' + (Math.abs(n) < 0.01 ? n.toFixed(10).replace(/0+$/, '') : n.toFixed(Math.abs(n) < 100 ? 4 : 2));
};

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
    <p class="hint">Who spent what, from the usage records in the database (every request, kept across restarts). Days are UTC.</p>
    <div class="inline" id="usage-presets"><button type="button" data-days="0">Today</button><button type="button" data-days="1">Yesterday</button>
    <button type="button" data-days="7">Last 7 days</button><button type="button" data-days="30">Last 30 days</button></div>
    <form class="inline" id="usage-form"><label>From (UTC day)<input name="from" type="date"></label><label>To (UTC day, included)<input name="to" type="date"></label>
    <label>Group by<select name="group_by"><option value="key">key</option><option value="user">user</option><option value="model">model</option><option value="day">day</option>
    <option value="key,model">key and model</option><option value="user,model">user and model</option></select></label>
    <button>Show</button><a id="usage-csv" href="#">Download CSV (one line per request)</a></form><div id="usage-table"></div>`;
  const form = $('#usage-form');
  const day = (offset) => new Date(Date.now() - offset * 86400000).toISOString().slice(0, 10);
  const nextDay = (value) => new Date(Date.parse(value + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10);
  // The API's `to` is exclusive; the form's is the last day shown, so the query asks for the day after it.
  const range = () => {
    const q = new URLSearchParams();
    if (form.from.value) q.set('from', form.from.value);
    if (form.to.value) q.set('to', nextDay(form.to.value));
    return q;
  };
  const names = {};
  if (state.features.keys) {
    try {
      for (const k of (await json('/admin/keys?include_revoked=true')).data) names[k.id] = `${k.name} (${k.prefix})`;
    } catch { /* names are a nicety: ids still show */ }
  }
  const columns = [
    ['key_id', 'Key', r => r.key_id ? (names[r.key_id] || r.key_id) : '(master key or none)'], ['user', 'User', r => r.user ?? '–'],
    ['model', 'Model', r => r.model], ['day', 'Day', r => r.day], ['requests', 'Requests', r => r.requests], ['errors', 'Errors', r => r.errors],
    ['input_tokens', 'Tokens in', r => r.input_tokens], ['output_tokens', 'Tokens out', r => r.output_tokens],
    ['cost_usd', 'Cost', r => money(r.cost_usd)], ['cache_hits', 'Cache hits', r => r.cache_hits ?? 0],
    ['cost_saved_usd', 'Saved by cache', r => money(r.cost_saved_usd)], ['compression_tokens_saved', 'Tokens saved by compression', r => r.compression_tokens_saved ?? 0],
  ];
  const load = async () => {
    const q = range();
    q.set('group_by', form.group_by.value);
    const body = await json('/admin/usage?' + q);
    const groups = form.group_by.value.split(',').map(g => g === 'key' ? 'key_id' : g);
    const shown = columns.filter(([name]) => groups.includes(name) || !['key_id', 'user', 'model', 'day'].includes(name));
    const rows = [...body.data].sort((a, b) => (b.cost_usd || 0) - (a.cost_usd || 0) || (b.requests - a.requests));
    const sum = (name) => rows.reduce((total, r) => total + Number(r[name] || 0), 0);
    $('#usage-table').innerHTML = rows.length === 0
      ? '<p class="notice" data-state="empty">No requests in this range.</p>'
      : `<table id="usage-rows"><tr>${shown.map(([, label]) => `<th>${esc(label)}</th>`).join('')}</tr>
        ${rows.map(r => `<tr data-row>${shown.map(([name, , cell]) => `<td data-column="${name}">${esc(cell(r))}</td>`).join('')}</tr>`).join('')}
        <tr class="total" data-total-row><th colspan="${groups.length}">Total</th>${shown.slice(groups.length).map(([name]) => `<td data-column="${name}">${esc(name.endsWith('_usd') ? money(sum(name)) : sum(name))}</td>`).join('')}</tr></table>`;
  };
  $('#usage-presets').addEventListener('click', e => {
    const days = e.target.dataset.days;
    if (days === undefined) return;
    form.from.value = day(Number(days));
    form.to.value = days === '1' ? day(1) : day(0);
    load();
  });
  form.addEventListener('submit', e => { e.preventDefault(); load(); });
  $('#usage-csv').addEventListener('click', e => {
    e.preventDefault();
    download('/admin/usage/export?' + range(), `usage-${form.from.value || 'start'}-to-${form.to.value || 'now'}.csv`);
  });
  form.from.value = day(0);
  form.to.value = day(0);
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
    // Each budget with what it has left in its period (UTC day, UTC month, the key's life).
    const budgets = (k) => [['daily', 'today'], ['monthly', 'this month'], ['total', 'in total']]
      .filter(([p]) => k['budget_' + p + '_usd'] != null)
      .map(([p, when]) => `<div data-budget="${p}" class="${k['budget_left_' + p + '_usd'] <= 0 ? 'error' : ''}">${exact(k['budget_left_' + p + '_usd'])} left of $${esc(k['budget_' + p + '_usd'])} ${when}</div>`)
      .join('') || 'none';
    $('#key-table').innerHTML = `<table><tr><th>Name</th><th>Prefix</th><th>User</th><th>Models</th><th>Limits</th><th>Spent today / month / total</th><th>Budget left</th><th>Last used</th><th></th></tr>${list.map(k => `
      <tr data-key="${esc(k.id)}" data-prefix="${esc(k.prefix)}"><td>${esc(k.name)}</td><td>${esc(k.prefix)}</td><td>${esc(k.user)}</td><td>${esc((k.models || k.allowed_models || []).join(', ')) || 'all'}</td>
      <td>${esc([k.rpm && k.rpm + ' rpm', k.tpm && k.tpm + ' tpm'].filter(Boolean).join(', ')) || 'none'}</td>
      <td data-spent>${money(k.spent_today_usd)} / ${money(k.spent_month_usd)} / ${money(k.spent_total_usd)}</td>
      <td>${budgets(k)}</td><td>${k.last_used_at ? esc(new Date(k.last_used_at).toLocaleString()) : 'never'}</td>
      <td>${k.revoked_at ? 'revoked' : `<button data-revoke="${esc(k.id)}">Revoke</button>`}</td></tr>`).join('')}</table>
      <p class="hint">Spend comes from the usage records, per UTC day and month, as budgets count it.</p>`;
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
    <table><tr><th>Deployment</th><th>Provider</th><th>Circuit</th><th>Recent calls</th><th>Prices (per M in/out)</th><th>Latest failures (UTC)</th></tr>
    ${m.deployments.map(d => `<tr data-deployment="${esc(d.id)}"><td>${esc(d.id)}</td><td>${esc(d.provider)} (${esc(d.provider_type)})</td>
      <td class="${d.circuit === 'closed' ? 'ok' : 'error'}">${esc(d.circuit)}${d.retry_after_s != null ? ' (retry in ' + d.retry_after_s + ' s)' : ''}</td>
      <td data-calls class="${d.recent_failures > 0 ? 'error' : ''}">${d.recent_calls === 0 ? 'none yet' : `${d.recent_failures} of ${d.recent_calls} failed`}</td>
      <td>${esc(d.input_per_million ?? '–')} / ${esc(d.output_per_million ?? '–')}</td>
      <td>${d.recent_errors.length ? d.recent_errors.map(r => `<div data-failure><a href="#request/${encodeURIComponent(r.request_id)}">${esc(utc(r.time))} ${esc(r.status)} ${esc(r.error_code || '')}</a> ${esc(r.message || '')}</div>`).join('') : 'none'}</td></tr>`).join('')}
    </table>`).join('')}
    <p class="hint">Circuits open after repeated failures and close after a cooldown. Calls and failures count the last requests this process kept (ui.recent_requests), failed attempts that a retry or fallback made good included.</p>`;
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
  const failed = r.attempts.filter(a => a.status >= 400).length;
  return `<tr class="clickable" data-request="${esc(r.id)}"><td>${esc(utc(r.time))}</td><td>${esc(r.model)}</td><td>${esc(r.deployment || '')}</td>
    <td>${esc(r.key_name ? r.key_name + ' (' + r.key_prefix + ')' : r.key_prefix || '')}</td><td class="${r.status >= 400 ? 'error' : 'ok'}">${esc(r.status)} ${esc(r.error_code || '')}</td>
    <td data-attempts class="${failed ? 'error' : ''}">${r.attempts.length}${failed ? ` (${failed} failed)` : ''}</td><td>${esc(r.latency_ms)} ms</td>
    <td>${esc(r.input_tokens)} / ${esc(r.output_tokens)}</td><td>${esc(r.cache)}</td></tr>`;
}

async function live() {
  page().innerHTML = `<h1>Live request log</h1>
    <form class="inline" id="live-filter"><label>Model<input name="model"></label><label>Key<input name="key"></label>
    <label>Status<input name="status" type="number" min="100" max="599"></label><label>Slower than (ms)<input name="slower" type="number" min="0"></label>
    <label>Errors only<input name="errors" type="checkbox"></label><button>Filter</button></form>
    <p class="hint">The last requests of this gateway process, newest first; new ones appear as they finish. Click a row for its attempts, timings and stored messages.</p>
    <p id="live-state">connecting…</p>
    <table id="live-table"><thead><tr><th>Time (UTC)</th><th>Model</th><th>Deployment</th><th>Key</th><th>Status</th><th>Attempts</th><th>Latency</th><th>Tokens in/out</th><th>Cache</th></tr></thead><tbody></tbody></table>`;
  $('#live-table').addEventListener('click', e => { const row = e.target.closest('tr[data-request]'); if (row) location.hash = 'request/' + encodeURIComponent(row.dataset.request); });
  const connect = async () => {
    stopLive();
    const form = $('#live-filter');
    const params = new URLSearchParams();
    if (form.model.value) params.set('model', form.model.value);
    if (form.key.value) params.set('key', form.key.value);
    if (form.status.value) params.set('status', form.status.value);
    if (form.slower.value) params.set('slower_than_ms', form.slower.value);
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
      ['Time (UTC)', r.time.replace('T', ' ').slice(0, 23)], ['Key name', r.key_name], ['Model', r.model + (r.served_model && r.served_model !== r.model ? ' → ' + r.served_model : '')], ['Deployment', r.deployment],
      ['Key', r.key_prefix], ['User', r.user], ['Status', r.status + ' ' + (r.error_code || '')], ['Error', r.error_message],
      ['Latency', r.latency_ms + ' ms'], ['Time to first token', r.ttft_ms != null ? r.ttft_ms + ' ms' : null], ['Upstream', r.upstream_ms != null ? r.upstream_ms + ' ms' : null],
      ['Tokens in / out', r.input_tokens + ' / ' + r.output_tokens], ['Cost', r.cost_usd != null ? money(r.cost_usd) : null], ['Cache', r.cache], ['Trace id', r.trace_id],
    ].filter(([, v]) => v != null && v !== '').map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
    <h2>Attempts</h2><table id="attempts"><tr><th>#</th><th>Deployment</th><th>Started after</th><th>Took</th><th>Status</th><th>Error</th></tr>
    ${r.attempts.map(a => `<tr><td>${a.number}</td><td>${esc(a.deployment)}</td><td>${a.started_ms} ms</td><td>${a.duration_ms} ms</td>
      <td class="${a.status >= 400 ? 'error' : 'ok'}">${a.status} ${esc(a.error_code || '')}</td><td>${esc(a.error_message || '')}</td></tr>`).join('')}</table>
    ${timeline(r)}
    ${r.attempts.length ? '' : '<p class="hint">No upstream call: answered by the gateway itself (an error before routing, or a cache hit).</p>'}
    <h2>Messages</h2><div id="messages"><p class="hint">Loading…</p></div>`;
  await showMessages(r.id);
}

async function showMessages(id) {
  const target = $('#messages');
  if (!state.requiresKey) {
    target.innerHTML = '<p class="hint" data-messages="unavailable">Stored messages are shown only behind a master key (auth.master_key).</p>';
    return;
  }
  const response = await api('/ui/api/requests/' + encodeURIComponent(id) + '/messages');
  const body = await response.json();
  if (!response.ok) {
    target.innerHTML = `<p class="hint" data-messages="unavailable">${esc(body?.error?.message)}</p>`;
    return;
  }
  if (!body.stored) {
    target.innerHTML = `<p class="hint" data-messages="not-stored">${esc(body.reason)}</p>`;
    return;
  }
  const text = (content) => typeof content === 'string' ? content : JSON.stringify(content, null, 2);
  target.innerHTML = `<table id="message-list" data-messages="stored">${(Array.isArray(body.messages) ? body.messages : []).map(m => `
    <tr data-role="${esc(m.role)}"><th>${esc(m.role)}</th><td><pre class="message">${esc(text(m.content))}</pre></td></tr>`).join('')}
    <tr data-role="answer"><th>answer</th><td><pre class="message" id="answer">${esc(body.answer ?? '')}</pre></td></tr></table>
    <p class="hint">Decrypted from the database (database.store_messages); each reading is logged.</p>`;
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', e => { e.preventDefault(); login($('#master-key').value.trim()); });
  $('#logout').addEventListener('click', async () => {
    stopLive();
    await fetch('/ui/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Switchboard-Dashboard': '1' } });
    showLogin('Signed out.');
  });
  window.addEventListener('hashchange', route);
  start();
});
