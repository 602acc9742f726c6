'use strict';
'require view';
'require fs';
'require poll';

// Evernet status for LuCI: runs `evernetctl status --json` and `evernetctl events --json --limit 15` through rpcd
// (see root/usr/share/rpcd/acl.d/luci-app-evernet.json; the command lines must match the ACL exactly).
// States are written as text; colour is never the only signal.

var EVERNETCTL = '/usr/bin/evernetctl';

// evernetctl exits 1 when no gateway is usable but still prints the status: only other codes are errors.
function runJson(args) {
	return fs.exec(EVERNETCTL, args).then(function(res) {
		if ((res.code === 0 || res.code === 1) && res.stdout)
			return JSON.parse(res.stdout);
		throw new Error((res.stderr || '').trim() || _('evernetctl exited with code %d').format(res.code));
	});
}

function loadAll() {
	return Promise.all([
		runJson([ 'status', '--json' ]).catch(function(e) { return { error: e.message }; }),
		runJson([ 'events', '--json', '--limit', '15' ]).catch(function(e) { return { error: e.message }; })
	]);
}

function fmt(value, unit, digits) {
	if (value === null || value === undefined)
		return '–';
	return '%s %s'.format(Number(value).toFixed(digits === undefined ? 1 : digits), unit);
}

function age(seconds) {
	if (seconds === null || seconds === undefined)
		return '–';
	if (seconds < 90)
		return '%d s'.format(Math.round(seconds));
	if (seconds < 5400)
		return '%d min'.format(Math.round(seconds / 60));
	return '%.1f h'.format(seconds / 3600);
}

var UPLINK = { up: '▲ up', degraded: '◆ degraded', down: '▼ down' };
var TUNNEL = { up: '▲ up', down: '▼ down', missing: '✖ missing' };

function gatewayRows(gateways) {
	return gateways.map(function(g) {
		return [
			E('strong', {}, g.name),
			g.usable ? '✔ ' + _('usable') : '✖ ' + _('not usable: %s').format(g.reason),
			g.uplink ? (UPLINK[g.uplink] || g.uplink) : _('no summary yet'),
			'%s / %s'.format(fmt(g.uplink_loss_percent, '%'), fmt(g.uplink_rtt_ms, 'ms')),
			fmt(g.load_percent, '%', 0),
			'%d (%s)'.format(g.weight, fmt(g.share_percent, '%', 0)),
			g.tunnel_interface ? '%s %s'.format(g.tunnel_interface, TUNNEL[g.tunnel_state] || g.tunnel_state) : '–',
			g.draining ? '⏸ ' + _('draining') : ''
		];
	});
}

function eventRows(events) {
	return events.slice().reverse().map(function(e) {
		return [ e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.kind, e.subject, e.detail ];
	});
}

function headline(status) {
	if (status.error)
		return E('p', { 'class': 'alert-message warning' }, _('evernetd does not answer: %s').format(status.error));
	var node = status.node, m = status.membership;
	var usable = status.gateways.filter(function(g) { return g.usable; }).length;
	return E('p', {}, [
		E('strong', {}, node.name), ' (%s, %s, up %s) — '.format(node.roles.join(' + '), node.version, age(node.uptime_seconds)),
		usable > 0
			? '✔ ' + _('%d of %d gateways usable').format(usable, status.gateways.length)
			: E('strong', {}, '✖ ' + _('no usable gateway: degraded service')),
		' — ' + _('members: %d alive, %d suspect, %d dead, %d left').format(m.alive, m.suspect, m.dead, m.left),
		node.draining ? ' — ⏸ ' + _('this gateway is draining') : ''
	]);
}

return view.extend({
	load: loadAll,

	update: function(data) {
		var status = data[0], events = data[1];
		this.headline.replaceChildren(headline(status));
		cbi_update_table(this.gatewayTable, status.error ? [] : gatewayRows(status.gateways),
			E('em', {}, status.error ? _('No data') : _('No gateway known yet')));
		cbi_update_table(this.eventTable, events.error ? [] : eventRows(events.events),
			E('em', {}, events.error ? _('No data: %s').format(events.error) : _('No events yet')));
	},

	render: function(data) {
		this.headline = E('div', { 'id': 'evernet-headline' });
		var gateways = this.gatewayTable = E('table', { 'class': 'table', 'id': 'evernet-gateways' }, [
			E('tr', { 'class': 'tr table-titles' }, [
				E('th', { 'class': 'th' }, _('Gateway')),
				E('th', { 'class': 'th' }, _('State')),
				E('th', { 'class': 'th' }, _('Uplink')),
				E('th', { 'class': 'th' }, _('Loss / RTT')),
				E('th', { 'class': 'th' }, _('Load')),
				E('th', { 'class': 'th' }, _('Weight (share)')),
				E('th', { 'class': 'th' }, _('Tunnel')),
				E('th', { 'class': 'th' }, '')
			])
		]);
		var events = this.eventTable = E('table', { 'class': 'table', 'id': 'evernet-events' }, [
			E('tr', { 'class': 'tr table-titles' }, [
				E('th', { 'class': 'th' }, _('Time (UTC)')),
				E('th', { 'class': 'th' }, _('Kind')),
				E('th', { 'class': 'th' }, _('About')),
				E('th', { 'class': 'th' }, _('Detail'))
			])
		]);
		var page = E('div', { 'class': 'cbi-map' }, [
			E('h2', {}, _('Evernet')),
			E('div', { 'class': 'cbi-map-descr' }, _('What evernetd on this router sees: gateways, their uplinks and this node\'s route weights. The full view with history charts is evernetd\'s own web interface, when enabled.')),
			this.headline,
			E('div', { 'class': 'cbi-section' }, [ E('h3', {}, _('Gateways')), gateways ]),
			E('div', { 'class': 'cbi-section' }, [ E('h3', {}, _('Recent events')), events ])
		]);
		this.update(data);
		poll.add(L.bind(function() { return loadAll().then(L.bind(this.update, this)); }, this), 5);
		return page;
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
