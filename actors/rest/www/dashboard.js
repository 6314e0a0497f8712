/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dashboard.js: remsim's operator dashboard (docs/dashboard.md).  Polls
 * GET /api/remsim/v1/state once a second (only re-rendering when the answer
 * changed), draws the bank grids, the clients and mappings tables, maps and
 * unmaps after a confirmation, shows the filtered, paged history, and a
 * banner while the server cannot be reached.  Same origin only; the bearer
 * token (if the server wants one) lives in sessionStorage and goes out as an
 * Authorization header; state-changing requests are application/json.
 * Only the visible view is drawn when the state changes; the others when
 * their tab is shown.  Performance API (for the benchmark): mark
 * "dashboard-first-render" after the first state was drawn (and
 * "dashboard-first-frame" once that frame was laid out and painted), measures
 * "dashboard-render" per state change and "dashboard-tab-render" per view
 * drawn on a tab switch. */
'use strict';

const API = '/api/remsim/v1';
const POLL_MS = 1000;
const FETCH_TIMEOUT_MS = 5000;
const HIST_LIMIT = 50;
const TOKEN_KEY = 'remsimToken';

const S = {
  text: '',            /* last /state answer, to skip identical renders */
  state: null,
  seenBanks: new Map(),/* bankId -> {numberOfSlots, name}: banks seen this session */
  tab: 'banks',
  hist: { offset: 0, filters: {} },
  pending: null,       /* the action waiting for confirmation */
  downSince: null,
  timer: null,
  polling: false,      /* a poll is running */
  again: false,        /* ... and another was asked for meanwhile */
  renders: 0,
  md: null,            /* model() of the last state */
  dirty: null,         /* views not drawn since the last state */
};

const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

/* One API request; resolves {json}, rejects {status, message, unreachable}. */
async function api(method, path, body) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  const opt = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body || {});
  }
  let r;
  try {
    r = await fetch(API + path, opt);
  } catch (e) {
    const why = e.name === 'TimeoutError' ? 'no answer within ' + FETCH_TIMEOUT_MS / 1000 + ' s'
                                          : 'no connection (' + e.message + ')';
    throw { status: 0, unreachable: true, message: why };
  }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!r.ok) {
    let message = (json && json.error) || ('HTTP ' + r.status + ' ' + r.statusText);
    if (r.status === 401)
      message = t ? 'the server rejected the token (401): nothing was changed'
                  : 'this server needs a bearer token (401): enter it with "Token…"';
    throw { status: r.status, unreachable: r.status >= 502, message };
  }
  return { json, text };
}

/* --- messages, banner, confirmation ------------------------------------- */

function showMsg(kind, text) {
  const m = $('msg');
  m.className = 'msg ' + kind;
  m.textContent = text;
  m.hidden = false;
}

function setReachable(ok, why) {
  const b = $('banner');
  if (ok) {
    S.downSince = null;
    b.hidden = true;
    return;
  }
  if (!S.downSince) S.downSince = new Date();
  b.textContent = 'Server unreachable since ' + S.downSince.toLocaleTimeString() + ': ' + why +
    '. The page keeps retrying; the data below may be stale.';
  b.hidden = false;
}

function askConfirm(text, action) {
  S.pending = action;
  $('confirm-text').textContent = text;
  $('confirm').hidden = false;
  $('confirm-yes').focus();
}

function closeConfirm() {
  S.pending = null;
  $('confirm').hidden = true;
}

/* --- slot names ----------------------------------------------------------- */

/* "C3:0", "3:0" -> {id, nr} or null */
function parseSlot(text, letter) {
  const m = new RegExp('^\\s*' + letter + '?(\\d{1,4}):(\\d{1,4})\\s*$', 'i').exec(text || '');
  if (!m) return null;
  const id = +m[1], nr = +m[2];
  return id <= 1023 && nr <= 1023 ? { id, nr } : null;
}
const cName = (c) => 'C' + c.clientId + ':' + c.slotNr;
const bName = (b) => 'B' + b.bankId + ':' + b.slotNr;

/* --- polling and rendering ------------------------------------------------ */

/* One poll; a poll asked for while one runs follows right after it, so
 * there is only ever one chain of polls (at most one a second by itself). */
