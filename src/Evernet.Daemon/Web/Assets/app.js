// Evernet web admin: plain JavaScript, no build step, no external code.
// Every value from the daemon goes into the page as text (textContent / SVG attributes), never as HTML.
'use strict';

const state = {
  snapshot: null,
  history: null,
  historyVersion: null,
  session: null,
  mode: 'connecting', // connecting | live | polling | reconnecting
  lastUpdateMs: 0,
  source: null,
  pollTimer: null,
  historyLoading: false,
};

const VIEWS = ['gateways', 'mesh', 'tunnels', 'events', 'admin'];
const POLL_MS = 3000;
const STALE_MS = 10000;

// ---- tiny DOM helpers ---------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = value;
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// ---- formatting ---------------------------------------------------------------------------------------------------

function num(value, digits = 1) {
  if (value === null || value === undefined) return '–';
  return Number(value).toLocaleString('en', { maximumFractionDigits: digits });
}

function percent(value, digits = 1) {
  return value === null || value === undefined ? '–' : `${num(value, digits)} %`;
}

function ms(value) {
  return value === null || value === undefined ? '–' : `${num(value, value < 10 ? 2 : 1)} ms`;
}

function bps(value) {
  if (value === null || value === undefined) return '–';
  const units = [['Gbit/s', 1e9], ['Mbit/s', 1e6], ['kbit/s', 1e3]];
  for (const [unit, size] of units) if (value >= size) return `${num(value / size, 1)} ${unit}`;
  return `${num(value, 0)} bit/s`;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 1) return `${num(seconds * 1000, 0)} ms`;
  if (seconds < 90) return `${num(seconds, 0)} s`;
  if (seconds < 5400) return `${num(seconds / 60, 0)} min`;
  if (seconds < 172800) return `${num(seconds / 3600, 1)} h`;
  return `${num(seconds / 86400, 1)} d`;
}

function clock(unixMs) {
  const d = new Date(unixMs);
  return d.toLocaleTimeString('en-GB', { hour12: false });
}

function dateTime(unixMs) {
  const d = new Date(unixMs);
  return `${d.toISOString().slice(0, 10)} ${clock(unixMs)}`;
}

// States are always written out: the icon and the colour only repeat what the text says.
const UPLINK = {
  up: ['▲', 'up', 'good'],
  degraded: ['◆', 'degraded', 'warn'],
  down: ['▼', 'down', 'bad'],
};
const MEMBER = {
  alive: ['●', 'alive', 'good'],
  suspect: ['◐', 'suspect', 'warn'],
  dead: ['✖', 'dead', 'bad'],
  left: ['○', 'left', 'muted'],
};
const TUNNEL = {
  up: ['▲', 'up', 'good'],
  down: ['▼', 'down', 'bad'],
  missing: ['✖', 'missing', 'bad'],
};

function badge([icon, text, tone], extra) {
  return h('span', { class: `state st-${tone}` }, h('span', { class: 'icon', 'aria-hidden': 'true', text: icon }), ` ${text}${extra ? ' ' + extra : ''}`);
}

function uplinkBadge(uplink) {
  return badge(UPLINK[uplink] || ['?', uplink ? uplink : 'no summary yet', 'muted']);
}

function memberBadge(stateName) {
  return badge(MEMBER[stateName] || ['?', stateName, 'muted']);
}

function tunnelBadge(tunnel) {
  return badge(tunnel ? (TUNNEL[tunnel] || ['?', tunnel, 'muted']) : ['–', 'no tunnel', 'muted']);
}

function usableBadge(g) {
  return g.usable ? badge(['✔', 'usable', 'good']) : badge(['✖', `not usable: ${g.reason}`, 'bad']);
}

function meter(value, label) {
  const clamped = Math.max(0, Math.min(100, Number(value) || 0));
  return h('span', { class: 'meter', role: 'img', 'aria-label': label },
    h('span', { class: 'meter-fill', style: { width: `${clamped}%` } }));
}

// ---- live data ----------------------------------------------------------------------------------------------------

