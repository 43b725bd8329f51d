// browser.mjs - drive cprof's web UI in headless Chromium.
//
// Usage: node tests/web/browser.mjs CHROMIUM URL HOSTILE_URL ARTIFACTS
//
// URL serves testdata/go-cpu.pb.gz (with its sources), HOSTILE_URL a profile
// of hostile names (tests/flame/hostile.spec).  Opens every view, searches,
// refines, pivots from the flame graph to the source, and reads what a
// person would see; saves screenshots in ARTIFACTS.  Any request that leaves
// the server, console error (a CSP violation is one), page error or dialog
// fails the check of its page.  Prints "PASS name" / "FAIL name: why" per
// check and exits 1 on a failure.
import { chromium } from 'playwright-core';

const [, , exe, base, hostile, artifacts] = process.argv;
let failed = 0;
function check(name, ok, why) {
	if (ok) {
		console.log('PASS ' + name);
	} else {
		console.log('FAIL ' + name + ': ' + why);
		failed++;
	}
}

const browser = await chromium.launch({
	executablePath: exe,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		'--disable-component-update', '--no-first-run', '--no-proxy-server'],
});

async function open(root, path) {
	const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });
	page.on('request', (r) => {
		if (!r.url().startsWith(root) && !r.url().startsWith('data:'))
			errors.push('request ' + r.url());
	});
	const resp = await page.goto(root + path);
	await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
	return { page, errors, status: resp.status() };
}

async function flameFrame(page) {
	const el = await page.waitForSelector('iframe#flame');
	const frame = await el.contentFrame();
	await frame.waitForSelector('svg[data-ready="1"]', { timeout: 20000 });
	return frame;
}

// the rect of the first frame labelled 'name' in the flame graph, in page coordinates
async function frameBox(page, frame, name) {
	const box = await frame.evaluate((name) => {
		const d = JSON.parse(document.getElementById('cprof-data').textContent);
		const rows = document.getElementById('frames').children, next = [];
		for (let i = 0; i < d.fn.length; i++) {
			const r = rows[d.fd[i]].children[next[d.fd[i]] || 0];
			next[d.fd[i]] = (next[d.fd[i]] || 0) + 1;
			if (d.fn[i] >= 0 && d.names[d.fn[i]] === name && r.getAttribute('display') !== 'none') {
				const b = r.getBoundingClientRect();
				return { x: b.x, y: b.y, w: b.width, h: b.height };
			}
		}
		return null;
	}, name);
	if (!box)
		return null;
	const f = await (await page.$('iframe#flame')).boundingBox();
	return { x: f.x + box.x + Math.min(box.w / 2, 20), y: f.y + box.y + box.h / 2 };
}

async function shot(page, name) {
	await page.screenshot({ path: artifacts + '/' + name + '.png' });
}

// 'status' allows the console's note about the page's own error status
function noErrors(name, errors, status) {
	const note = 'Failed to load resource: the server responded with a status of ' + status;
	const left = errors.filter((e) => !status || !e.startsWith(note));
	check(name + ': no errors', left.length === 0, left.slice(0, 3).join(' | '));
}

// ---- flame graph: the default view; search; the frame menu ----
{
	const { page, errors, status } = await open(base, '/ui/');
	check('flame: status', status === 200, status);
	const frame = await flameFrame(page);
	const boxes = await frame.$$eval('#frames rect', (r) => r.length);
	check('flame: frames drawn', boxes > 10, boxes);
	check('flame: current view marked', await page.$eval('#views a.cur', (a) => a.textContent) === 'Flame Graph', '');
	await page.fill('#search', 'main\\.fib');
	await page.waitForTimeout(500);
	const hits = await frame.$$eval('#frames rect.hit', (r) => r.length);
	check('flame: search highlights frames', hits > 0, hits);
	const matched = await frame.$eval('#matched', (t) => t.textContent);
	check('flame: search shows matched share', /%/.test(matched), matched);
	await shot(page, 'flame-search');

	const at = await frameBox(page, frame, 'main.solver');
	check('flame: main.solver drawn', at !== null, 'no frame');
	if (at) {
		await page.mouse.click(at.x, at.y, { button: 'right' });
		await page.waitForSelector('#menu:not([hidden])', { timeout: 5000 });
		const items = await page.$$eval('#menu button', (b) => b.map((x) => x.textContent));
		check('flame: menu actions', ['Show source', 'Focus', 'Ignore', 'Hide', 'Show from']
			.every((a) => items.includes(a)), items.join(','));
		check('flame: menu names the frame', await page.$eval('#menu .head', (h) => h.textContent) === 'main.solver', '');
		await shot(page, 'flame-menu');
		await Promise.all([page.waitForNavigation(), page.click('#menu button[data-action="f"]')]);
		const u = new URL(page.url());
		check('flame: focus sets f=', u.pathname === '/ui/flamegraph' && u.searchParams.get('f') === '^main\\.solver$', page.url());
		await page.waitForSelector('body[data-ready="1"]');
		const fr = await flameFrame(page);
		const names = await fr.evaluate(() => JSON.parse(document.getElementById('cprof-data').textContent).names);
		check('flame: focused graph lacks other branches', names.includes('main.fib') && !names.includes('main.hasher'), names.join(','));
		check('flame: filter listed', (await page.textContent('#filters')).includes('focus=^main\\.solver$'), '');
		await shot(page, 'flame-focus');
	}
	noErrors('flame', errors);
	await page.close();
}

