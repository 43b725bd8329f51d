// check.mjs - structural checks of flame graph SVGs written by cprof.
//
// Usage: node tests/flame/check.mjs FILE.svg...
//
// For each file: the embedded data parses and describes a consistent tree
// (depth-first order, children no wider than their parent, "other" boxes
// listed), every row of the drawing holds one <rect> per frame of that
// depth, names carry no character that the escaping rules forbid, and the
// document holds no active content beyond cprof's own two script elements.
// Prints one line per problem and exits 1 if there was any.
import { readFileSync } from 'node:fs';

let failures = 0;
function fail(file, msg) {
	console.log(`FAIL ${file}: ${msg}`);
	failures++;
}

// Code points the escaper must have replaced (see src/report/xml.h).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;

function checkFile(file) {
	const svg = readFileSync(file, 'utf8');
	const open = '<script type="application/json" id="cprof-data"><![CDATA[';
	const a = svg.indexOf(open), b = svg.indexOf(']]></script>', a);
	if (a < 0 || b < 0)
		return fail(file, 'no data block');
	let d;
	try {
		d = JSON.parse(svg.slice(a + open.length, b));
	} catch (e) {
		return fail(file, 'data is not JSON: ' + e.message);
	}
	const n = d.fn.length;
	if (d.fd.length !== n || d.fw.length !== n)
		return fail(file, 'frame arrays differ in length');
	if (n === 0 || d.fn[0] !== -2 || d.fd[0] !== 0)
		return fail(file, 'frame 0 is not the root');
	const stack = [];
	const kidsW = new Array(n).fill(0), kidsT = new Array(n).fill(0), kidsB = new Array(n).fill(0);
	for (let i = 1; i < n; i++) {
		if (d.fd[i] < 1 || d.fd[i] > d.fd[i - 1] + 1)
			return fail(file, `frame ${i}: depth ${d.fd[i]} after ${d.fd[i - 1]}`);
	}
	for (let i = 0; i < n; i++) {
		while (stack.length && d.fd[stack[stack.length - 1]] >= d.fd[i])
			stack.pop();
		if (stack.length) {
			const p = stack[stack.length - 1];
			kidsW[p] += d.fw[i];
			if (d.diff) {
				kidsT[p] += d.ft[i];
				kidsB[p] += d.fb[i];
			}
		}
		stack.push(i);
	}
	for (let i = 0; i < n; i++) {
		if (d.fw[i] <= 0 && n > 1)
			fail(file, `frame ${i}: width ${d.fw[i]}`);
		if (kidsW[i] > d.fw[i])
			fail(file, `frame ${i}: children wider than the frame (${kidsW[i]} > ${d.fw[i]})`);
		if (d.diff && (kidsT[i] > d.ft[i] || kidsB[i] > d.fb[i]))
			fail(file, `frame ${i}: children's totals exceed the frame's`);
	}
	const others = new Set(d.other.map((o) => o[0]));
	for (let i = 0; i < n; i++)
		if ((d.fn[i] === -1) !== others.has(i))
			fail(file, `frame ${i}: "other" box and list disagree`);
	for (const s of [].concat(d.names, d.files, d.libs, d.pkgs, d.header))
		if (FORBIDDEN.test(s))
			fail(file, `unescaped character in ${JSON.stringify(s)}`);

	// the drawing: one rect per frame, row by row
	const frames = svg.slice(svg.indexOf('<g id="frames"'), svg.indexOf('<g id="labels">'));
	const rows = frames.split('<g class="row"').slice(1);
	const perDepth = new Array(rows.length).fill(0);
	for (let i = 0; i < n; i++)
		perDepth[d.fd[i]]++;
	if (rows.length !== d.maxd + 1 && n > 1)
		fail(file, `${rows.length} rows for max depth ${d.maxd}`);
	rows.forEach((r, k) => {
		const c = (r.match(/<rect /g) || []).length;
		if (c !== perDepth[k])
			fail(file, `row ${k}: ${c} rects for ${perDepth[k]} frames`);
	});

	// no active content but ours
	const scripts = svg.match(/<script[^>]*>/g) || [];
	if (scripts.length !== 2 || scripts[0] !== '<script type="application/json" id="cprof-data">' ||
	    scripts[1] !== '<script type="text/ecmascript">')
		fail(file, 'unexpected script elements: ' + JSON.stringify(scripts));
	const body = svg.slice(0, a);
	const tags = body.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').match(/<[a-zA-Z][^>]*>/g) || [];
	for (const t of tags) {
		if (/\son[a-z]+\s*=/i.test(t))
			fail(file, 'event handler attribute in ' + t.slice(0, 80));
		if (/href\s*=/i.test(t))
			fail(file, 'link in ' + t.slice(0, 80));
		if (/<(foreignObject|iframe|object|embed|image|use)\b/i.test(t))
			fail(file, 'unexpected element ' + t.slice(0, 80));
	}
}

for (const f of process.argv.slice(2))
	checkFile(f);
process.exit(failures ? 1 : 0);