function connect() {
  const forcePolling = new URLSearchParams(location.search).has('poll');
  if (forcePolling || !('EventSource' in window)) {
    startPolling();
    return;
  }
  const source = new EventSource('/api/live');
  state.source = source;
  source.addEventListener('open', () => setMode('live'));
  source.addEventListener('snapshot', (event) => {
    setMode('live');
    apply(JSON.parse(event.data));
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the stream (too many pages open) or is gone: poll instead, try the stream again later.
      state.source = null;
      startPolling();
      setTimeout(() => { if (!state.source) { stopPolling(); connect(); } }, 60000);
    } else {
      setMode('reconnecting');
    }
  });
}

function startPolling() {
  setMode('polling');
  if (state.pollTimer) return;
  const poll = async () => {
    try {
      const response = await fetch('/api/snapshot', { cache: 'no-store' });
      if (response.ok) apply(await response.json());
    } catch (e) {
      renderLive();
    }
  };
  poll();
  state.pollTimer = setInterval(poll, POLL_MS);
}

function stopPolling() {
  clearInterval(state.pollTimer);
  state.pollTimer = null;
}

function setMode(mode) {
  state.mode = mode;
  renderLive();
}

function apply(snapshot) {
  state.snapshot = snapshot;
  state.lastUpdateMs = Date.now();
  if (snapshot.history_version !== state.historyVersion) loadHistory();
  render();
}

async function loadHistory() {
  if (state.historyLoading) return;
  state.historyLoading = true;
  try {
    const response = await fetch('/api/history', { cache: 'no-store' });
    if (response.ok) {
      state.history = await response.json();
      state.historyVersion = state.history.version;
      renderGateways();
    }
  } catch (e) {
    // The next snapshot tries again.
  } finally {
    state.historyLoading = false;
  }
}

// ---- rendering ----------------------------------------------------------------------------------------------------

function render() {
  renderLive();
  renderHeader();
  renderErrors();
  renderGateways();
  renderMesh();
  renderTunnels();
  renderEvents();
  renderAdmin();
}

function renderLive() {
  const el = $('live');
  const stale = state.lastUpdateMs && Date.now() - state.lastUpdateMs > STALE_MS;
  let content;
  if (stale) content = badge(['⚠', `no update for ${age((Date.now() - state.lastUpdateMs) / 1000)}`, 'bad']);
  else if (state.mode === 'live') content = badge(['●', 'live', 'good']);
  else if (state.mode === 'polling') content = badge(['↻', `polling every ${POLL_MS / 1000} s`, 'warn']);
  else if (state.mode === 'reconnecting') content = badge(['↻', 'reconnecting…', 'warn']);
  else content = badge(['…', 'connecting', 'muted']);
  el.dataset.mode = stale ? 'stale' : state.mode;
  // The daemon's own snapshot time: the page's clock may differ from the router's.
  const at = state.snapshot && state.snapshot.status ? state.snapshot.status.node.at_unix_ms : null;
  replace(el, content, at ? h('span', { class: 'updated', text: ` as of ${clock(at)}` }) : null);
}

function renderHeader() {
  const status = state.snapshot && state.snapshot.status;
  if (!status) return;
  const node = status.node;
  $('node-name').textContent = node.name;
  document.title = `Evernet admin – ${node.name}`;
  const usable = status.gateways.filter((g) => g.usable).length;
  const m = status.membership;
  replace($('node-summary'),
    h('span', { text: `${node.roles.join(' + ')} · ${node.version} · up ${age(node.uptime_seconds)}` }),
    ' ',
    usable > 0 ? badge(['✔', `${usable} of ${status.gateways.length} gateways usable`, usable === status.gateways.length ? 'good' : 'warn'])
      : badge(['✖', `no usable gateway (of ${status.gateways.length})`, 'bad']),
    ' ',
    h('span', { text: `${m.alive} alive, ${m.suspect} suspect, ${m.dead} dead` }),
    node.draining ? [' ', badge(['⏸', 'draining', 'warn'])] : null);
}

function renderErrors() {
  const errors = (state.snapshot && state.snapshot.errors) || [];
  const el = $('errors');
  el.hidden = errors.length === 0;
  replace(el, errors.map((e) => h('p', { text: `⚠ ${e}` })));
}

function seriesFor(nodeId) {
  const history = state.history;
  if (!history) return null;
  return history.gateways.find((g) => g.node_id === nodeId) || null;
}