// ---- pivot: flame graph -> source of the hot function ----
{
	const { page, errors } = await open(base, '/ui/flamegraph');
	const frame = await flameFrame(page);
	const at = await frameBox(page, frame, 'main.fib');
	check('pivot: main.fib drawn', at !== null, 'no frame');
	if (at) {
		await page.mouse.click(at.x, at.y, { button: 'right' });
		await page.waitForSelector('#menu:not([hidden])');
		await Promise.all([page.waitForNavigation(), page.click('#menu button[data-action="source"]')]);
		await page.waitForSelector('body[data-ready="1"]');
		const u = new URL(page.url());
		check('pivot: source URL', u.pathname === '/ui/source' && u.searchParams.get('f') === '^main\\.fib$', page.url());
		const h = await page.$$eval('.routine h2 .fn', (e) => e.map((x) => x.textContent));
		check('pivot: the routine shown', h.length === 1 && h[0] === 'main.fib', h.join(','));
		const hot = await page.$$eval('table.src tr.h5 td.code', (e) => e.map((x) => x.textContent));
		check('pivot: hottest line highlighted', hot.some((t) => t.includes('return fib(n-1) + fib(n-2)')), hot.join('|'));
		const bg = await page.$eval('table.src tr.h5', (e) => getComputedStyle(e).backgroundColor);
		check('pivot: highlight is visible', bg !== 'rgba(0, 0, 0, 0)', bg);
		await page.fill('#search', 'return');
		await page.waitForTimeout(500);
		const n = await page.$$eval('table.src tr.hit', (e) => e.length);
		check('source: search highlights lines', n >= 2, n);
		await shot(page, 'source');
	}
	noErrors('pivot', errors);
	await page.close();
}

// ---- top: sort, search, select + refine ----
{
	const { page, errors } = await open(base, '/ui/top');
	const names = () => page.$$eval('#toptable tbody td.name', (e) => e.map((x) => x.textContent));
	const first = await names();
	check('top: rows', first.length > 10 && first[0] === 'main.mix', first.slice(0, 3).join(','));
	await page.click('#toptable th[data-col="3"]');
	const byCum = await names();
	check('top: sort by cum', byCum[0] === 'runtime/pprof.Do', byCum.slice(0, 3).join(','));
	await page.click('#toptable th[data-col="5"]');
	const byName = await names();
	check('top: sort by name', byName.join() === [...byName].sort().join(), byName.slice(0, 3).join(','));
	await page.fill('#search', 'hash');
	await page.waitForTimeout(500);
	const hits = await page.$$eval('#toptable tr.hit td.name', (e) => e.map((x) => x.textContent));
	check('top: search highlights rows', hits.length === 4 && hits.every((h) => h.includes('hash')), hits.join(','));
	await page.fill('#search', '');
	await page.click('#toptable td.name >> text="main.heavy"');
	await page.click('#toptable td.name >> text="main.light"');
	check('top: selection', await page.$$eval('#toptable tr.sel', (e) => e.length) === 2, '');
	await shot(page, 'top');
	await Promise.all([page.waitForNavigation(), page.click('#refine button[data-param="i"]')]);
	await page.waitForSelector('body[data-ready="1"]');
	const u = new URL(page.url());
	check('top: ignore sets i=', u.searchParams.get('i') === '^main\\.heavy$|^main\\.light$', page.url());
	const after = await names();
	check('top: ignored rows gone', !after.includes('main.heavy') && !after.includes('main.light'), after.join(','));
	// search + Enter focuses
	await page.fill('#search', 'main\\.fold');
	await Promise.all([page.waitForNavigation(), page.press('#search', 'Enter')]);
	await page.waitForSelector('body[data-ready="1"]');
	const u2 = new URL(page.url());
	check('top: Enter sets f= and keeps i=', u2.searchParams.get('f') === 'main\\.fold' && u2.searchParams.get('i') !== null, page.url());
	// drop a filter
	await Promise.all([page.waitForNavigation(), page.click('#filters .filter[data-param="i"] .drop')]);
	check('top: filter removed', new URL(page.url()).searchParams.get('i') === null, page.url());
	// the sample type selector
	await page.waitForSelector('body[data-ready="1"]');
	await Promise.all([page.waitForNavigation(), page.selectOption('#si', 'samples')]);
	await page.waitForSelector('body[data-ready="1"]');
	check('top: sample type', new URL(page.url()).searchParams.get('si') === 'samples' &&
		(await page.textContent('#title')).includes('samples'), page.url());
	// the granularity selector
	await Promise.all([page.waitForNavigation(), page.selectOption('#g', 'files')]);
	await page.waitForSelector('body[data-ready="1"]');
	const files = await names();
	check('top: granularity files', new URL(page.url()).searchParams.get('g') === 'files' &&
		files.length > 0 && files.every((n) => n.includes('.go') || n.includes('.s') || !n.includes('.')), files.join(','));
	noErrors('top', errors);
	await page.close();
}

