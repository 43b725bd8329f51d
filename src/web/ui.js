// cprof web UI (served as /ui/static/ui.js): search, selection, Refine,
// the context menu, the sortable Top table and the graph's pan and zoom.
//
// State lives in the URL: Refine and the menu only change pprof's query
// parameters (f, i, h, s, sf, si, ...) and navigate, so every view is a
// link.  Profile text only ever reaches the page through textContent.
(function () {
	'use strict';

	// a regexp matching exactly this name
	function quote(name) {
		return '^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
	}

	// go to a view (path) with the current parameters changed (null deletes)
	function go(path, changes) {
		var q = new URLSearchParams(location.search);
		Object.keys(changes).forEach(function (k) {
			if (changes[k] === null || changes[k] === '')
				q.delete(k);
			else
				q.set(k, changes[k]);
		});
		var s = q.toString();
		location.href = path + (s ? '?' + s : '');
	}
	function here() {
		return location.pathname === '/ui/' ? '/ui/flamegraph' : location.pathname;
	}

	// Refine: param takes regexp re; ignore and hide add to what is there
	function refine(param, re, path) {
		var old = new URLSearchParams(location.search).get(param);
		if ((param === 'i' || param === 'h') && old)
			re = re + '|' + old;
		var ch = {};
		ch[param] = re;
		go(path || here(), ch);
	}

	// ---- selection (names of entries clicked in Top or the graph) ----
	var selected = [];
	function toggleSelected(name, el) {
		var k = selected.indexOf(name);
		if (k >= 0)
			selected.splice(k, 1);
		else
			selected.push(name);
		el.classList.toggle('sel', k < 0);
	}
	function selectionRegexp() {
		if (selected.length)
			return selected.map(quote).join('|');
		var s = document.getElementById('search');
		return s ? s.value : '';
	}

	// ---- the context menu ----
	function closeMenu() {
		var m = document.getElementById('menu');
		if (m && !m.hidden) {
			m.hidden = true;
			m.textContent = '';
		}
	}
	function openMenu(name, x, y) {
		var m = document.getElementById('menu');
		if (!m)
			return;
		m.textContent = '';
		var head = document.createElement('div');
		head.className = 'head';
		head.textContent = name;
		m.appendChild(head);
		[['Show source', 'source'], ['Focus', 'f'], ['Ignore', 'i'], ['Hide', 'h'],
			['Show from', 'sf']].forEach(function (a) {
			var b = document.createElement('button');
			b.textContent = a[0];
			b.setAttribute('data-action', a[1]);
			b.addEventListener('click', function () {
				closeMenu();
				if (a[1] === 'source')
					go('/ui/source', { f: quote(name) });
				else
					refine(a[1], quote(name));
			});
			m.appendChild(b);
		});
		m.hidden = false;
		var w = m.offsetWidth, h = m.offsetHeight;
		m.style.left = Math.max(0, Math.min(x, window.innerWidth - w - 4)) + 'px';
		m.style.top = Math.max(0, Math.min(y, window.innerHeight - h - 4)) + 'px';
	}

	// The flame graph's viewer (in the frame) calls these.
	var flame = null;
	window.cprofHost = {
		frameMenu: function (name, x, y) {
			var f = document.getElementById('flame'), r = f.getBoundingClientRect();
			openMenu(name, r.left + x, r.top + y);
		},
		dismiss: closeMenu,
		ready: function (api) {
			flame = api;
			var s = document.getElementById('search');
			if (s && s.value)
				highlight();
		},
	};

	// ---- search ----
	var hitClass = 'hit';
	function compile(text) {
		var s = document.getElementById('search');
		if (!text) {
			s.classList.remove('bad');
			return null;
		}
		try {
			var re = new RegExp(text);
			s.classList.remove('bad');
			return re;
		} catch (e) {
			s.classList.add('bad');
			return undefined;
		}
	}
	function mark(els, nameOf, re) {
		var n = 0;
		els.forEach(function (el) {
			var on = !!re && re.test(nameOf(el));
			el.classList.toggle(hitClass, on);
			if (on)
				n++;
		});
		return n;
	}
	function highlight() {
		var s = document.getElementById('search'), text = s.value, re = compile(text);
		if (re === undefined)
			return;
		var view = document.body.getAttribute('data-view'), n = 0;
		if (view === 'flamegraph') {
			if (flame)
				flame.search(text);
			return;
		}
		if (view === 'top')
			n = mark(document.querySelectorAll('#toptable tbody tr'), rowName, re);
		else if (view === 'graph')
			n = mark(Array.prototype.filter.call(document.querySelectorAll('#graph g.node'), isFunction), nodeName, re);
		else if (view === 'peek')
			n = mark(document.querySelectorAll('#peek .ln'), function (e) { return e.textContent; }, re);
		else if (view === 'source')
			n = mark(document.querySelectorAll('table.src tr'), function (e) { return e.textContent; }, re);
		document.body.setAttribute('data-hits', String(n));
	}

	// ---- Top ----
	function rowName(tr) {
		return tr.querySelector('td.name').textContent;
	}
	function setupTop(table) {
		var body = table.tBodies[0], dir = {};
		table.querySelectorAll('th').forEach(function (th) {
			th.addEventListener('click', function () {
				var col = +th.getAttribute('data-col');
				var rows = Array.prototype.slice.call(body.rows);
				// first click: numbers largest first, names A to Z
				var first = dir[col] = !dir[col];
				rows.sort(function (a, b) {
					var x, y, c;
					if (col >= 5) {
						x = a.cells[col].textContent;
						y = b.cells[col].textContent;
						c = x < y ? -1 : x > y ? 1 : 0;
						c = first ? c : -c;
					} else {
						x = +a.cells[col].getAttribute('data-v');
						y = +b.cells[col].getAttribute('data-v');
						c = first ? y - x : x - y;
					}
					return c || (+a.getAttribute('data-rank') - +b.getAttribute('data-rank'));
				});
				rows.forEach(function (r) { body.appendChild(r); });
				table.querySelectorAll('th').forEach(function (h) { h.className = ''; });
				th.className = (col >= 5) === first ? 'asc' : 'desc';
			});
		});
		body.addEventListener('click', function (e) {
			var tr = e.target.closest('tr');
			if (tr)
				toggleSelected(rowName(tr), tr);
		});
		body.addEventListener('contextmenu', function (e) {
			var tr = e.target.closest('tr');
			if (!tr)
				return;
			e.preventDefault();
			openMenu(rowName(tr), e.clientX, e.clientY);
		});
	}

	// ---- Graph ----
	function nodeName(g) {
		var a = g.querySelector('a');
		var t = a ? (a.getAttribute('xlink:title') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') || '') : '';
		var m = /^([\s\S]*) \([^()]*\)$/.exec(t);
		return m ? m[1] : t;
	}
	// a node standing for a function (N1, N2, ...), not the legend box
	function isFunction(g) {
		var t = g.querySelector('title');
		return !!t && /^N\d+$/.test(t.textContent) && nodeName(g) !== '';
	}
	function setupGraph(box) {
		var svg = box.querySelector('svg'), vp = svg && svg.getElementById('viewport');
		if (!vp)
			return;
		var scale = 1, x = 0, y = 0, grab = null, moved = false;
		function show() {
			vp.setAttribute('transform', 'translate(' + x + ',' + y + ') scale(' + scale + ')');
		}
		// fit the drawing into the box
		vp.setAttribute('transform', '');
		var bb = vp.getBBox(), r = box.getBoundingClientRect();
		if (bb.width > 0 && bb.height > 0) {
			scale = Math.min(r.width / bb.width, r.height / bb.height, 2) * 0.95;
			x = (r.width - bb.width * scale) / 2 - bb.x * scale;
			y = (r.height - bb.height * scale) / 2 - bb.y * scale;
		}
		show();
		box.addEventListener('wheel', function (e) {
			var b = box.getBoundingClientRect(), px = e.clientX - b.left, py = e.clientY - b.top;
			var s = Math.min(Math.max(scale * Math.pow(1.002, -e.deltaY), 0.01), 64);
			e.preventDefault();
			x = px - (px - x) * s / scale;
			y = py - (py - y) * s / scale;
			scale = s;
			show();
		}, { passive: false });
		box.addEventListener('mousedown', function (e) {
			if (e.button !== 0)
				return;
			grab = [e.clientX - x, e.clientY - y];
			moved = false;
			e.preventDefault();
		});
		window.addEventListener('mousemove', function (e) {
			if (!grab)
				return;
			if (Math.abs(e.clientX - grab[0] - x) + Math.abs(e.clientY - grab[1] - y) > 2)
				moved = true;
			x = e.clientX - grab[0];
			y = e.clientY - grab[1];
			show();
		});
		window.addEventListener('mouseup', function () { grab = null; });
		box.addEventListener('click', function (e) {
			var g = e.target.closest('g.node');
			e.preventDefault();
			if (g && !moved && isFunction(g))
				toggleSelected(nodeName(g), g);
		});
		box.addEventListener('contextmenu', function (e) {
			var g = e.target.closest('g.node');
			if (!g || !isFunction(g))
				return;
			e.preventDefault();
			openMenu(nodeName(g), e.clientX, e.clientY);
		});
		box.setAttribute('data-ready', '1');
	}

	function setup() {
		var s = document.getElementById('search'), timer = null;
		var view = document.body.getAttribute('data-view');
		if (s) {
			s.addEventListener('input', function () {
				clearTimeout(timer);
				timer = setTimeout(highlight, 300);
			});
			s.addEventListener('keydown', function (e) {
				if (e.key !== 'Enter')
					return;
				e.preventDefault();
				clearTimeout(timer);
				if (view === 'flamegraph' || compile(s.value) === undefined)
					highlight();
				else
					go(here(), { f: s.value });
			});
		}
		document.querySelectorAll('#refine button').forEach(function (b) {
			b.addEventListener('click', function () {
				var re = selectionRegexp();
				if (!re) {
					s.focus();
					s.placeholder = 'Type a regexp or select entries';
					return;
				}
				refine(b.getAttribute('data-param'), re);
			});
		});
		document.querySelectorAll('#filters .filter').forEach(function (f) {
			f.querySelector('.drop').addEventListener('click', function (e) {
				var ch = {};
				e.preventDefault();
				ch[f.getAttribute('data-param')] = null;
				go(here(), ch);
			});
		});
		var si = document.getElementById('si');
		if (si)
			si.addEventListener('change', function () { go(here(), { si: si.value }); });
		var g = document.getElementById('g');
		if (g)
			g.addEventListener('change', function () { go(here(), { g: g.value }); });
		var top = document.getElementById('toptable');
		if (top)
			setupTop(top);
		var graph = document.getElementById('graph');
		if (graph)
			setupGraph(graph);
		document.addEventListener('click', function (e) {
			if (!e.target.closest('#menu'))
				closeMenu();
		});
		document.addEventListener('keydown', function (e) {
			if (e.key === 'Escape')
				closeMenu();
		});
		document.body.setAttribute('data-ready', '1');
	}
	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', setup);
	else
		setup();
})();