function renderGateways() {
  const status = state.snapshot && state.snapshot.status;
  if (!status) return;
  const gateways = status.gateways;
  const usable = gateways.filter((g) => g.usable);
  $('gateways-headline').textContent = gateways.length === 0
    ? 'No gateway known yet.'
    : `${usable.length} of ${gateways.length} gateways usable${usable.length ? ': ' + usable.map((g) => g.name).join(', ') : ' – degraded service'}.`;

  const shared = gateways.filter((g) => g.share_percent > 0);
  replace($('share'),
    h('h2', { text: 'Share of new flows from this node' }),
    shared.length === 0 ? h('p', { text: 'No gateway has a weight: this node sends no traffic through the mesh.' })
      : h('div', { class: 'share-bar', role: 'img', 'aria-label': shared.map((g) => `${g.name} ${num(g.share_percent)} %`).join(', ') },
        shared.map((g, i) => h('span', { class: `share-seg seg-${i % 6}`, style: { flexGrow: String(g.share_percent) }, title: `${g.name}: ${num(g.share_percent)} %` },
          h('span', { class: 'share-label', text: `${g.name} ${num(g.share_percent, 0)} %` })))));

  replace($('gateway-cards'), gateways.map(gatewayCard));
}

function gatewayCard(g) {
  const series = seriesFor(g.node_id);
  const load = g.load_percent;
  return h('article', { class: `card gw ${g.usable ? 'is-usable' : 'is-unusable'}`, 'data-gateway': g.name, 'aria-labelledby': `gw-${g.fingerprint}` },
    h('header', { class: 'card-head' },
      h('h3', { id: `gw-${g.fingerprint}`, text: g.name }),
      h('span', { class: 'fp', title: g.node_id, text: g.fingerprint })),
    h('p', { class: 'badges' }, usableBadge(g), ' ', g.draining ? badge(['⏸', 'draining', 'warn']) : null),
    h('dl', { class: 'facts' },
      fact('Uplink', h('span', { class: 'uplink', 'data-uplink': g.uplink || 'none' }, uplinkBadge(g.uplink)),
        g.summary_age_seconds !== null ? h('small', { text: ` summary v${g.summary_version}, ${age(g.summary_age_seconds)} old` }) : null),
      fact('Uplink loss / RTT', `${percent(g.uplink_loss_percent)} / ${ms(g.uplink_rtt_ms)}`),
      fact('Path from here', `${percent(g.path_loss_percent)} loss / ${ms(g.path_rtt_ms)}`),
      fact('Capacity', g.capacity_down_bps === null ? '–' : `↓ ${bps(g.capacity_down_bps)}  ↑ ${bps(g.capacity_up_bps)}`),
      fact('Load', load === null ? '–' : [meter(load, `load ${num(load)} %`), ` ${percent(load)} (↓ ${bps(g.load_down_bps)} ↑ ${bps(g.load_up_bps)})`]),
      fact('Active flows', g.active_flows === null ? '–' : num(g.active_flows, 0)),
      fact('Weight / share', [meter(g.share_percent, `share ${num(g.share_percent)} %`), ` ${g.weight} / ${percent(g.share_percent)}`]),
      fact('Tunnel', g.tunnel_interface ? [`${g.tunnel_interface} `, tunnelBadge(g.tunnel_state),
        g.last_handshake_age_seconds !== null ? ` handshake ${age(g.last_handshake_age_seconds)} ago` : ''] : tunnelBadge(null)),
      fact(g.usable ? 'Usable for' : 'Not usable for', age(g.usability_since_seconds))),
    h('div', { class: 'charts' },
      chart(series, 'Uplink loss %', 'uplink_loss_percent', '%', null),
      chart(series, 'RTT ms', 'uplink_rtt_ms', 'ms', 'path_rtt_ms')));
}

function fact(label, ...value) {
  return h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', {}, value));
}

