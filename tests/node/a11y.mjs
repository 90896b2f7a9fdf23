// SPDX-License-Identifier: EUPL-1.2
// Browser checks of meent's web pages: node a11y.mjs BASEURL OUTDIR PATH...
//
// Opens every BASEURL+PATH in Debian's chromium (playwright-core, never a
// downloaded browser), runs axe-core with the WCAG 2.0/2.1 A and AA rules,
// takes a full-page screenshot and saves the HTML exactly as the server sent
// it (for the Nu HTML checker). Prints one JSON object on stdout:
//   {"pages": [{"path", "status", "violations": [{"id", "impact", "help",
//     "nodes", "targets"}], "screenshot", "html", "screenshotBytes",
//     "width320" (the page's width in a 320 px window), ...}]}
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

const pages = [];
try {
  for (const path of paths) {
    const name = fileBase(path);
    const entry = { path, status: null, violations: [], incomplete: [],
                    screenshot: join(outdir, name + '.png'),
                    html: join(outdir, name + '.html'),
                    screenshotBytes: 0, console: [], error: null };
    pages.push(entry);
    // A fresh context per page: no cookies or storage carry over, except
    // the session cookie given in MEENT_COOKIE ("name=value").
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 }, locale: 'nl-NL',
    });
    if (process.env.MEENT_COOKIE) {
      const eq = process.env.MEENT_COOKIE.indexOf('=');
      await context.addCookies([{
        name: process.env.MEENT_COOKIE.slice(0, eq),
        value: process.env.MEENT_COOKIE.slice(eq + 1), url: base,
      }]);
    }
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        entry.console.push(msg.type() + ': ' + msg.text());
      }
    });
    page.on('pageerror', (err) => entry.console.push('pageerror: ' +
                                                     err.message));
    page.on('response', (res) => {
      if (res.status() >= 400) {
        entry.console.push('response: ' + res.status() + ' ' + res.url());
      }
    });
    page.on('requestfailed', (req) => entry.console.push(
      'requestfailed: ' + req.url() + ' ' + (req.failure()?.errorText || '')));
    try {
      const response = await page.goto(new URL(path, base).href,
                                       { waitUntil: 'load', timeout: 30000 });
      entry.status = response ? response.status() : null;
      // The body as the server sent it, not the DOM after parsing.
      writeFileSync(entry.html, response ? await response.body()
                                         : await page.content());
      await page.screenshot({ path: entry.screenshot, fullPage: true });
      entry.screenshotBytes = statSync(entry.screenshot).size;
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
      entry.violations = result.violations;
      entry.incomplete = result.incomplete;
      entry.axe = result.version;
      // Reflow (WCAG 1.4.10): at 320 CSS pixels wide, how wide the page
      // is; wider than the window means scrolling sideways.
      await page.setViewportSize({ width: 320, height: 800 });
      entry.width320 = await page.evaluate(
        () => document.documentElement.scrollWidth);
    } catch (err) {
      entry.error = String(err.message || err).split('\n')[0];
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ pages }) + '\n');