async function poll() {
  if (S.polling) { S.again = true; return; }
  S.polling = true;
  clearTimeout(S.timer);
  try {
    const r = await api('GET', '/state');
    setReachable(true);
    if (S.authError) {   /* the token works (again) */
      S.authError = false;
      $('msg').hidden = true;
      $('token-form').hidden = true;
    }
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    if (r.text !== S.text) {
      S.text = r.text;
      S.state = r.json;
      render();
      if (S.tab === 'history' && S.hist.offset === 0) loadHistory();
    }
  } catch (e) {
    if (e.status === 401) {
      setReachable(true);
      if (!S.authError) showMsg('error', e.message);   /* once: keep an action's error visible */
      $('token-msg').textContent = token() ? 'token rejected: enter the right one' : 'token required';
      S.authError = true;
      $('token-form').hidden = false;
    } else {
      setReachable(false, e.message);
    }
  }
  S.polling = false;
  S.timer = setTimeout(poll, S.again ? 0 : POLL_MS);
  S.again = false;
}

/* derived view of the state: banks (with disconnected ones), clients, maps */
function model(st) {
  const banks = new Map();
  for (const b of st.banks) {
    S.seenBanks.set(b.bankId, { numberOfSlots: b.numberOfSlots, name: b.component_id ? b.component_id.name : '' });
    banks.set(b.bankId, { id: b.bankId, slots: b.numberOfSlots, up: true, state: b.state,
      name: b.component_id ? b.component_id.name : '', sw: b.component_id ? b.component_id.swVersion : '' });
  }
  const byBank = new Map(), byClient = new Map();
  for (const m of st.slotmaps) {
    byBank.set(m.bank.bankId + ':' + m.bank.slotNr, m);
    byClient.set(m.client.clientId + ':' + m.client.slotNr, m);
    const id = m.bank.bankId;
    if (!banks.has(id)) {
      const seen = S.seenBanks.get(id) || { numberOfSlots: 0, name: '' };
      banks.set(id, { id, slots: seen.numberOfSlots, up: false, state: 'DISCONNECTED', name: seen.name, sw: '' });
    }
    const b = banks.get(id);
    b.slots = Math.max(b.slots, m.bank.slotNr + 1);
  }
  for (const [id, seen] of S.seenBanks)
    if (!banks.has(id))
      banks.set(id, { id, slots: seen.numberOfSlots, up: false, state: 'DISCONNECTED', name: seen.name, sw: '' });
  const clients = new Map();
  for (const c of st.clients) {
    const k = c.peer.slice(1);
    clients.set(k, { key: k, up: true, state: c.state, name: c.component_id ? c.component_id.name : '',
      sw: c.component_id ? (c.component_id.software + ' ' + c.component_id.swVersion) : '' });
  }
  for (const k of byClient.keys())
    if (!clients.has(k)) clients.set(k, { key: k, up: false, state: 'not connected', name: '', sw: '' });
  return { banks: [...banks.values()].sort((a, b) => a.id - b.id), clients, byBank, byClient };
}

const PANELS = { banks: renderBanks, clients: renderClients, maps: renderMaps };

/* a new state: the visible view is drawn now, the others when shown */
function render() {
  performance.mark('dashboard-render-start');
  S.md = model(S.state);
  S.dirty = new Set(Object.keys(PANELS));
  renderPanel(S.tab);
  renderFreeClients(S.md);
  const up = S.md.banks.filter((b) => b.up).length;
  $('summary').textContent = up + ' bank(s) connected, ' + S.state.clients.length +
    ' client(s), ' + S.state.slotmaps.length + ' mapping(s)';
  performance.measure('dashboard-render', 'dashboard-render-start');
  S.renders++;
  document.body.dataset.renders = S.renders;
  if (S.renders === 1) {
    performance.mark('dashboard-first-render');
    /* after style, layout and paint of that frame */
    requestAnimationFrame(() => setTimeout(() => performance.mark('dashboard-first-frame'), 0));
  }
}

function renderPanel(name) {
  if (!S.md || !S.dirty.has(name)) return;
  S.dirty.delete(name);
  PANELS[name](S.md);
}

function renderBanks(md) {
  const sel = $('map-bank').value.trim().replace(/^[bB]/, '');
  const out = [];
  for (const b of md.banks) {
    const cells = [];
    for (let s = 0; s < b.slots; s++) {
      const k = b.id + ':' + s;
      const m = md.byBank.get(k);
      const cls = 'cell ' + (m ? 'st-' + m.state : 'free') + (k === sel ? ' sel' : '');
      const who = m ? cName(m.client) : '';
      const title = 'B' + k + (m ? ' → ' + who + ' (' + m.state + ')' : ' free');
      cells.push('<div class="' + cls + '" data-bank="' + k + '" title="' + esc(title) + '"><span class="nr">' +
        s + '</span><span class="who">' + (m ? esc(who) : '&nbsp;') + '</span></div>');
    }
    const used = cells.length ? [...md.byBank.keys()].filter((k) => k.startsWith(b.id + ':')).length : 0;
    out.push('<div class="bank' + (b.up ? '' : ' down') + '" data-bankid="' + b.id + '"><h3>B' + b.id + ' ' +
      esc(b.name) + ' <span class="st">' + esc(b.state) + ' · ' + b.slots + ' slots · ' + used +
      ' mapped</span></h3><div class="grid">' + cells.join('') + '</div></div>');
  }
  $('banks').innerHTML = out.length ? out.join('') : '<p class="empty">no bankd connected and no mappings</p>';
}