// A small line chart of one history column; a second, dashed column when given. Down periods are hatched and labelled.
function chart(series, title, key, unit, secondKey) {
  const W = 300, H = 80, PAD_L = 34, PAD_B = 14, PAD_T = 6;
  const figure = h('figure', { class: 'chart' });
  const caption = h('figcaption');
  if (!series || series.at_unix_ms.length === 0) {
    replace(figure, h('p', { class: 'nodata', text: `${title}: no samples yet` }));
    return figure;
  }
  const times = series.at_unix_ms;
  const now = state.history.at_unix_ms;
  const windowMs = state.history.window_seconds * 1000;
  const start = Math.max(now - windowMs, times[0]);
  const span = Math.max(now - start, 1000);
  const values = series[key];
  const second = secondKey ? series[secondKey] : null;
  const all = values.concat(second || []).filter((v) => v !== null);
  const max = niceMax(all.length ? Math.max(...all) : 1, unit === '%' ? 1 : 5);
  const x = (t) => PAD_L + ((t - start) / span) * (W - PAD_L - 2);
  const y = (v) => PAD_T + (1 - v / max) * (H - PAD_T - PAD_B);

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-label': chartSummary(title, values, unit, span) },
    s('line', { x1: PAD_L, y1: y(0), x2: W - 2, y2: y(0), class: 'axis' }),
    s('line', { x1: PAD_L, y1: y(max), x2: W - 2, y2: y(max), class: 'grid' }),
    s('text', { x: PAD_L - 4, y: y(max) + 4, class: 'tick', 'text-anchor': 'end', text: `${num(max)}` }),
    s('text', { x: PAD_L - 4, y: y(0), class: 'tick', 'text-anchor': 'end', text: '0' }),
    s('text', { x: PAD_L, y: H - 2, class: 'tick', text: `−${age(span / 1000)}` }),
    s('text', { x: W - 2, y: H - 2, class: 'tick', 'text-anchor': 'end', text: 'now' }));

  // Hatch the stretches where the uplink was down: the gap in the line alone would not say why.
  for (let i = 0; i < times.length; i++) {
    if (series.uplink[i] !== 'down') continue;
    let j = i;
    while (j + 1 < times.length && series.uplink[j + 1] === 'down') j++;
    const x1 = x(times[i]);
    const x2 = j + 1 < times.length ? x(times[j + 1]) : W - 2;
    svg.append(s('rect', { x: x1, y: PAD_T, width: Math.max(2, x2 - x1), height: H - PAD_T - PAD_B, class: 'down-band' },
      s('title', { text: 'uplink down' })));
    if (x2 - x1 > 22) svg.append(s('text', { x: (x1 + x2) / 2, y: PAD_T + 10, class: 'down-label', 'text-anchor': 'middle', text: 'down' }));
    i = j;
  }
  svg.append(s('polyline', { points: points(times, values, x, y), class: 'line' }));
  if (second) svg.append(s('polyline', { points: points(times, second, x, y), class: 'line second' }));

  const last = lastValue(values);
  const lastSecond = second ? lastValue(second) : null;
  replace(caption, h('span', { class: 'chart-title', text: `${title}, last ${age(span / 1000)}` }),
    h('span', { class: 'chart-now', text: second
      ? ` now ${last === null ? '–' : num(last)} ${unit} uplink (solid), ${lastSecond === null ? '–' : num(lastSecond)} ${unit} path from here (dashed)`
      : ` now ${last === null ? '–' : num(last)} ${unit}` }));
  replace(figure, caption, svg);
  return figure;
}

function points(times, values, x, y) {
  const out = [];
  for (let i = 0; i < times.length; i++) if (values[i] !== null) out.push(`${x(times[i]).toFixed(1)},${y(values[i]).toFixed(1)}`);
  return out.join(' ');
}

function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

