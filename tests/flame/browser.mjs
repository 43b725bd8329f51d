// browser.mjs - drive cprof's flame graph SVG in headless Chromium.
//
// Usage: node tests/flame/browser.mjs CHROMIUM DIR ARTIFACTS
//
// DIR holds flame graphs written by run.sh (basic.svg, diff.svg,
// hostile.svg, big.svg).  Opens them from file:// (no network), clicks,
// types and reads what a person would see; saves screenshots in ARTIFACTS.
// Prints "PASS name" / "FAIL name: why" per check and exits 1 on a failure.
import { chromium } from 'playwright-core';

const [, , exe, dir, artifacts] = process.argv;
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
		'--disable-component-update', '--no-first-run'],
});

async function open(file, opts = {}) {
	const page = await browser.newPage({
		viewport: { width: 1300, height: 700 },
		colorScheme: opts.dark ? 'dark' : 'light',
	});
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });
	page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push('request ' + r.url()); });
	await page.goto('file://' + dir + '/' + file + (opts.hash || ''));
	await page.waitForSelector('svg[data-ready="1"]', { timeout: 10000 });
	return { page, errors };
}

// the rect drawn for the first frame labelled 'name' (via the page's data)
async function frameBox(page, name) {
	return page.evaluate((name) => {
		const d = JSON.parse(document.getElementById('cprof-data').textContent);
		const rows = document.getElementById('frames').children, next = [];
		for (let i = 0; i < d.fn.length; i++) {
			const r = rows[d.fd[i]].children[next[d.fd[i]] = (next[d.fd[i]] || 0)];
			next[d.fd[i]]++;
			if (d.fn[i] >= 0 && d.names[d.fn[i]] === name) {
				const b = r.getBoundingClientRect();
				return { i, x: b.x, y: b.y, w: b.width, h: b.height };
			}
		}
		return null;
	}, name);
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);

