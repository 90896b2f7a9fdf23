// SPDX-License-Identifier: EUPL-1.2
// Browser checks of meent's web pages: node a11y.mjs BASEURL OUTDIR PATH...
//
// Opens every BASEURL+PATH in Debian's chromium (playwright-core, never a
// downloaded browser), one browser and one tab for all of them: at 390 CSS
// pixels wide it runs axe-core with the WCAG 2.0/2.1 A and AA rules and
// saves the HTML exactly as the server sent it (for the Nu HTML checker);
// then it measures, at 1280, 390 and 320 pixels, whether the document is
// wider than the window (scrolling sideways, WCAG 1.4.10), and which
// elements stick out. A full-page screenshot is taken of a page that
// fails a check, and of the paths listed in MEENT_SHOTS (one per line).
// Prints one JSON object on stdout:
//   {"pages": [{"path", "status", "violations": [{"id", "impact", "help",
//     "nodes", "targets"}], "screenshot" (or null), "html",
//     "screenshotBytes", "widths": {"320": {"scroll", "client",
//     "wide": [selector...]}, ...}, "headings": [what is out of order],
//     ...}]}
// Exits 0 whatever the pages contain (tests/blackbox/a11y.py judges); 1 when
// the browser cannot start, 2 on wrong usage.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.MEENT_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
              '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'];
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const [base, outdir, ...paths] = process.argv.slice(2);
if (!base || !outdir || paths.length === 0) {
  process.stderr.write('usage: node a11y.mjs BASEURL OUTDIR PATH [PATH...]\n');
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });

// Never let playwright fetch a browser, whatever happens below.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const { chromium } = require('playwright-core');
const axePath = require.resolve('axe-core/axe.min.js');
const axeSource = readFileSync(axePath, 'utf8');

// "/pilots/123" -> "_pilots_123"; a second page with the same name gets -2.
const used = new Set();
function fileBase(path) {
  let name = path.replace(/[^A-Za-z0-9.-]/g, '_') || '_';
  let unique = name;
  for (let i = 2; used.has(unique); i++) unique = name + '-' + i;
  used.add(unique);
  return unique;
}

// chromium.launch gives the browser a fresh, empty profile directory of its
// own and removes it on close.
let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 60000,
  });
} catch (err) {
  // Playwright's message repeats the long command line; keep the rest.
  const why = String(err.message).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
    .filter((l) => l.trim() !== '' && !l.includes('<launching>'))
    .slice(0, 12).join('\n');
  process.stderr.write('a11y.mjs: cannot start ' + CHROMIUM + ': ' + why +
                       '\n');
  process.exit(1);
}

const AXE_WIDTH = 390;
// Screenshots go where they are kept as the run's artifacts.
const shotdir = process.env.MEENT_SHOT_DIR || outdir;
const shots = new Set((process.env.MEENT_SHOTS || '').split('\n')
  .filter((l) => l !== ''));

// How wide the document is in a window of the current width, and the
// first few elements that reach past its right edge (what to fix).
function measure() {
  const doc = document.documentElement;
  const client = doc.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > client + 1 && r.width > 0) {
      let inside = false;
      // Inside a box that scrolls by itself: not the page's problem.
      for (let p = el.parentElement; p && p !== document.body;
           p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') {
          inside = true;
          break;
        }
      }
      if (inside) continue;
      const id = el.id ? '#' + el.id : '';
      const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
      wide.push(el.tagName.toLowerCase() + id + cls + ' (' +
                Math.round(r.right) + 'px)');
      if (wide.length >= 5) break;
    }
  }
  return { scroll: doc.scrollWidth, client, wide };
}