/* the map form's suggestions: connected client slots without a map */
function renderFreeClients(md) {
  const free = [];
  for (const [k, c] of md.clients)
    if (c.up && !md.byClient.has(k)) free.push('<option value="C' + k + '">');
  $('free-clients').innerHTML = free.join('');
}

function renderClients(md) {
  const rows = [];
  const keys = [...md.clients.keys()].sort((a, b) => {
    const [ai, as] = a.split(':').map(Number), [bi, bs] = b.split(':').map(Number);
    return ai - bi || as - bs;
  });
  for (const k of keys) {
    const c = md.clients.get(k);
    const m = md.byClient.get(k);
    rows.push('<tr data-client="' + k + '"' + (c.up ? '' : ' class="down"') + '><td>C' + k + '</td><td>' +
      esc(c.state) + '</td><td>' + esc(c.name) + '</td><td>' + esc(c.sw) + '</td><td>' +
      (m ? bName(m.bank) : '–') + '</td><td class="state">' + (m ? m.state : '') + '</td><td>' +
      (m ? '<button type="button" class="small plain unmap" data-slot="C' + k + '">Unmap…</button>'
         : '<button type="button" class="small plain pick" data-client="C' + k + '">Map…</button>') +
      '</td></tr>');
  }
  $('clients').tBodies[0].innerHTML = rows.length ? rows.join('')
    : '<tr><td colspan="7" class="empty">no clients</td></tr>';
}

function renderMaps(md) {
  const rows = S.state.slotmaps.map((m) => {
    const b = md.banks.find((x) => x.id === m.bank.bankId);
    const c = md.clients.get(m.client.clientId + ':' + m.client.slotNr);
    return '<tr data-map="' + bName(m.bank) + '"><td>' + cName(m.client) + '</td><td>' + bName(m.bank) +
      '</td><td class="state">' + m.state + '</td><td>' + (b && b.up ? 'connected' : 'not connected') +
      '</td><td>' + (c && c.up ? 'connected' : 'not connected') +
      '</td><td><button type="button" class="small plain unmap" data-slot="' + bName(m.bank) +
      '">Unmap…</button></td></tr>';
  });
  $('maps').tBodies[0].innerHTML = rows.length ? rows.join('')
    : '<tr><td colspan="6" class="empty">no mappings</td></tr>';
}

/* --- history ---------------------------------------------------------------- */

function localToUtc(v) { return v ? new Date(v).toISOString() : ''; }

async function loadHistory() {
  const q = new URLSearchParams({ limit: HIST_LIMIT, offset: S.hist.offset });
  for (const [k, v] of Object.entries(S.hist.filters)) if (v) q.set(k, v);
  try {
    const r = await api('GET', '/history?' + q.toString());
    const h = r.json;
    $('history').tBodies[0].innerHTML = h.events.length ? h.events.map((e) =>
      '<tr><td>' + esc(e.time) + '</td><td>' + esc(e.event) + '</td><td>' + esc(e.client) + '</td><td>' +
      esc(e.bank) + '</td><td>' + esc(e.state) + '</td><td>' + esc(e.origin) + '</td><td>' +
      esc(e.detail) + '</td></tr>').join('')
      : '<tr><td colspan="7" class="empty">no events match</td></tr>';
    const first = h.offset + (h.events.length ? 1 : 0);
    $('hist-page').textContent = 'events ' + first + '–' + (h.offset + h.events.length) + ' (newest first)';
    $('hist-newer').disabled = h.offset === 0;
    $('hist-older').disabled = !h.more;
  } catch (e) {
    showMsg('error', 'History: ' + e.message);
    if (e.unreachable) setReachable(false, e.message);
  }
}

function applyHistoryFilters() {
  const c = $('hist-client').value.trim(), b = $('hist-bank').value.trim();
  S.hist.filters = {
    client: c, bank: b,
    since: localToUtc($('hist-since').value), until: localToUtc($('hist-until').value),
  };
  S.hist.offset = 0;
  loadHistory();
}

/* --- actions ------------------------------------------------------------------ */