// ---- graph: drawn, pan/zoom, select, refine ----
{
	const { page, errors } = await open(base, '/ui/graph');
	await page.waitForSelector('#graph[data-ready="1"]');
	const nodes = await page.$$eval('#graph g.node', (e) => e.length);
	check('graph: nodes', nodes > 10, nodes);
	const t0 = await page.$eval('#viewport', (g) => g.getAttribute('transform'));
	const box = await (await page.$('#graph')).boundingBox();
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await page.mouse.wheel(0, -300);
	await page.waitForTimeout(100);
	const t1 = await page.$eval('#viewport', (g) => g.getAttribute('transform'));
	check('graph: wheel zooms', t0 !== t1, t1);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40);
	await page.mouse.up();
	const t2 = await page.$eval('#viewport', (g) => g.getAttribute('transform'));
	check('graph: drag pans', t2 !== t1, t2);
	await page.fill('#search', 'fib');
	await page.waitForTimeout(500);
	const hits = await page.$$eval('#graph g.node.hit', (e) => e.length);
	check('graph: search highlights nodes', hits === 1, hits);
	await page.fill('#search', '');
	// select the node of main.fib and focus on it
	const fib = await page.evaluateHandle(() => [...document.querySelectorAll('#graph g.node')]
		.find((g) => (g.querySelector('a') || { getAttribute: () => '' }).getAttribute('xlink:title').startsWith('main.fib ')));
	await fib.asElement().click();
	check('graph: click selects', await page.$$eval('#graph g.node.sel', (e) => e.length) === 1, '');
	await shot(page, 'graph');
	await Promise.all([page.waitForNavigation(), page.click('#refine button[data-param="f"]')]);
	check('graph: focus sets f=', new URL(page.url()).searchParams.get('f') === '^main\\.fib$', page.url());
	noErrors('graph', errors);
	await page.close();
}

// ---- peek, disasm, download link ----
{
	const { page, errors } = await open(base, '/ui/peek?f=main%5C.fib%24');
	const text = await page.textContent('#peek');
	check('peek: callers shown', text.includes('main.solver') && text.includes('| main.fib'), text.slice(0, 200));
	await shot(page, 'peek');
	const href = await page.getAttribute('#download', 'href');
	check('peek: download carries params', href === '/ui/download?f=main%5C.fib%24', href);
	noErrors('peek', errors);
	await page.close();
}
{
	const { page, errors, status } = await open(base, '/ui/disasm?f=main');
	check('disasm: says not available', status === 501 && (await page.textContent('#errors')).includes('not available'), status);
	noErrors('disasm', errors, 501);
	await page.close();
}
{
	const { page, errors, status } = await open(base, '/ui/top?f=((');
	check('bad regexp: 400 page with message', status === 400 &&
		(await page.textContent('#errors')).includes('parsing focus regexp'), status);
	noErrors('bad regexp', errors, 400);
	await page.close();
}

// ---- hostile names: every view, nothing runs, text shown as text ----
for (const path of ['/ui/', '/ui/top', '/ui/graph', '/ui/peek?f=.', '/ui/source?f=.']) {
	const { page, errors } = await open(hostile, path);
	if (path === '/ui/') {
		const frame = await flameFrame(page);
		const n = await frame.$$eval('#frames rect', (r) => r.length);
		check('hostile flame: drawn', n > 5, n);
		const injected = await frame.$$eval('script:not(#cprof-data), g[onload]', (e) => e.length);
		check('hostile flame: no injected elements', injected === 1, injected);
	}
	const injected = await page.$$eval('script:not([src]), [onload], [onerror], b', (e) => e.length);
	check('hostile ' + path + ': no injected elements', injected === 0, injected);
	if (path === '/ui/top') {
		const names = await page.$$eval('#toptable td.name', (e) => e.map((x) => x.textContent));
		check('hostile top: names as text', names.includes('</script><script>alert(1)</script>'), names.join(' | '));
	}
	await shot(page, 'hostile-' + (path.replace(/[^a-z]/g, '') || 'flame'));
	noErrors('hostile ' + path, errors);
	await page.close();
}

await browser.close();
process.exit(failed ? 1 : 0);