const pages = [];
// One context for the whole run: the pages are read with GET only, so
// nothing carries over but the session cookie given in MEENT_COOKIE.
const context = await browser.newContext({
  viewport: { width: AXE_WIDTH, height: 800 }, locale: 'nl-NL',
});
if (process.env.MEENT_COOKIE) {
  const eq = process.env.MEENT_COOKIE.indexOf('=');
  await context.addCookies([{
    name: process.env.MEENT_COOKIE.slice(0, eq),
    value: process.env.MEENT_COOKIE.slice(eq + 1), url: base,
  }]);
}
const page = await context.newPage();
let entry = null;
page.on('console', (msg) => {
  if (entry && (msg.type() === 'error' || msg.type() === 'warning')) {
    entry.console.push(msg.type() + ': ' + msg.text());
  }
});
page.on('pageerror', (err) => entry && entry.console.push(
  'pageerror: ' + err.message));
page.on('response', (res) => {
  if (entry && res.status() >= 400) {
    entry.console.push('response: ' + res.status() + ' ' + res.url());
  }
});
page.on('requestfailed', (req) => entry && entry.console.push(
  'requestfailed: ' + req.url() + ' ' + (req.failure()?.errorText || '')));
try {
  for (const path of paths) {
    const name = fileBase(path);
    entry = { path, status: null, violations: [], incomplete: [],
              screenshot: null, html: join(outdir, name + '.html'),
              screenshotBytes: 0, console: [], error: null, widths: {} };
    pages.push(entry);
    try {
      await page.setViewportSize({ width: AXE_WIDTH, height: 800 });
      const response = await page.goto(new URL(path, base).href,
                                       { waitUntil: 'load', timeout: 30000 });
      entry.status = response ? response.status() : null;
      // The body as the server sent it, not the DOM after parsing.
      writeFileSync(entry.html, response ? await response.body()
                                         : await page.content());
      // Inject axe without weakening the page's Content-Security-Policy (an
      // inline <script> from addScriptTag would be refused by it).
      await page.evaluate(axeSource);
      const result = await page.evaluate(async (tags) => {
        const r = await window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
        });
        const brief = (v) => ({
          id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
          targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        });
        return { violations: r.violations.map(brief),
                 incomplete: r.incomplete.map(brief),
                 version: window.axe.version };
      }, TAGS);
      // Headings in order: the first is the page's h1, none skips a level
      // on the way down (an h2 before the h1 or an h2 then h4 is wrong).
      entry.headings = await page.evaluate(() => {
        const wrong = [];
        let last = 0;
        for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
          const n = Number(h.tagName[1]);
          const text = h.textContent.trim().slice(0, 40);
          if (last === 0 && n !== 1) wrong.push('first heading is h' + n +
                                                ': ' + text);
          else if (n > last + 1 && last !== 0) wrong.push('h' + last +
            ' then h' + n + ': ' + text);
          last = n;
        }
        return wrong;
      });
      entry.violations = result.violations;
      entry.incomplete = result.incomplete;
      entry.axe = result.version;
      // Reflow (WCAG 1.4.10) at every width, with every <details> open (a
      // table in one must reflow too); 390 last, for the screenshot.
      await page.evaluate(() => document.querySelectorAll('details')
        .forEach((d) => { d.open = true; }));
      let wide = false;
      for (const w of [1280, 320, 390]) {
        await page.setViewportSize({ width: w, height: 800 });
        entry.widths[w] = await page.evaluate(measure);
        wide = wide || entry.widths[w].scroll > entry.widths[w].client;
      }
      if (wide || entry.violations.length > 0 || shots.has(path)) {
        if (wide && entry.widths[320].scroll > entry.widths[320].client) {
          await page.setViewportSize({ width: 320, height: 800 });
        }
        mkdirSync(shotdir, { recursive: true });
        entry.screenshot = join(shotdir, name + '.png');
        await page.screenshot({ path: entry.screenshot, fullPage: true });
        entry.screenshotBytes = statSync(entry.screenshot).size;
      }
    } catch (err) {
      entry.error = String(err.message || err).split('\n')[0];
    }
  }
} finally {
  await context.close();
  await browser.close();
}
process.stdout.write(JSON.stringify({ pages }) + '\n');