function niceMax(value, floor) {
  const v = Math.max(value, floor);
  const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
  for (const step of [1, 2, 2.5, 5, 10]) if (v <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function chartSummary(title, values, unit, spanMs) {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return `${title}: no data`;
  const max = Math.max(...present);
  const avg = present.reduce((a, b) => a + b, 0) / present.length;
  return `${title} over the last ${age(spanMs / 1000)}: now ${num(lastValue(values))} ${unit}, average ${num(avg)} ${unit}, maximum ${num(max)} ${unit}`;
}

// ---- mesh ---------------------------------------------------------------------------------------------------------

function renderMesh() {
  const snapshot = state.snapshot;
  if (!snapshot || !snapshot.members || !snapshot.status) return;
  const members = snapshot.members.members;
  const counts = snapshot.status.membership;
  $('mesh-counts').textContent =
    `${members.length} members: ${counts.alive} alive, ${counts.suspect} suspect, ${counts.dead} dead, ${counts.left} left.`;
  replace($('topology'), topology(members, snapshot.status));
  $('topology-caption').textContent =
    'SWIM picks gossip partners at random every protocol period, so there is no fixed gossip graph: every alive member ' +
    'exchanges gossip with every other over time, and the daemon keeps no per-peer edge list. The drawing therefore places ' +
    'the gateways inside and every other member on a ring (by role). Thin lines: the member-to-gateway star each node builds ' +
    'its tunnels on. Thick lines: this node\u2019s own tunnels, solid when up and dashed when down. Shapes: ■ gateway, ● node; ' +
    'a state mark (✖ dead, ? suspect, hollow = left) is drawn on every member.';

  const tbody = $('members').tBodies[0];
  replace(tbody, members.map((m) => h('tr', { 'data-member': m.name, 'data-state': m.state },
    h('th', { scope: 'row' }, m.name, h('br'), h('small', { class: 'fp', title: m.node_id, text: m.fingerprint })),
    h('td', { text: m.roles.join(', ') }),
    h('td', {}, memberBadge(m.state)),
    h('td', { text: age(m.since_seconds) }),
    h('td', { text: String(m.incarnation) }),
    h('td', { class: 'addresses', text: m.addresses.join(' ') || '–' }),
    h('td', { text: `serial ${m.certificate_serial}, until ${dateTime(m.certificate_not_after_unix_seconds * 1000).slice(0, 10)}` }))));
}

function topology(members, status) {
  const size = 600, c = size / 2;
  const gateways = members.filter((m) => m.roles.includes('gateway'));
  const nodes = members.filter((m) => !m.roles.includes('gateway'));
  const self = status.node.node_id;
  const position = new Map();
  const place = (list, radius, offset) => list.forEach((m, i) => {
    const angle = offset + (2 * Math.PI * i) / Math.max(list.length, 1) - Math.PI / 2;
    position.set(m.node_id, [c + radius * Math.cos(angle), c + radius * Math.sin(angle)]);
  });
  place(gateways, gateways.length === 1 ? 0 : 95, 0);
  place(nodes, 235, Math.PI / Math.max(nodes.length, 1));
  const labelAll = members.length <= 40;
  const svg = s('svg', { viewBox: `0 0 ${size} ${size}`, class: 'topology-svg', role: 'img',
    'aria-label': `Topology: ${gateways.length} gateways in the centre, ${nodes.length} other members on a ring` });

  const live = (m) => m.state === 'alive' || m.state === 'suspect';
  const edges = s('g', { class: 'edges' });
  for (const n of nodes) {
    if (!live(n) || n.node_id === self) continue;
    for (const g of gateways) {
      if (!live(g)) continue;
      const [x1, y1] = position.get(n.node_id);
      const [x2, y2] = position.get(g.node_id);
      edges.append(s('line', { x1, y1, x2, y2, class: 'edge' }));
    }
  }
  // This node's own tunnels, from its real tunnel state.
  const tunnelOf = new Map(status.gateways.map((g) => [g.node_id, g]));
  if (position.has(self)) {
    for (const g of gateways) {
      const gw = tunnelOf.get(g.node_id);
      if (!gw || !gw.tunnel_state) continue;
      const [x1, y1] = position.get(self);
      const [x2, y2] = position.get(g.node_id);
      edges.append(s('line', { x1, y1, x2, y2, class: `edge own tunnel-${gw.tunnel_state}` },
        s('title', { text: `${status.node.name} → ${g.name}: tunnel ${gw.tunnel_interface} ${gw.tunnel_state}` })));
    }
  }
  svg.append(edges);

  for (const m of members) {
    const [x, y] = position.get(m.node_id);
    const isGateway = m.roles.includes('gateway');
    const r = isGateway ? 16 : 9;
    const group = s('g', { class: `member st-${(MEMBER[m.state] || ['', '', 'muted'])[2]} state-${m.state}${m.node_id === self ? ' self' : ''}`, 'data-member': m.name },
      s('title', { text: `${m.name} (${m.roles.join(', ')}): ${m.state}${m.node_id === self ? ' – this node' : ''}` }));
    if (m.node_id === self) group.append(s('circle', { cx: x, cy: y, r: r + 6, class: 'self-ring' }));
    group.append(isGateway
      ? s('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, rx: 3, class: 'shape' })
      : s('circle', { cx: x, cy: y, r, class: 'shape' }));
    const mark = m.state === 'dead' ? '✖' : m.state === 'suspect' ? '?' : null;
    if (mark) group.append(s('text', { x, y: y + 4, class: 'mark', 'text-anchor': 'middle', text: mark }));
    if (labelAll || isGateway || m.node_id === self) {
      const below = isGateway ? y + r + 14 : (y > c ? y + r + 12 : y - r - 5);
      group.append(s('text', { x, y: below, class: 'label', 'text-anchor': 'middle', text: `${m.name}${m.state === 'alive' ? '' : ' (' + m.state + ')'}` }));
    }
    svg.append(group);
  }
  return svg;
}

// ---- tunnels and routes -------------------------------------------------------------------------------------------

function renderTunnels() {
  const snapshot = state.snapshot;
  if (!snapshot || !snapshot.status) return;
  const tbody = $('tunnels').tBodies[0];
  replace(tbody, snapshot.status.gateways.map((g) => h('tr', { 'data-gateway': g.name },
    h('th', { scope: 'row', text: g.name }),
    h('td', { text: g.tunnel_interface || '–' }),
    h('td', {}, tunnelBadge(g.tunnel_state)),
    h('td', { text: g.last_handshake_age_seconds === null ? 'never' : `${age(g.last_handshake_age_seconds)} ago` }),
    h('td', {}, usableBadge(g)),
    h('td', { class: 'num', text: String(g.weight) }),
    h('td', {}, meter(g.share_percent, `share ${num(g.share_percent)} %`), ` ${percent(g.share_percent)}`))));

  const routes = snapshot.routes;
  if (!routes) {
    replace($('routes'), h('p', { text: 'Route tables unavailable (see the error above).' }));
    return;
  }
  replace($('routes'), routes.tables.length === 0 ? h('p', { text: 'evernetd manages no route table on this node.' }) : routes.tables.map(routeTable));
}

function routeTable(t) {
  const max = Math.max(1, ...t.nexthops.map((n) => Math.max(n.installed_weight || 0, n.desired_weight || 0)));
  return h('article', { class: 'card route', 'data-table': t.name },
    h('h3', {}, `${t.name} `, h('small', { text: `table ${t.table}, ${t.mode === 'resilient' ? 'resilient nexthop group' : 'conntrack marks'}` }), ' ',
      t.in_sync ? badge(['✔', 'in sync', 'good']) : badge(['≠', 'not in sync', 'warn'])),
    t.source_prefixes.length ? h('p', { text: `Sources: ${t.source_prefixes.join(', ')}` }) : null,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Gateway', 'Interface', 'Installed weight', 'Wanted weight', ''].map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, t.nexthops.map((n) => h('tr', {},
        h('th', { scope: 'row', text: n.gateway }),
        h('td', { text: n.interface }),
        h('td', {}, meter((100 * (n.installed_weight || 0)) / max, `installed ${n.installed_weight ?? 'none'}`), ` ${n.installed_weight ?? 'not installed'}`),
        h('td', {}, meter((100 * (n.desired_weight || 0)) / max, `wanted ${n.desired_weight ?? 'none'}`), ` ${n.desired_weight ?? 'remove'}`),
        h('td', { text: n.installed_weight === n.desired_weight ? '✔' : '≠ differs' })))))));
}

