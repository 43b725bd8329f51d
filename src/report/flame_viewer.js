// cprof flame graph viewer (embedded in every flame SVG written by `cprof -flame`).
//
// The SVG already holds a static drawing: one <g class="row"> per stack level
// with one <rect> per frame, in the depth-first order of the data, so frame i
// is the next rect of row fd[i].  This script adds zoom, search, keyboard
// navigation, tooltips, orientation, colour modes, a top table and URL state,
// all from the JSON in #cprof-data.  It never writes profile text as markup:
// names only reach the page through textContent.
(function () {
	'use strict';
	var NS = 'http://www.w3.org/2000/svg';
	var root = document.getElementById('cprof-flame');
	var dataEl = document.getElementById('cprof-data');
	if (!root || !dataEl)
		return;
	var D = JSON.parse(dataEl.textContent);
	var N = D.fn.length, fn = D.fn, fd = D.fd, fw = D.fw, diff = !!D.diff;
	var PAD = D.pad, TOP = D.top, ROW = D.row, MAXD = D.maxd, CHAR = 6.7;
	var framesG = document.getElementById('frames');
	var labelsG = document.getElementById('labels');
	var detailsT = document.getElementById('details');
	var matchedT = document.getElementById('matched');
	var controlsG = document.getElementById('controls');
	var legendG = document.getElementById('legend');
	if (diff)
		root.setAttribute('class', 'diff');

	// ---- structure: parents, subtree ends, children, selves ----
	var parent = new Int32Array(N), end = new Int32Array(N), kids = new Array(N);
	var selfW = new Float64Array(N);
	(function () {
		var stack = [];
		for (var i = 0; i < N; i++) {
			kids[i] = [];
			while (stack.length && fd[stack[stack.length - 1]] >= fd[i])
				end[stack.pop()] = i;
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			if (parent[i] >= 0)
				kids[parent[i]].push(i);
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = N;
	})();
	function selves() {
		for (var i = 0; i < N; i++) {
			selfW[i] = fw[i];
			for (var k = 0; k < kids[i].length; k++)
				selfW[i] -= fw[kids[i][k]];
		}
	}
	selves();
	var selfT, selfB, selfC, selfCB;
	if (diff) {
		selfT = derive(D.ft);
		selfB = derive(D.fb);
		selfC = derive(D.fc);
		selfCB = derive(D.fcb);
	}
	function derive(tot) {
		var s = new Float64Array(N);
		for (var i = 0; i < N; i++) {
			s[i] = tot[i];
			for (var k = 0; k < kids[i].length; k++)
				s[i] -= tot[kids[i][k]];
		}
		return s;
	}
	var otherInfo = {};
	D.other.forEach(function (o) { otherInfo[o[0]] = o; });
	var inlined = {};
	D.inl.forEach(function (i) { inlined[i] = true; });

	// frame i -> its <rect>
	var rects = new Array(N);
	(function () {
		var rows = framesG.children, next = [];
		for (var d = 0; d < rows.length; d++)
			next.push(0);
		for (var i = 0; i < N; i++) {
			var r = rows[fd[i]].children[next[fd[i]]++];
			rects[i] = r;
			r.__i = i;
		}
	})();

	// ---- names and values ----
	function label(i) {
		if (fn[i] === -2)
			return 'all';
		if (fn[i] === -1)
			return 'other (' + otherInfo[i][1] + ' folded)';
		return D.names[fn[i]];
	}
	function fileOf(n) {
		if (n < 0 || D.nfile[n] < 0)
			return '';
		var f = D.files[D.nfile[n]];
		if (D.nline && D.nline[n])
			f += ':' + D.nline[n];
		return f;
	}
	function libOf(n) {
		return n >= 0 && D.nlib[n] >= 0 ? D.libs[D.nlib[n]] : '';
	}
	var FAMILIES = [
		[['B', ['b', 'byte'], 1], ['kB', ['kb', 'kbyte', 'kilobyte'], 1024],
			['MB', ['mb', 'mbyte', 'megabyte'], Math.pow(1024, 2)],
			['GB', ['gb', 'gbyte', 'gigabyte'], Math.pow(1024, 3)],
			['TB', ['tb', 'tbyte', 'terabyte'], Math.pow(1024, 4)],
			['PB', ['pb', 'pbyte', 'petabyte'], Math.pow(1024, 5)], 'B'],
		[['ns', ['ns', 'nanosecond'], 1], ['us', ['\u03bcs', 'us', 'microsecond'], 1e3],
			['ms', ['ms', 'millisecond'], 1e6], ['s', ['s', 'sec', 'second'], 1e9],
			['hrs', ['hour', 'hr'], 3600e9], 's'],
		[['n*GCU', ['nanogcu'], 0.001], ['u*GCU', ['microgcu'], 1], ['m*GCU', ['milligcu'], 1e3],
			['GCU', ['gcu'], 1e6], ['k*GCU', ['kilogcu'], 1e9], ['M*GCU', ['megagcu'], 1e12],
			['G*GCU', ['gigagcu'], 1e15], ['T*GCU', ['teragcu'], 1e18],
			['P*GCU', ['petagcu'], 1e21], 'GCU']
	];
	function sniff(fam, name) {
		var low = name.toLowerCase();
		if (low.length > 2 && low[low.length - 1] === 's')
			low = low.slice(0, -1);
		for (var k = 0; k < fam.length - 1; k++)
			if (fam[k][1].indexOf(low) >= 0)
				return fam[k];
		return null;
	}
	// A value of the data (scaled units) as pprof prints it: "1.50s", "12MB", "340".
	function fmt(v) {
		v = v * D.scale * D.ratio;
		var neg = v < 0, s, u = '';
		if (neg)
			v = -v;
		var auto = D.ounit === 'minimum' || D.ounit === 'auto', done = false;
		for (var f = 0; f < FAMILIES.length && !done; f++) {
			var fam = FAMILIES[f], from = sniff(fam, D.unit);
			if (!from)
				continue;
			done = true;
			v *= from[2];
			var to = null;
			if (auto) {
				for (var k = 0; k < fam.length - 1; k++)
					if (v / fam[k][2] >= 1 && (!to || fam[k][2] >= to[2]))
						to = fam[k];
			} else {
				to = sniff(fam, D.ounit);
			}
			if (!to)
				for (k = 0; k < fam.length - 1; k++)
					if (fam[k][0] === fam[fam.length - 1])
						to = fam[k];
			v /= to[2];
			u = to[0];
		}
		if (!done && !auto && ['count', 'sample', 'unit'].indexOf(D.ounit) < 0)
			u = D.ounit;
		s = v.toFixed(2);
		if (s.slice(-3) === '.00')
			s = s.slice(0, -3);
		if (s === '0')
			return '0';
		return (neg ? '-' : '') + s + u;
	}
	function pct(v, tot) {
		if (!tot)
			return '0%';
		return (100 * v / tot).toFixed(2) + '%';
	}

	// ---- state ----
	var st = { z: 0, sel: -1, search: '', icase: false, icicle: false, mode: 'pkg', alpha: false,
		self: false, sw: -1, basis: 'union' };
	var typing = false, typed = '', savedSearch = '';
	var W = D.W;
	var x0 = new Float64Array(N);
	var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)');
	var hit = new Uint8Array(N), nameHit = null, matches = [], matchPos = -1, searchErr = '';

	function layoutX() {
		x0[0] = 0;
		for (var i = 0; i < N; i++) {
			var ks = kids[i];
			if (!ks.length)
				continue;
			if (st.alpha) {
				ks = ks.slice().sort(function (a, b) {
					if ((fn[a] === -1) !== (fn[b] === -1))
						return fn[a] === -1 ? 1 : -1;
					var la = label(a), lb = label(b);
					return la < lb ? -1 : la > lb ? 1 : a - b;
				});
			}
			var x = x0[i];
			for (var k = 0; k < ks.length; k++) {
				x0[ks[k]] = x;
				x += fw[ks[k]];
			}
		}
	}

	// ---- colours ----
	// as flame.c's diff_color: intensity by the change relative to the frame
	function diffColor(nv, bv, nc, bc) {
		var d = nv - bv, varr = 0;
		if (bv === 0 && nv > 0)
			return 'url(#new)';
		if (nv === 0 && bv > 0)
			return 'url(#gone)';
		if (nc > 0)
			varr += nv * nv / nc;
		if (bc > 0)
			varr += bv * bv / bc;
		var z = varr > 0 ? d / Math.sqrt(varr) : (d === 0 ? 0 : Infinity);
		if (d === 0 || Math.abs(z) < 2)
			return '#c8c8c8';
		var k = 0.25 + 0.75 * Math.abs(d) / Math.max(nv, bv);
		var c = d > 0 ? [230, 97, 1] : [33, 102, 172];
		return 'rgb(' + c.map(function (x) { return Math.round(255 - k * (255 - x)); }).join(',') + ')';
	}
	function zOf(nv, bv, nc, bc) {
		var varr = (nc > 0 ? nv * nv / nc : 0) + (bc > 0 ? bv * bv / bc : 0);
		return varr > 0 ? (nv - bv) / Math.sqrt(varr) : (nv === bv ? 0 : Infinity);
	}
	function groupOf(n) {
		if (n < 0)
			return -1;
		return st.mode === 'pkg' ? D.npkg[n] : st.mode === 'lib' ? D.nlib[n] : D.nfile[n];
	}
	function groupName(g) {
		return (st.mode === 'pkg' ? D.pkgs : st.mode === 'lib' ? D.libs : D.files)[g];
	}
	function groupColor(g, jit) {
		if (g < 0)
			return dark && dark.matches ? '#555555' : '#c8c8c8';
		var l = (dark && dark.matches ? 34 : 74) + (jit - 4) * 1.5;
		return 'hsl(' + D.hue[st.mode][g] + ',55%,' + l + '%)';
	}
	function colorOf(i) {
		if (fn[i] === -1)
			return 'url(#other)';
		if (diff) {
			if (st.self)
				return diffColor(selfT[i], selfB[i], selfC[i], selfCB[i]);
			return diffColor(D.ft[i], D.fb[i], D.fc[i], D.fcb[i]);
		}
		if (fn[i] === -2)
			return groupColor(-1, 4);
		return groupColor(groupOf(fn[i]), D.jit[fn[i]]);
	}
	var painted = false;
	function paint() {
		for (var i = 0; i < N; i++)
			rects[i].setAttribute('fill', colorOf(i));
		painted = true;
	}

	// ---- drawing ----
	function rowY(d) {
		return TOP + (st.icicle ? d : MAXD - d) * ROW;
	}
	function isAncestor(a, b) { // a is b or an ancestor of b
		return a <= b && b < end[a];
	}
	function fit(text, chars) {
		if (text.length <= chars)
			return text;
		return chars > 2 ? text.slice(0, chars - 2) + '..' : '';
	}
	// Shorter forms of a symbol, as flame.c's short_form: without parameters,
	// without template arguments, the last two scope components, the last one
	// (for Go names: without the package path).
	function shortForms(s) {
		var out = [], end = s.length, depth = 0, i;
		if (s.slice(-6) === ' const')
			end -= 6;
		if (end && s[end - 1] === ')') {
			for (i = end - 1; i >= 0; i--) {
				if (s[i] === ')')
					depth++;
				else if (s[i] === '(' && --depth === 0)
					break;
			}
			if (i > 0)
				end = i;
		}
		var a = s.slice(0, end);
		if (end < s.length)
			out.push(a);
		var op = a.indexOf('operator'), b = '';
		if (op < 0)
			op = a.length;
		depth = 0;
		for (i = 0; i < a.length; i++) {
			if (i < op && a[i] === '<') {
				depth++;
			} else if (i < op && a[i] === '>' && depth > 0) {
				depth--;
			} else if (!depth) {
				b += a[i];
			}
		}
		if (b.length < a.length)
			out.push(b);
		if (b.indexOf(':') < 0) {
			var sl = b.lastIndexOf('/');
			if (sl >= 0)
				out.push(b.slice(sl + 1));
			return out;
		}
		var last = b.lastIndexOf('::');
		if (last > 0) {
			var prev = b.lastIndexOf('::', last - 1);
			if (prev >= 0)
				out.push(b.slice(prev + 2));
			out.push(b.slice(last + 2));
		}
		return out;
	}
	var formCache = {};
	function fitLabel(name, chars) {
		if (name.length <= chars)
			return name;
		var forms = formCache[name] || (formCache[name] = shortForms(name)), best = name;
		for (var k = 0; k < forms.length && best.length > chars; k++)
			best = forms[k];
		return fit(best, chars);
	}
	function render() {
		var z = st.z, sc = fw[z] > 0 ? W / fw[z] : 0, zx = x0[z], zend = end[z];
		var rows = framesG.children;
		for (var d = 0; d < rows.length; d++)
			rows[d].setAttribute('transform', 'translate(0,' + rowY(d) + ')');
		while (labelsG.firstChild)
			labelsG.removeChild(labelsG.firstChild);
		for (var i = 0; i < N; i++) {
			var r = rects[i], x, w, cls = '';
			if (i >= z && i < zend) {
				x = (x0[i] - zx) * sc;
				w = fw[i] * sc;
			} else if (isAncestor(i, z)) {
				x = 0;
				w = W;
				cls = 'anc';
			} else {
				w = 0;
			}
			if (w < 0.1) {
				r.setAttribute('display', 'none');
				continue;
			}
			r.removeAttribute('display');
			r.setAttribute('x', x.toFixed(1));
			r.setAttribute('width', w.toFixed(1));
			if (inlined[i])
				cls += ' inl';
			if (hit[i])
				cls += ' hit';
			if (i === st.sel)
				cls += ' sel';
			if (cls)
				r.setAttribute('class', cls.trim());
			else
				r.removeAttribute('class');
			var chars = Math.floor((w - 6) / CHAR);
			if (chars >= 3 && fn[i] !== -1) {
				var t = document.createElementNS(NS, 'text');
				t.setAttribute('x', (PAD + x + 3).toFixed(1));
				t.setAttribute('y', rowY(fd[i]) + 11);
				t.textContent = fitLabel(label(i), chars);
				labelsG.appendChild(t);
			}
		}
		drawControls();
		showMatched();
		saveState();
	}

	// ---- controls ----
	var MODE_NAMES = { pkg: 'package', lib: 'library', file: 'file' };
	function button(text, x, onclick, cls) {
		var t = document.createElementNS(NS, 'text');
		t.setAttribute('x', x);
		t.setAttribute('y', 12);
		t.setAttribute('class', 'btn' + (cls ? ' ' + cls : ''));
		t.textContent = text;
		if (onclick)
			t.addEventListener('click', function (e) { e.stopPropagation(); onclick(); });
		controlsG.appendChild(t);
		return x + text.length * CHAR + 14;
	}
	function drawControls() {
		while (controlsG.firstChild)
			controlsG.removeChild(controlsG.firstChild);
		var x = 0;
		x = button('Reset zoom (Esc)', x, function () { zoom(0); }, st.z ? '' : 'off');
		x = button(st.icicle ? 'Flame (i)' : 'Icicle (i)', x, toggleIcicle);
		if (!diff)
			x = button('Colour: ' + MODE_NAMES[st.mode] + ' (c)', x, cycleMode);
		else {
			x = button('Change: ' + (st.self ? 'self' : 'total') + ' (d)', x, toggleSelf);
			x = button('Width: ' + st.basis + ' (w)', x, cycleBasis);
		}
		x = button('Order: ' + (st.alpha ? 'name' : 'weight') + ' (o)', x, toggleOrder);
		x = button('Top (t)', x, toggleTop);
		x = button(st.sw >= 0 ? 'Back (Esc)' : 'Sandwich (s)', x, function () {
			if (st.sw >= 0)
				closeSandwich();
			else
				openSandwich(st.sel >= 0 ? fn[st.sel] : -1);
		}, st.sw >= 0 || (st.sel >= 0 && fn[st.sel] >= 0) ? '' : 'off');
		x = button('Help (?)', x, toggleHelp);
		var s = typing ? 'Search: ' + typed + '\u2581' :
			st.search ? 'Search: ' + st.search + (st.icase ? ' [ic]' : '') + '  (/ edit, n/N next)' :
				'Search (/)';
		var sx = W - Math.min(s.length, 60) * CHAR;
		var t = document.createElementNS(NS, 'text');
		t.setAttribute('x', Math.max(x, sx));
		t.setAttribute('y', 12);
		t.setAttribute('id', 'search');
		t.setAttribute('class', 'btn' + (typing ? ' typing' : ''));
		t.textContent = fit(s, 60);
		t.addEventListener('click', function (e) { e.stopPropagation(); startTyping(); });
		controlsG.appendChild(t);
	}

	// ---- search ----
	function setSearch(re) {
		st.search = re;
		searchErr = '';
		hit.fill(0);
		matches = [];
		matchPos = -1;
		if (re) {
			var rx;
			try {
				rx = new RegExp(re, st.icase ? 'i' : '');
			} catch (e) {
				searchErr = 'invalid regexp';
			}
			if (rx) {
				nameHit = new Uint8Array(D.names.length);
				for (var n = 0; n < D.names.length; n++) {
					var f = fileOf(n);
					nameHit[n] = rx.test(D.names[n]) || (f !== '' && rx.test(f)) ? 1 : 0;
				}
				for (var i = 0; i < N; i++)
					if (fn[i] >= 0 && nameHit[fn[i]]) {
						hit[i] = 1;
						matches.push(i);
					}
			}
		}
		render();
	}
	function matchedWidth(lo, hi) {
		var sum = 0;
		for (var i = lo; i < hi;) {
			if (hit[i]) {
				sum += fw[i];
				i = end[i];
			} else {
				i++;
			}
		}
		return sum;
	}
	function showMatched() {
		if (!st.search) {
			matchedT.textContent = ' ';
			return;
		}
		if (searchErr) {
			matchedT.textContent = 'Search: ' + searchErr;
			return;
		}
		var s = 'Matched: ' + pct(matchedWidth(0, N), fw[0]);
		if (st.z)
			s += ' (of zoom: ' + pct(matchedWidth(st.z, end[st.z]), fw[st.z]) + ')';
		matchedT.textContent = s;
	}
	function nextMatch(dir) {
		if (!matches.length)
			return;
		matchPos = (matchPos + dir + matches.length) % matches.length;
		st.sel = matches[matchPos];
		zoom(matches[matchPos]);
		showTipFor(st.sel);
	}
	function startTyping() {
		typing = true;
		savedSearch = st.search;
		typed = st.search;
		drawControls();
	}
	var typeTimer = null;
	function typedChanged() {
		drawControls();
		if (typeTimer)
			clearTimeout(typeTimer);
		typeTimer = setTimeout(function () { typeTimer = null; setSearch(typed); }, 120);
	}

	// ---- zoom, selection, toggles ----
	function zoom(i) {
		st.z = i > 0 && i < N ? i : 0;
		if (st.z && fn[st.z] === -1 && parent[st.z] >= 0 && fw[st.z] === 0)
			st.z = parent[st.z];
		render();
	}
	function select(i) {
		st.sel = i;
		if (i >= 0 && !(isAncestor(st.z, i) || isAncestor(i, st.z)))
			st.z = 0;
		render();
		if (i >= 0) {
			showDetails(i);
			showTipFor(i);
		}
	}
	function toggleIcicle() {
		st.icicle = !st.icicle;
		render();
	}
	function cycleMode() {
		if (diff)
			return;
		st.mode = st.mode === 'pkg' ? 'lib' : st.mode === 'lib' ? 'file' : 'pkg';
		paint();
		drawLegend();
		render();
	}
	function toggleSelf() {
		if (!diff)
			return;
		st.self = !st.self;
		paint();
		render();
	}
	// diff: frames as wide as max(base, new) per stack (union), the new or the base profile
	function setBasis(b) {
		st.basis = b;
		fw = b === 'new' ? D.ft : b === 'base' ? D.fb : D.fw;
		selves();
		if (fw[st.z] <= 0)
			st.z = 0;
		layoutX();
	}
	function cycleBasis() {
		if (!diff)
			return;
		setBasis(st.basis === 'union' ? 'new' : st.basis === 'new' ? 'base' : 'union');
		render();
	}
	function toggleOrder() {
		st.alpha = !st.alpha;
		layoutX();
		render();
	}

	// ---- tooltip and details ----
	var tip = document.createElementNS(NS, 'g');
	tip.setAttribute('id', 'tip');
	tip.setAttribute('display', 'none');
	tip.setAttribute('pointer-events', 'none');
	root.appendChild(tip);
	function describe(i) {
		var lines = [], n = fn[i], tot = fw[0], p = parent[i];
		var name = label(i);
		for (var k = 0; k < name.length && lines.length < 4; k += 100)
			lines.push(name.slice(k, k + 100) + (k + 100 < name.length && lines.length === 3 ? '..' : ''));
		var where = [fileOf(n), libOf(n)].filter(function (s) { return s; }).join(' \u00b7 ');
		if (where)
			lines.push(where);
		if (fn[i] === -1) {
			var o = otherInfo[i];
			lines.push(o[1] + ' calls (' + o[2] + ' frames) narrower than ' + fmt(D.minw) + ', folded');
		}
		if (inlined[i])
			lines.push('(inlined)');
		if (!diff) {
			var s = 'Total: ' + fmt(fw[i]) + ' (' + pct(fw[i], tot) + ' of all';
			if (p >= 0)
				s += ', ' + pct(fw[i], fw[p]) + ' of parent';
			if (st.z && st.z !== i && isAncestor(st.z, i))
				s += ', ' + pct(fw[i], fw[st.z]) + ' of zoom';
			lines.push(s + ')');
			lines.push('Self: ' + fmt(selfW[i]) + ' (' + pct(selfW[i], tot) + ' of all)');
		} else {
			var t = D.ft[i], b = D.fb[i], d = t - b;
			lines.push('Total: ' + fmt(b) + ' (' + pct(b, D.fb[0]) + ' of base) \u2192 ' + fmt(t) + ' (' +
				pct(t, D.ft[0]) + ' of new)');
			var z = zOf(t, b, D.fc[i], D.fcb[i]);
			lines.push('Change: ' + (d > 0 ? '+' : '') + fmt(d) + (b ? ' (' + (d > 0 ? '+' : '') + pct(d, b) + ')' : ' (new)') +
				(t === 0 && b > 0 ? ' gone' : '') + ', z = ' + (isFinite(z) ? z.toFixed(1) : '\u221e') +
				(Math.abs(z) < 2 ? ', within noise' : ''));
			if (fn[i] !== -1)
				lines.push('Self: ' + fmt(selfB[i]) + ' \u2192 ' + fmt(selfT[i]) + ' (' +
					(selfT[i] - selfB[i] >= 0 ? '+' : '') + fmt(selfT[i] - selfB[i]) + ')');
		}
		return lines;
	}
	function showDetails(i) {
		if (i < 0) {
			detailsT.textContent = ' ';
			return;
		}
		var s = label(i);
		if (s.length > 120)
			s = s.slice(0, 118) + '..';
		if (!diff)
			s += ' (' + fmt(fw[i]) + ', ' + pct(fw[i], fw[0]) + '; self ' + fmt(selfW[i]) + ')';
		else
			s += ' (' + fmt(D.fb[i]) + ' \u2192 ' + fmt(D.ft[i]) + ')';
		detailsT.textContent = s;
	}
	function showTip(i, px, py) {
		showLines(describe(i), px, py);
	}
	function showLines(lines, px, py) {
		while (tip.firstChild)
			tip.removeChild(tip.firstChild);
		var wmax = 0;
		var bg = document.createElementNS(NS, 'rect');
		tip.appendChild(bg);
		for (var k = 0; k < lines.length; k++) {
			var t = document.createElementNS(NS, 'text');
			t.setAttribute('x', 8);
			t.setAttribute('y', 16 + k * 15);
			if (k === 0)
				t.setAttribute('class', 'head');
			t.textContent = lines[k];
			tip.appendChild(t);
			wmax = Math.max(wmax, lines[k].length * CHAR);
		}
		var w = wmax + 16, h = lines.length * 15 + 10;
		bg.setAttribute('width', w);
		bg.setAttribute('height', h);
		bg.setAttribute('rx', 3);
		var vw = W + 2 * PAD, vh = +root.getAttribute('height');
		var x = px + 14, y = py + 14;
		if (x + w > vw)
			x = Math.max(0, px - w - 6);
		if (y + h > vh)
			y = Math.max(0, py - h - 6);
		tip.setAttribute('transform', 'translate(' + x + ',' + y + ')');
		tip.removeAttribute('display');
	}
	function showTipFor(i) {
		if (i < 0)
			return;
		var r = rects[i];
		if (r.getAttribute('display') === 'none')
			return;
		showTip(i, PAD + +r.getAttribute('x'), rowY(fd[i]) + ROW);
	}
	function hideTip() {
		tip.setAttribute('display', 'none');
	}
	function svgPoint(e) {
		var m = root.getScreenCTM();
		if (!m)
			return { x: e.clientX, y: e.clientY };
		var p = root.createSVGPoint();
		p.x = e.clientX;
		p.y = e.clientY;
		return p.matrixTransform(m.inverse());
	}


	// ---- sandwich: all callers above a function, all its callees below ----
	var swG = null, swSaved = null;
	function swTree(n) {
		// occurrences with no occurrence above them, so recursion counts once
		var occ = [], depthOn = 0, stack = [];
		for (var i = 0; i < N; i++) {
			while (stack.length && !isAncestor(stack[stack.length - 1], i)) {
				if (fn[stack.pop()] === n)
					depthOn--;
			}
			if (fn[i] === n) {
				if (!depthOn)
					occ.push(i);
				depthOn++;
			}
			stack.push(i);
		}
		function node(name) {
			return { n: name, w: 0, k: {}, order: [] };
		}
		function child(t, name) {
			if (!t.k[name]) {
				t.k[name] = node(name);
				t.order.push(name);
			}
			return t.k[name];
		}
		var callees = node(n), callers = node(n);
		function merge(t, f) {
			for (var k = 0; k < kids[f].length; k++) {
				var c = kids[f][k], m = child(t, fn[c]);
				m.w += fw[c];
				merge(m, c);
			}
		}
		occ.forEach(function (f) {
			callees.w += fw[f];
			callers.w += fw[f];
			merge(callees, f);
			for (var t = callers, p = parent[f]; p > 0; p = parent[p]) {
				t = child(t, fn[p]);
				t.w += fw[f];
			}
		});
		return { callers: callers, callees: callees, occ: occ.length };
	}
	function swDepth(t) {
		var d = 0;
		for (var k in t.k)
			d = Math.max(d, swDepth(t.k[k]));
		return d + 1;
	}
	function swName(n) {
		return n === -1 ? 'other (folded)' : D.names[n];
	}
	function openSandwich(n) {
		if (n < 0)
			return;
		closeSandwich();
		closePanel();
		hideTip();
		var tr = swTree(n), up = swDepth(tr.callers) - 1, down = swDepth(tr.callees) - 1;
		var total = tr.callees.w, sc = W / total, y0 = TOP + up * ROW;
		st.sw = n;
		swSaved = { details: detailsT.getAttribute('y'), matched: matchedT.getAttribute('y'),
			height: baseHeight };
		framesG.setAttribute('display', 'none');
		labelsG.setAttribute('display', 'none');
		if (legendG)
			legendG.setAttribute('display', 'none');
		swG = document.createElementNS(NS, 'g');
		swG.setAttribute('id', 'sandwich');
		swG.setAttribute('transform', 'translate(' + PAD + ',0)');
		root.insertBefore(swG, labelsG);
		function box(t, x, y, isCenter) {
			var w = t.w * sc;
			if (w < 0.1)
				return;
			var r = document.createElementNS(NS, 'rect');
			r.setAttribute('x', x.toFixed(1));
			r.setAttribute('y', y);
			r.setAttribute('width', w.toFixed(1));
			r.setAttribute('height', ROW - 1);
			r.setAttribute('fill', t.n === -1 ? 'url(#other)' :
				groupColor(groupOf(t.n), D.jit[t.n]));
			if (isCenter)
				r.setAttribute('class', 'sel');
			r.addEventListener('mousemove', function (e) {
				var p = svgPoint(e);
				var lines = [swName(t.n), (isCenter ? 'Total: ' : y < y0 ? 'Calls ' + swName(n) + ': ' :
					'Called from ' + swName(n) + ': ') + fmt(t.w) + ' (' + pct(t.w, total) +
					' of ' + swName(n) + ', ' + pct(t.w, fw[0]) + ' of all)'];
				if (isCenter)
					lines.push('Reached through ' + tr.occ + ' stack' + (tr.occ > 1 ? 's' : '') +
						'; callers above, callees below');
				else if (t.n >= 0)
					lines.push('Click: the sandwich of this function');
				showLines(lines, p.x, p.y);
				detailsT.textContent = swName(t.n) + ' (' + fmt(t.w) + ')';
			});
			r.addEventListener('mouseleave', hideTip);
			r.addEventListener('click', function (e) {
				e.stopPropagation();
				if (!isCenter && t.n >= 0)
					openSandwich(t.n);
			});
			swG.appendChild(r);
			var chars = Math.floor((w - 6) / CHAR);
			if (chars >= 3) {
				var tx = document.createElementNS(NS, 'text');
				tx.setAttribute('x', (x + 3).toFixed(1));
				tx.setAttribute('y', y + 11);
				tx.setAttribute('pointer-events', 'none');
				tx.textContent = fitLabel(swName(t.n), chars);
				swG.appendChild(tx);
			}
		}
		function lay(t, x, y, dir) {
			var ks = t.order.map(function (k) { return t.k[k]; });
			ks.sort(function (a, b) { return b.w - a.w || (a.n - b.n); });
			for (var i = 0; i < ks.length; i++) {
				box(ks[i], x, y + dir * ROW, false);
				lay(ks[i], x, y + dir * ROW, dir);
				x += ks[i].w * sc;
			}
		}
		box(tr.callees, 0, y0, true);
		lay(tr.callers, 0, y0, -1);
		lay(tr.callees, 0, y0, 1);
		var note = document.createElementNS(NS, 'text');
		note.setAttribute('x', 0);
		note.setAttribute('y', TOP - 4);
		note.setAttribute('class', 'note');
		note.textContent = 'Sandwich of ' + fit(swName(n), 80) + ': callers above, callees below (Esc: back)';
		swG.appendChild(note);
		var bottom = y0 + (down + 1) * ROW + 8;
		detailsT.setAttribute('y', bottom + 12);
		matchedT.setAttribute('y', bottom + 12);
		baseHeight = bottom + 30;
		setHeight(baseHeight);
		drawControls();
		saveState();
	}
	function closeSandwich() {
		if (!swG)
			return false;
		root.removeChild(swG);
		swG = null;
		st.sw = -1;
		framesG.removeAttribute('display');
		labelsG.removeAttribute('display');
		if (legendG)
			legendG.removeAttribute('display');
		detailsT.setAttribute('y', swSaved.details);
		matchedT.setAttribute('y', swSaved.matched);
		baseHeight = swSaved.height;
		setHeight(baseHeight);
		hideTip();
		render();
		return true;
	}

	// ---- panels: help and top table ----
	var panel = null, baseHeight = +root.getAttribute('height');
	function setHeight(h) {
		root.setAttribute('height', h);
		root.setAttribute('viewBox', '0 0 ' + (W + 2 * PAD) + ' ' + h);
	}
	function closePanel() {
		if (panel) {
			root.removeChild(panel);
			panel = null;
			setHeight(baseHeight);
			return true;
		}
		return false;
	}
	function openPanel(kind, lines, onrow) {
		closePanel();
		panel = document.createElementNS(NS, 'g');
		panel.setAttribute('class', 'panel');
		panel.__kind = kind;
		var bg = document.createElementNS(NS, 'rect'), wmax = 0;
		panel.appendChild(bg);
		lines.forEach(function (l, k) {
			var t = document.createElementNS(NS, 'text');
			t.setAttribute('x', 12);
			t.setAttribute('y', 20 + k * 15);
			t.textContent = l;
			if (onrow && k >= 2) {
				t.setAttribute('class', 'row');
				t.addEventListener('click', function (e) { e.stopPropagation(); onrow(k - 2); });
			}
			panel.appendChild(t);
			wmax = Math.max(wmax, l.length * CHAR);
		});
		bg.setAttribute('width', wmax + 24);
		bg.setAttribute('height', lines.length * 15 + 16);
		bg.setAttribute('rx', 4);
		panel.setAttribute('transform', 'translate(' + (PAD + 20) + ',' + (TOP + 10) + ')');
		panel.addEventListener('click', function (e) { e.stopPropagation(); });
		root.appendChild(panel);
		// a short graph grows to show the whole panel
		setHeight(Math.max(baseHeight, TOP + 10 + lines.length * 15 + 16 + PAD));
	}
	function toggleHelp() {
		if (panel && panel.__kind === 'help') {
			closePanel();
			return;
		}
		openPanel('help', [
			'Keys and mouse',
			'',
			'click            zoom to a frame (click a faded ancestor to zoom out)',
			'Esc              reset zoom; again: clear search and selection',
			'/                search (a regexp over names and files); Enter keeps it',
			'n / N            next / previous match: select and zoom to it',
			'I                toggle ignore case for the search',
			'arrows           move the selection (up/down: callee/caller)',
			'Enter            zoom to the selection; u or Backspace: zoom out one level',
			'i                flame (root at bottom) / icicle (root at top)',
			diff ? 'd / w            colour by change of total or self / width: union, new, base' :
				'c                colour by package / library / file',
			'o                order siblings by weight / by name',
			't                top functions table (click a row to search it)',
			's                sandwich of the selected function: all its callers above,',
			'                 all its callees below (click a box to move; Esc: back)',
			'?                this help',
			'',
			'The zoom, search and view are kept in the URL after #.'
		]);
	}
	var topRows = [];
	function toggleTop() {
		if (panel && panel.__kind === 'top') {
			closePanel();
			return;
		}
		// self and total per name; total counts a name once per stack (recursion)
		var self = {}, total = {}, onPath = {}, stack = [];
		for (var i = 0; i < N; i++) {
			while (stack.length && !isAncestor(stack[stack.length - 1], i)) {
				var j = stack.pop();
				if (fn[j] >= 0)
					onPath[fn[j]]--;
			}
			var n = fn[i];
			if (n >= 0) {
				self[n] = (self[n] || 0) + selfW[i];
				if (!onPath[n])
					total[n] = (total[n] || 0) + fw[i];
				onPath[n] = (onPath[n] || 0) + 1;
			}
			stack.push(i);
		}
		topRows = Object.keys(self).map(Number).sort(function (a, b) {
			return self[b] - self[a] || total[b] - total[a] || a - b;
		}).slice(0, 25);
		var lines = ['Top functions by self (of all ' + fmt(fw[0]) + ')', pad('self', 9) + ' ' +
			pad('self%', 7) + ' ' + pad('total', 9) + ' ' + pad('total%', 7) + '  name'];
		topRows.forEach(function (n) {
			var nm = D.names[n];
			lines.push(pad(fmt(self[n]), 9) + ' ' + pad(pct(self[n], fw[0]), 7) + ' ' +
				pad(fmt(total[n]), 9) + ' ' + pad(pct(total[n], fw[0]), 7) + '  ' +
				(nm.length > 80 ? nm.slice(0, 78) + '..' : nm));
		});
		openPanel('top', lines, function (k) {
			closePanel();
			setSearch('^' + D.names[topRows[k]].replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$');
		});
	}
	function pad(s, n) {
		while (s.length < n)
			s = ' ' + s;
		return s;
	}

	// ---- legend (colour modes) ----
	function drawLegend() {
		if (diff || !legendG)
			return;
		while (legendG.firstChild)
			legendG.removeChild(legendG.firstChild);
		var w = {}, folded = 0;
		for (var i = 1; i < N; i++) {
			if (fn[i] === -1) {
				folded += fw[i];
				continue;
			}
			var g = groupOf(fn[i]);
			w[g] = (w[g] || 0) + selfW[i];
		}
		var gs = Object.keys(w).map(Number).sort(function (a, b) { return w[b] - w[a] || a - b; });
		var x = PAD, y = 0, shown = 0;
		function item(fill, text) {
			var need = 16 + text.length * CHAR + 18;
			if (x + need > PAD + W && x > PAD) {
				x = PAD;
				y += 18;
			}
			var r = document.createElementNS(NS, 'rect');
			r.setAttribute('x', x);
			r.setAttribute('y', y);
			r.setAttribute('width', 12);
			r.setAttribute('height', 12);
			r.setAttribute('fill', fill);
			legendG.appendChild(r);
			var t = document.createElementNS(NS, 'text');
			t.setAttribute('x', x + 16);
			t.setAttribute('y', y + 10);
			t.textContent = text;
			legendG.appendChild(t);
			x += need;
		}
		for (var k = 0; k < gs.length && shown < 12; k++, shown++) {
			if (w[gs[k]] <= 0)
				break;
			var name = gs[k] < 0 ? '(none)' : groupName(gs[k]);
			if (name.length > 28)
				name = name.slice(0, 26) + '..';
			item(groupColor(gs[k], 4), name + ' ' + pct(w[gs[k]], fw[0]));
		}
		if (folded > 0)
			item('url(#other)', 'folded ' + pct(folded, fw[0]));
	}

	// ---- URL state ----
	function saveState() {
		var p = [];
		if (st.z)
			p.push('z=' + st.z);
		if (st.search)
			p.push('s=' + encodeURIComponent(st.search));
		if (st.icase)
			p.push('ic=1');
		if (st.icicle)
			p.push('v=icicle');
		if (st.mode !== 'pkg')
			p.push('c=' + st.mode);
		if (st.alpha)
			p.push('o=name');
		if (st.self)
			p.push('d=self');
		if (st.basis !== 'union')
			p.push('w=' + st.basis);
		if (st.sel >= 0)
			p.push('sel=' + st.sel);
		if (st.sw >= 0)
			p.push('sw=' + st.sw);
		var h = p.length ? '#' + p.join('&') : '';
		if (h === location.hash || (!h && !location.hash))
			return;
		try {
			history.replaceState(null, '', h || location.pathname + location.search);
		} catch (e) {
			// some viewers refuse history changes for local files: keep going without
		}
	}
	function loadState() {
		var h = location.hash.replace(/^#/, '');
		h.split('&').forEach(function (kv) {
			var e = kv.indexOf('='), k = e < 0 ? kv : kv.slice(0, e), v = e < 0 ? '' : kv.slice(e + 1);
			try {
				v = decodeURIComponent(v);
			} catch (err) {
				return;
			}
			if (k === 'z' && +v > 0 && +v < N)
				st.z = +v;
			else if (k === 's')
				st.search = v;
			else if (k === 'ic')
				st.icase = v === '1';
			else if (k === 'v')
				st.icicle = v === 'icicle';
			else if (k === 'c' && (v === 'lib' || v === 'file'))
				st.mode = v;
			else if (k === 'o')
				st.alpha = v === 'name';
			else if (k === 'd')
				st.self = v === 'self';
			else if (k === 'w' && diff && (v === 'new' || v === 'base'))
				st.basis = v;
			else if (k === 'sel' && +v >= 0 && +v < N)
				st.sel = +v;
			else if (k === 'sw' && +v >= 0 && +v < D.names.length)
				st.sw = +v;
		});
	}

	// ---- sizing ----
	function fitWidth() {
		if (document.documentElement !== root)
			return; // embedded in a page: keep the static width
		var scrollbar = baseHeight > window.innerHeight ? 17 : 0;
		var vw = Math.max(600, Math.floor(window.innerWidth) - scrollbar - 2 * PAD);
		if (vw === W)
			return;
		W = vw;
		root.setAttribute('width', W + 2 * PAD);
		setHeight(+root.getAttribute('height'));
		var c = String(PAD + W / 2);
		document.getElementById('title').setAttribute('x', c);
		document.getElementById('subtitle').setAttribute('x', c);
		matchedT.setAttribute('x', PAD + W);
	}

	// ---- events ----
	framesG.addEventListener('mousemove', function (e) {
		var i = e.target.__i;
		if (i === undefined)
			return;
		showDetails(i);
		var p = svgPoint(e);
		showTip(i, p.x, p.y);
	});
	framesG.addEventListener('mouseleave', function () {
		hideTip();
		showDetails(st.sel);
	});
	framesG.addEventListener('click', function (e) {
		var i = e.target.__i;
		if (i === undefined)
			return;
		st.sel = i;
		zoom(i === st.z && i ? parent[i] : i);
	});
	root.addEventListener('click', function () { closePanel(); });
	function moveSel(key) {
		var s = st.sel >= 0 ? st.sel : st.z, t = -1;
		var up = (key === 'ArrowUp') !== st.icicle; // towards the leaves
		if (key === 'ArrowUp' || key === 'ArrowDown') {
			if (up) {
				var ks = kids[s].filter(function (k) { return rects[k].getAttribute('display') !== 'none'; });
				var best = -1;
				ks.forEach(function (k) { if (best < 0 || x0[k] < x0[best]) best = k; });
				t = best;
			} else {
				t = parent[s];
			}
		} else {
			var dir = key === 'ArrowRight' ? 1 : -1, bx = null;
			for (var i = 0; i < N; i++) {
				if (fd[i] !== fd[s] || i === s || rects[i].getAttribute('display') === 'none')
					continue;
				var dx = (x0[i] - x0[s]) * dir;
				if (dx > 0 && (bx === null || dx < bx)) {
					bx = dx;
					t = i;
				}
			}
		}
		if (t >= 0)
			select(t);
	}
	document.addEventListener('keydown', function (e) {
		if (e.ctrlKey || e.metaKey || e.altKey)
			return;
		var k = e.key;
		if (typing) {
			if (k === 'Enter') {
				typing = false;
				if (typeTimer)
					clearTimeout(typeTimer), typeTimer = null;
				setSearch(typed);
			} else if (k === 'Escape') {
				typing = false;
				if (typeTimer)
					clearTimeout(typeTimer), typeTimer = null;
				setSearch(savedSearch);
			} else if (k === 'Backspace') {
				typed = typed.slice(0, -1);
				typedChanged();
			} else if (k.length === 1) {
				typed += k;
				typedChanged();
			} else {
				return;
			}
			e.preventDefault();
			return;
		}
		switch (k) {
		case '/':
			startTyping();
			break;
		case 'n':
			nextMatch(1);
			break;
		case 'N':
			nextMatch(-1);
			break;
		case 'I':
			st.icase = !st.icase;
			setSearch(st.search);
			break;
		case 'Escape':
			if (closePanel() || closeSandwich())
				break;
			hideTip();
			if (st.z)
				zoom(0);
			else if (st.search || st.sel >= 0) {
				st.sel = -1;
				showDetails(-1);
				setSearch('');
			}
			break;
		case 'Enter':
			if (st.sel >= 0)
				zoom(st.sel);
			break;
		case 'u':
		case 'Backspace':
			if (st.z)
				zoom(parent[st.z]);
			break;
		case 'i':
			toggleIcicle();
			break;
		case 'c':
			cycleMode();
			break;
		case 'd':
			toggleSelf();
			break;
		case 'o':
			toggleOrder();
			break;
		case 'w':
			cycleBasis();
			break;
		case 't':
			toggleTop();
			break;
		case 's':
			if (st.sw < 0 && st.sel >= 0)
				openSandwich(fn[st.sel]);
			break;
		case '?':
		case 'h':
			toggleHelp();
			break;
		case 'ArrowUp':
		case 'ArrowDown':
		case 'ArrowLeft':
		case 'ArrowRight':
			moveSel(k);
			break;
		default:
			return;
		}
		e.preventDefault();
	});
	if (dark && dark.addEventListener)
		dark.addEventListener('change', function () { paint(); drawLegend(); });
	window.addEventListener('resize', function () { fitWidth(); render(); });

	// ---- embedded in cprof's web UI (same origin): frame actions and search ----
	var host = null;
	try {
		if (window.parent !== window && window.parent.cprofHost)
			host = window.parent.cprofHost;
	} catch (e) {
		host = null; // framed by another origin's page: stay on our own
	}
	if (host) {
		framesG.addEventListener('contextmenu', function (e) {
			var i = e.target.__i;
			if (i === undefined || fn[i] < 0)
				return;
			e.preventDefault();
			hideTip();
			host.frameMenu(D.names[fn[i]], e.clientX, e.clientY);
		});
		document.addEventListener('mousedown', function () { host.dismiss(); });
	}

	// ---- start ----
	loadState();
	if (st.basis !== 'union')
		setBasis(st.basis);
	layoutX();
	fitWidth();
	if (st.mode !== 'pkg' || st.self || (dark && dark.matches)) {
		paint();
		drawLegend();
	}
	setSearch(st.search); // renders
	if (st.sw >= 0)
		openSandwich(st.sw);
	if (st.sel >= 0)
		showDetails(st.sel);
	// a flame graph taller than the window opens at its root, not at its tips
	if (!st.icicle && document.documentElement === root && window.scrollTo)
		window.scrollTo(0, Math.max(0, rowY(0) + ROW + 40 - window.innerHeight));
	root.setAttribute('data-ready', '1');
	if (host)
		host.ready({ search: function (re) { setSearch(re); } });
})();