async function doChange(what, method, path, body, done) {
  try {
    const r = await api(method, path, body);
    showMsg('ok', done(r.json));
  } catch (e) {
    showMsg('error', what + ' failed: ' + e.message);
    if (e.unreachable) setReachable(false, e.message);
  }
  poll();
}

function requestMap() {
  const c = parseSlot($('map-client').value, 'C'), b = parseSlot($('map-bank').value, 'B');
  if (!c || !b) {
    showMsg('error', 'Map: enter a client slot (C3:0) and a bank slot (B1:5), ids and slots 0..1023');
    return;
  }
  const cn = 'C' + c.id + ':' + c.nr, bn = 'B' + b.id + ':' + b.nr;
  askConfirm('Map client slot ' + cn + ' to bank slot ' + bn + '?', () =>
    doChange('Map ' + cn + ' → ' + bn, 'POST', '/slotmaps',
      { bank: { bankId: b.id, slotNr: b.nr }, client: { clientId: c.id, slotNr: c.nr } },
      (m) => 'Mapped ' + cName(m.client) + ' → ' + bName(m.bank) + ' (' + m.state + ')'));
}

function requestUnmap(slot) {
  askConfirm('Unmap ' + slot + '? The modem loses its SIM card.', () =>
    doChange('Unmap ' + slot, 'DELETE', '/slotmaps/' + encodeURIComponent(slot), {},
      (m) => 'Unmapped ' + cName(m.client) + ' → ' + bName(m.bank) + ' (was ' + m.state + ')'));
}

function requestReset() {
  const n = S.state ? S.state.slotmaps.length : 0;
  askConfirm('Global reset: delete ALL ' + n + ' mapping(s)? Every modem loses its SIM card.', () =>
    doChange('Global reset', 'POST', '/reset', { confirm: true },
      (r) => 'Global reset: ' + r.removed + ' mapping(s) removed'));
}

function showTab(name) {
  if (!['banks', 'clients', 'maps', 'history'].includes(name)) name = 'banks';
  S.tab = name;
  for (const a of document.querySelectorAll('#tabs a'))
    a.classList.toggle('current', a.dataset.tab === name);
  for (const p of document.querySelectorAll('.panel'))
    p.hidden = p.id !== 'panel-' + name;
  if (name === 'history') {
    loadHistory();
  } else if (S.dirty && S.dirty.has(name)) {
    performance.mark('dashboard-tab-start');
    renderPanel(name);
    performance.measure('dashboard-tab-render', 'dashboard-tab-start');
  }
}

function init() {
  $('map-form').addEventListener('submit', (e) => { e.preventDefault(); requestMap(); });
  $('reset-btn').addEventListener('click', requestReset);
  $('confirm-yes').addEventListener('click', () => { const a = S.pending; closeConfirm(); if (a) a(); });
  $('confirm-no').addEventListener('click', () => { closeConfirm(); showMsg('ok', 'Cancelled: nothing changed'); });
  $('token-btn').addEventListener('click', () => { $('token-form').hidden = !$('token-form').hidden; });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
    $('token').value = '';
    $('token-msg').textContent = 'token set for this tab';
    poll();
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token-msg').textContent = 'token forgotten';
    poll();
  });
  $('banks').addEventListener('click', (e) => {
    const cell = e.target.closest('.cell');
    if (!cell) return;
    const k = cell.dataset.bank;
    if (S.state && S.state.slotmaps.some((m) => m.bank.bankId + ':' + m.bank.slotNr === k)) {
      requestUnmap('B' + k);
    } else {
      $('map-bank').value = 'B' + k;
      for (const c of document.querySelectorAll('.cell.sel')) c.classList.remove('sel');
      cell.classList.add('sel');
      $('map-client').focus();
    }
  });
  const tableClick = (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    if (b.classList.contains('unmap')) requestUnmap(b.dataset.slot);
    if (b.classList.contains('pick')) { $('map-client').value = b.dataset.client; $('map-bank').focus(); }
  };
  $('clients').addEventListener('click', tableClick);
  $('maps').addEventListener('click', tableClick);
  $('hist-form').addEventListener('submit', (e) => { e.preventDefault(); applyHistoryFilters(); });
  $('hist-clear').addEventListener('click', () => {
    for (const id of ['hist-client', 'hist-bank', 'hist-since', 'hist-until']) $(id).value = '';
    applyHistoryFilters();
  });
  $('hist-newer').addEventListener('click', () => {
    S.hist.offset = Math.max(0, S.hist.offset - HIST_LIMIT);
    loadHistory();
  });
  $('hist-older').addEventListener('click', () => { S.hist.offset += HIST_LIMIT; loadHistory(); });
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1));
  poll();
}

document.addEventListener('DOMContentLoaded', init);