// ---- events -------------------------------------------------------------------------------------------------------

const EVENT_KINDS = {
  'failover': ['⇄', 'failover'],
  'gateway-usability': ['⇄', 'failover'],
  'drain': ['⏸', 'failover'],
  'gateway-summary': ['✉', 'failover'],
  'member-state': ['◐', 'suspicion'],
  'rejected': ['⚠', 'rejection'],
  'revocation': ['⛔', 'rejection'],
};

function renderEvents() {
  const events = state.snapshot && state.snapshot.events;
  if (!events) return;
  const filter = $('event-filter').value;
  const shown = events.events.slice().reverse().filter((e) => filter === 'all' || (EVENT_KINDS[e.kind] || ['', 'other'])[1] === filter);
  $('events-empty').hidden = shown.length > 0;
  replace($('event-list'), shown.map((e) => {
    const [icon, group] = EVENT_KINDS[e.kind] || ['•', 'other'];
    return h('li', { class: `event ev-${group}`, 'data-kind': e.kind },
      h('time', { datetime: e.at, title: e.at, text: clock(e.at_unix_ms) }),
      h('span', { class: 'ev-icon', 'aria-hidden': 'true', text: icon }),
      h('span', { class: 'ev-kind', text: e.kind }),
      h('strong', { class: 'ev-subject', text: e.subject }),
      h('span', { class: 'ev-detail', text: e.detail }));
  }));
}