try {
	// --- basic: hover, click zoom, search, keyboard, toggles, URL state ---
	{
		const { page, errors } = await open('basic.svg');
		await page.screenshot({ path: artifacts + '/basic.png' });

		const walk = await frameBox(page, 'lookup');
		check('frame found', walk && walk.w > 50, JSON.stringify(walk));
		await page.mouse.move(walk.x + 5, walk.y + 5);
		const tip = await text(page, '#tip');
		check('tooltip', /lookup/.test(tip) && /Total: 500ms \(25\.51% of all, 27\.93% of parent\)/.test(tip) &&
			/src\/db\.c/.test(tip), tip);
		check('details line', /^lookup \(500ms, 25\.51%/.test(await text(page, '#details')),
			await text(page, '#details'));

		await page.mouse.click(walk.x + 5, walk.y + 5);
		const zoomed = await frameBox(page, 'lookup');
		check('click zooms to full width', zoomed.w > 1200, JSON.stringify(zoomed));
		const anc = await frameBox(page, 'serve');
		const ancOpacity = await page.evaluate(() =>
			getComputedStyle(document.querySelector('#frames rect.anc')).opacity);
		check('ancestors shown faded', anc.w > 1200 && ancOpacity === '0.5', ancOpacity);
		const hidden = await frameBox(page, 'parse_request');
		check('other frames hidden', hidden.w === 0, JSON.stringify(hidden));
		check('zoom in URL', /#z=\d+/.test(page.url()), page.url());

		await page.keyboard.press('/');
		await page.keyboard.type('cmp_');
		await page.keyboard.press('Enter');
		const matched = await text(page, '#matched');
		check('search Matched line', matched === 'Matched: 25.51% (of zoom: 100.00%)', matched);
		const hits = await page.$$eval('#frames rect.hit', (r) => r.length);
		check('search highlights', hits === 2, 'hits=' + hits);
		check('search in URL', /s=cmp_/.test(page.url()), page.url());

		await page.keyboard.press('Escape');
		const reset = await frameBox(page, 'parse_request');
		check('Esc resets zoom', reset.w > 100 && (await text(page, '#matched')) === 'Matched: 25.51%',
			JSON.stringify(reset));

		await page.keyboard.press('n');
		const m1 = await page.evaluate(() => {
			const s = document.querySelector('#frames rect.sel');
			return s ? s.getBoundingClientRect().width : 0;
		});
		check('n jumps to and zooms on a match', m1 > 1200, 'width ' + m1);
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
		check('second Esc clears search', (await text(page, '#matched')).trim() === '',
			await text(page, '#matched'));

		// keyboard selection: from the root upwards, then zoom with Enter
		await page.keyboard.press('ArrowUp');
		await page.keyboard.press('ArrowUp');
		const selName = await page.evaluate(() => document.getElementById('details').textContent);
		check('arrows move the selection', /^__libc_start_main /.test(selName), selName);
		await page.keyboard.press('Enter');
		check('Enter zooms', /#z=2\b/.test(page.url()), page.url());
		await page.keyboard.press('Escape');

		const before = await frameBox(page, 'main');
		await page.keyboard.press('i');
		const after = await frameBox(page, 'main');
		check('icicle toggle', after.y < before.y, `${before.y} -> ${after.y}`);
		await page.screenshot({ path: artifacts + '/basic-icicle.png' });
		await page.keyboard.press('i');

		await page.keyboard.press('c');
		const legend = await text(page, '#legend');
		check('colour by library', /server/.test(legend) && /libc\.so\.6/.test(legend) &&
			!/\(anonymous/.test(legend), legend);
		await page.keyboard.press('t');
		const top = await page.$eval('.panel', (p) => p.textContent);
		check('top table', /cmp_key/.test(top) && /25\.51%/.test(top), top.slice(0, 200));
		await page.screenshot({ path: artifacts + '/basic-top.png' });
		await page.keyboard.press('Escape');

		// sandwich: select walk_tree (the outer one), press s
		const wt = await frameBox(page, 'walk_tree');
		await page.mouse.click(wt.x + 3, wt.y + 3);
		await page.keyboard.press('s');
		const sw = await page.$eval('#sandwich', (g) => g.textContent).catch(() => '');
		check('sandwich opens', /Sandwich of walk_tree/.test(sw) && /lookup/.test(sw) && /serve/.test(sw) &&
			/cmp_key/.test(sw), sw.slice(0, 200));
		const center = await page.$eval('#sandwich rect.sel', (r) => {
			const b = r.getBoundingClientRect();
			return { x: b.x, y: b.y, w: b.width };
		});
		await page.mouse.move(center.x + 3, center.y + 3);
		const swTip = await text(page, '#tip');
		check('sandwich totals', /Total: 500ms \(100\.00% of walk_tree, 25\.51% of all\)/.test(swTip) &&
			center.w > 1200, swTip);
		check('sandwich in URL', /sw=\d+/.test(page.url()), page.url());
		await page.screenshot({ path: artifacts + '/basic-sandwich.png' });
		await page.keyboard.press('Escape');
		const back = await page.$('#sandwich');
		const visible = await page.$eval('#frames', (g) => g.getAttribute('display'));
		check('Esc leaves the sandwich', back === null && visible === null, String(visible));

		check('no errors, no network', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- state restored from the URL fragment ---
	{
		const first = await open('basic.svg');
		const pr = await frameBox(first.page, 'parse_request');
		await first.page.close();
		const { page, errors } = await open('basic.svg', { hash: `#z=${pr.i}&s=strlen&v=icicle` });
		const m = await text(page, '#matched');
		check('URL state restored', /^Matched: 12\.76% \(of zoom: /.test(m), m);
		const p = await frameBox(page, 'parse_request');
		check('URL zoom restored', p.w > 1200, JSON.stringify(p));
		check('no errors (URL state)', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- nothing to show: still a working page ---
	{
		const { page, errors } = await open('empty.svg');
		await page.keyboard.press('/');
		await page.keyboard.type('x');
		await page.keyboard.press('Enter');
		await page.keyboard.press('t');
		await page.keyboard.press('Escape');
		await page.keyboard.press('ArrowUp');
		check('empty graph', /No samples to show/.test(await text(page, '#empty')), 'no message');
		check('no errors (empty)', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- dark theme ---
	{
		const { page, errors } = await open('basic.svg', { dark: true });
		const bg = await page.$eval('#bg', (e) => getComputedStyle(e).fill);
		check('dark theme', bg === 'rgb(27, 28, 30)', bg);
		await page.screenshot({ path: artifacts + '/basic-dark.png' });
		check('no errors (dark)', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- differential ---
	{
		const { page, errors } = await open('diff.svg');
		const grow = await frameBox(page, 'grow');
		await page.mouse.move(grow.x + 5, grow.y + 5);
		const tip = await text(page, '#tip');
		check('diff tooltip', /Total: 1s .* \u2192 4s/.test(tip) && /Change: \+3s \(\+300\.00%\)/.test(tip), tip);
		const fills = await page.evaluate(() => {
			const d = JSON.parse(document.getElementById('cprof-data').textContent);
			const out = {}, rows = document.getElementById('frames').children, next = [];
			for (let i = 0; i < d.fn.length; i++) {
				const r = rows[d.fd[i]].children[(next[d.fd[i]] = (next[d.fd[i]] || 0) + 1) - 1];
				if (d.fn[i] >= 0)
					out[d.names[d.fn[i]]] = r.getAttribute('fill');
			}
			return out;
		});
		check('diff colours', fills.fresh === 'url(#new)' && fills.old === 'url(#gone)' &&
			fills.steady === '#c8c8c8' && fills.grow !== fills.shrink, JSON.stringify(fills));
		await page.screenshot({ path: artifacts + '/diff.png' });
		const oldBefore = await frameBox(page, 'old');
		await page.keyboard.press('w');
		const oldAfter = await frameBox(page, 'old'), freshAfter = await frameBox(page, 'fresh');
		check('diff width basis: new', oldBefore.w > 100 && oldAfter.w === 0 && freshAfter.w > 100 &&
			/w=new/.test(page.url()), `${oldBefore.w} -> ${oldAfter.w}, fresh ${freshAfter.w}`);
		await page.keyboard.press('w');
		const freshBase = await frameBox(page, 'fresh');
		check('diff width basis: base', freshBase.w === 0, String(freshBase.w));
		await page.keyboard.press('w');
		await page.keyboard.press('d');
		const selfFill = await page.evaluate(() => document.querySelector('#frames .row:nth-child(2) rect').getAttribute('fill'));
		check('diff colour by self change', selfFill !== null && /d=self/.test(page.url()), page.url());
		check('no errors (diff)', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- hostile names stay text ---
	{
		const { page, errors } = await open('hostile.svg');
		await page.keyboard.press('/');
		await page.keyboard.type('^</script');
		await page.keyboard.press('Enter');
		const m = await text(page, '#matched');
		check('hostile: search works', /^Matched: 8\.33%/.test(m), m);
		const labels = await page.$$eval('#labels text', (t) => t.map((e) => e.textContent).join('\n'));
		check('hostile: labels are text', labels.includes('a&b "quoted" ..') && labels.includes('operator<<'),
			labels);
		const hb = await frameBox(page, '</script><script>alert(1)</script>');
		await page.mouse.move(hb.x + 3, hb.y + 3);
		const details = await text(page, '#details');
		check('hostile: markup shown as text', details.startsWith('</script><script>alert(1)</script> ('),
			details);
		const injected = await page.evaluate(() => document.querySelectorAll('script').length);
		check('hostile: no injected elements', injected === 2, 'scripts=' + injected);
		await page.screenshot({ path: artifacts + '/hostile.png' });
		check('no errors (hostile)', errors.length === 0, errors.join('; '));
		await page.close();
	}

	// --- the benchmark-sized graph stays responsive ---
	{
		const t0 = Date.now();
		const { page, errors } = await open('big.svg');
		const t1 = Date.now();
		const box = await page.evaluate(() => {
			const r = document.querySelector('#frames .row:nth-child(4) rect');
			const b = r.getBoundingClientRect();
			return { x: b.x, y: b.y };
		});
		const t2 = Date.now();
		await page.mouse.click(box.x + 2, box.y + 2);
		const t3 = Date.now();
		check(`big: loads in ${t1 - t0} ms, zooms in ${t3 - t2} ms`, t1 - t0 < 15000 && t3 - t2 < 5000,
			'too slow');
		await page.screenshot({ path: artifacts + '/big.png' });
		check('no errors (big)', errors.length === 0, errors.join('; '));
		await page.close();
	}
} catch (e) {
	check('browser run', false, e.stack || String(e));
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