// ---- admin --------------------------------------------------------------------------------------------------------

async function loadSession() {
  try {
    const response = await fetch('/api/session', { cache: 'no-store' });
    if (response.ok) state.session = await response.json();
  } catch (e) {
    state.session = null;
  }
  renderAdmin();
}

function renderAdmin() {
  const session = state.session;
  if (!session) return;
  $('actions-disabled').hidden = session.actions_enabled;
  $('login-form').hidden = !session.actions_enabled || session.authenticated;
  $('admin-actions').hidden = !session.authenticated;
  if (session.authenticated) {
    $('session-idle').textContent = age(session.idle_timeout_seconds);
    $('session-expiry').textContent = session.expires_at_unix_ms ? dateTime(session.expires_at_unix_ms) : '–';
  }
  const node = state.snapshot && state.snapshot.status && state.snapshot.status.node;
  if (node) {
    $('drain-state').textContent = `${node.name} (${node.roles.join(' + ')}) is ${node.draining ? '⏸ draining: new flows go to other gateways' : 'not draining'}`;
  }
}

async function post(path, body) {
  const headers = { 'X-CSRF-Token': (state.session && state.session.csrf_token) || '' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
}

async function errorText(response) {
  try {
    const body = await response.json();
    return body.message || `${response.status}`;
  } catch (e) {
    return `HTTP ${response.status}`;
  }
}

async function login(event) {
  event.preventDefault();
  const message = $('login-message');
  message.textContent = 'Checking…';
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: $('password').value }),
    cache: 'no-store',
  });
  $('password').value = '';
  if (response.ok) {
    state.session = await response.json();
    message.textContent = '';
    $('action-message').textContent = '';
  } else {
    message.textContent = `✖ ${await errorText(response)}`;
  }
  renderAdmin();
}

async function action(path, done) {
  const message = $('action-message');
  message.textContent = 'Working…';
  let response;
  try {
    response = await post(path);
  } catch (e) {
    message.textContent = '✖ the daemon cannot be reached';
    return;
  }
  if (response.status === 401) {
    await loadSession();
    $('login-message').textContent = '✖ Your session has expired: log in again.';
    message.textContent = '';
    $('password').focus();
    return;
  }
  if (!response.ok) {
    message.textContent = `✖ ${await errorText(response)}`;
    return;
  }
  message.textContent = await done(response);
}

async function drain(draining) {
  await action(draining ? '/api/actions/drain' : '/api/actions/undrain', async (response) => {
    const data = await response.json();
    return data.draining ? '✔ Draining: nodes move new flows to other gateways.' : '✔ Not draining: this gateway takes new flows again.';
  });
}

async function diagnostics() {
  await action('/api/actions/diagnostics', async (response) => {
    const blob = await response.blob();
    const match = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '');
    const name = match ? match[1] : 'evernet-diagnostics.tar.gz';
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return `✔ Downloaded ${name} (${num(blob.size / 1024, 1)} KiB).`;
  });
}

async function logout() {
  const response = await post('/api/logout');
  if (response.ok) state.session = await response.json();
  else await loadSession();
  $('action-message').textContent = '';
  renderAdmin();
}

// ---- navigation ---------------------------------------------------------------------------------------------------

function showView() {
  const wanted = location.hash.slice(1);
  const view = VIEWS.includes(wanted) ? wanted : 'gateways';
  for (const section of document.querySelectorAll('section.view')) section.hidden = section.dataset.view !== view;
  for (const link of document.querySelectorAll('nav.tabs a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'admin') loadSession();
}

document.addEventListener('DOMContentLoaded', () => {
  window.addEventListener('hashchange', showView);
  showView();
  $('event-filter').addEventListener('change', renderEvents);
  $('login-form').addEventListener('submit', login);
  $('drain').addEventListener('click', () => drain(true));
  $('undrain').addEventListener('click', () => drain(false));
  $('diagnostics').addEventListener('click', diagnostics);
  $('logout').addEventListener('click', logout);
  setInterval(renderLive, 2000);
  loadSession();
  connect();
});
