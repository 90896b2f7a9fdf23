// SPDX-License-Identifier: EUPL-1.2
// A keyboard-only walk through meent (issue 17, WCAG 2.1.1 and 2.4.7):
//   MEENT_WIDTH=320 node keyboard.mjs BASEURL EMAIL PASSWORD
//
// In Debian's chromium (playwright-core, never a downloaded browser) it
// loads /inloggen and from then on only presses keys: Tab, Shift+Tab,
// typing, Space, Enter and the arrow keys. It signs in, goes from the
// start page through the menu to "Een pilot publiceren", fills in the
// whole form (text, selects, dates, checkboxes, textareas with line
// breaks) and presses "Publiceren"; then through the menu to a guideline,
// "Wijziging voorstellen", changes the text, gives a reason and submits.
// Nothing is clicked or filled in by script: the page is only read (where
// the focus is, what it looks like, what a field now holds).
//
// After every key that moves the focus it records whether the focused
// element is on screen and shows a focus indicator (an outline or a
// box-shadow). On every page it first checks that the skip link is the
// first Tab stop, is visible with focus, and that Enter on it moves the
// focus into <main>.
//
// Prints one JSON object on stdout:
//   {"steps": [{"name", "ok", "detail"}], "focus": [{"page", "element",
//    "ok", "why"}], "pilot": URL or null, "proposal": URL or null}
// Exits 0 whatever the pages do (tests/blackbox/t_keyboard.py judges); 1
// when the browser cannot start, 2 on wrong usage.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.MEENT_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
              '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'];
// Enough Tab presses to cross the longest page walked (the pilot list).
const MAX_TABS = 400;
// The window's width in CSS pixels (MEENT_WIDTH; 320 for a phone).
const WIDTH = Number(process.env.MEENT_WIDTH || 1280);

const [base, email, password] = process.argv.slice(2);
if (!base || !email || !password) {
  process.stderr.write('usage: node keyboard.mjs BASEURL EMAIL PASSWORD\n');
  process.exit(2);
}

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const { chromium } = require('playwright-core');

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60000,
  });
} catch (err) {
  const why = String(err.message).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
    .filter((l) => l.trim() !== '' && !l.includes('<launching>'))
    .slice(0, 12).join('\n');
  process.stderr.write('keyboard.mjs: cannot start ' + CHROMIUM + ': ' +
                       why + '\n');
  process.exit(1);
}

const out = { steps: [], focus: [], pilot: null, proposal: null };
const shotdir = process.env.MEENT_SHOT_DIR || null;

function step(name, ok, detail) {
  out.steps.push({ name, ok: Boolean(ok), detail: detail || '' });
  return Boolean(ok);
}

// A walk that cannot go on (the focus never reaches what it needs).
class Stuck extends Error {}

// Runs in the page: what has the focus, and can a sighted keyboard user
// see that? Reads only.
function focusState() {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement)
    return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' &&
    parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow !== '' && s.boxShadow !== 'none';
  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 &&
    r.bottom > 0 && r.left < window.innerWidth &&
    r.top < window.innerHeight;
  const main = document.querySelector('main');
  const text = (e.innerText || e.value || '').trim().replace(/\s+/g, ' ');
  return {
    tag: e.tagName.toLowerCase(), id: e.id || '', name: e.name || '',
    type: e.type || '', value: typeof e.value === 'string' ? e.value : '',
    checked: Boolean(e.checked), href: e.getAttribute('href') || '',
    cls: e.getAttribute('class') || '', text: text.slice(0, 60),
    inMain: Boolean(main && main.contains(e)),
    indicator: outline || shadow, onScreen,
    // The focus is on a part inside it (a date field's calendar button).
    inner: !e.matches(':focus'),
    style: 'outline ' + s.outlineStyle + ' ' + s.outlineWidth +
      ', box-shadow ' + s.boxShadow,
    rect: [Math.round(r.left), Math.round(r.top), Math.round(r.width),
           Math.round(r.height)].join(','),
  };
}

function describe(f) {
  if (!f) return '(nothing: the body)';
  return '<' + f.tag + (f.id ? ' id=' + f.id : '') +
    (f.name && !f.id ? ' name=' + f.name : '') +
    (f.href ? ' href=' + f.href : '') + '>' +
    (f.text && (f.tag === 'a' || f.tag === 'button') ? ' "' + f.text + '"'
     : '');
}

// Elements whose focus has been judged, per page path: each is reported
// once however often the walk passes it, failed if it ever lacked an
// indicator (a date field, say, when its calendar button has the focus).
const judged = new Map();

async function focused(page) {
  const f = await page.evaluate(focusState);
  if (f) {
    const path = new URL(page.url()).pathname;
    const key = path + ' ' + describe(f);
    let entry = judged.get(key);
    if (!entry) {
      entry = { page: path, element: describe(f), ok: true, why: '' };
      judged.set(key, entry);
      out.focus.push(entry);
    }
    const why = [];
    if (!f.indicator)
      why.push('no focus indicator' + (f.inner ? ' while a part inside ' +
               'it (a calendar button) has the focus' : '') + ' (' +
               f.style + ')');
    if (!f.onScreen) why.push('not on screen (' + f.rect + ')');
    if (why.length > 0 && entry.ok) {
      entry.ok = false;
      entry.why = why.join('; ');
    }
  }
  return f;
}

async function press(page, key) {
  await page.keyboard.press(key);
  return focused(page);
}

// Presses Tab until want(focus) holds; Stuck when it never does.
async function tabTo(page, want, what) {
  for (let i = 0; i < MAX_TABS; i++) {
    const f = await press(page, 'Tab');
    if (f && want(f)) return f;
  }
  throw new Stuck('Tab never reaches ' + what + ' on ' +
                  new URL(page.url()).pathname + ' (' + MAX_TABS +
                  ' presses)');
}

const byId = (id) => (f) => f.id === id;
const byHref = (href) => (f) => f.tag === 'a' && f.href === href;

// Enter (or Space) on what has the focus, and wait for the next page.
async function follow(page, key = 'Enter') {
  const nav = page.waitForNavigation({ timeout: 20000 });
  await page.keyboard.press(key);
  const resp = await nav;
  return resp ? resp.status() : 0;
}

// The skip link: first Tab stop, visible, and Enter moves the focus to the
// main content (the next Tab lands inside <main>).
async function skipLink(page, label) {
  const first = await press(page, 'Tab');
  if (!step(label + ': the first Tab stop is the skip link',
            first && first.cls.includes('skip-link') &&
            first.href === '#meent-inhoud', 'first: ' + describe(first)))
    return;
  step(label + ': the skip link is visible when it has the focus',
       first.onScreen && first.indicator, first.rect + '; ' + first.style);
  await page.keyboard.press('Enter');
  let f = await page.evaluate(focusState);
  if (!f || !f.inMain) f = await press(page, 'Tab');
  step(label + ': Enter on the skip link moves the focus into <main>',
       f && f.inMain, 'then focused: ' + describe(f));
}

// Arrow keys on a focused <select> until it holds value.
async function choose(page, value) {
  let f = await page.evaluate(focusState);
  const values = await page.evaluate(() => Array.from(
    document.activeElement.options || [], (o) => o.value));
  const want = values.indexOf(value);
  const at = values.indexOf(f.value);
  const key = want > at ? 'ArrowDown' : 'ArrowUp';
  for (let i = 0; i < values.length && f.value !== value; i++)
    f = await press(page, key);
  return f.value;
}

// Types into the field that has the focus (textareas: "\n" is Enter).
async function typeHere(page, text) {
  await page.keyboard.type(text);
  return (await page.evaluate(focusState)).value;
}

// Types an ISO date into the focused date field as its parts show it: the
// Dutch order day-month-year first; when the browser's field has another
// order (its locale), back with Shift+Tab to the first part and again.
async function typeDate(page, iso) {
  const [y, m, d] = iso.split('-');
  let value = '';
  for (const parts of [d + m + y, m + d + y, y + m + d]) {
    await page.keyboard.type(parts);
    value = (await page.evaluate(focusState)).value;
    if (value === iso) break;
    await press(page, 'Shift+Tab');
    await press(page, 'Shift+Tab');
  }
  return value;
}

// "Publiceren" on the empty form: the page again with the error summary;
// its first link, by Enter, takes the focus to the field it names, which
// is marked invalid and described by its error message.
async function errorSummary(page) {
  await tabTo(page, (f) => f.tag === 'button' && f.value === 'publiceren',
              'the button Publiceren');
  const status = await follow(page, 'Space');
  const summary = await page.evaluate(() => Boolean(
    document.querySelector('.error-summary a[href^="#"]')));
  if (!step('"Publiceren" on the empty form: 400 and an error summary with '
            + 'links', status === 400 && summary, 'status ' + status))
    return;
  const link = await tabTo(page, (f) => f.tag === 'a' &&
    /^#/.test(f.href) && f.href !== '#meent-inhoud',
    'the first link of the error summary');
  await page.keyboard.press('Enter');
  const f = await focused(page);
  if (!step('Enter on the error summary\'s link ' + link.href +
            ' puts the focus on that field', f && '#' + f.id === link.href,
            'then focused: ' + describe(f)))
    return;
  const tied = await page.evaluate(() => {
    const e = document.activeElement;
    const ids = (e.getAttribute('aria-describedby') || '').split(/\s+/);
    const msg = ids.map((id) => document.getElementById(id))
      .filter((x) => x && x.classList.contains('error'))
      .map((x) => x.innerText);
    return { invalid: e.getAttribute('aria-invalid'), msg };
  });
  step('the field with focus is aria-invalid and described by its error '
       + 'message', tied.invalid === 'true' && tied.msg.length === 1,
       JSON.stringify(tied));
}

async function walk(page) {
  // 1. Sign in.
  let resp = await page.goto(base + '/inloggen');
  step('/inloggen loads', resp && resp.status() === 200,
       'status ' + (resp && resp.status()));
  await skipLink(page, '/inloggen');
  await page.goto(base + '/inloggen');   // afresh: the walk starts on top
  await tabTo(page, byId('email'), 'the e-mail field');
  step('sign in: e-mail typed', await typeHere(page, email) === email);
  await tabTo(page, byId('wachtwoord'), 'the password field');
  await page.keyboard.type(password);
  let status = await follow(page, 'Enter');
  const who = await page.evaluate(() =>
    (document.querySelector('.session') || {}).innerText || '');
  if (!step('sign in: Enter in the password field signs in',
            status === 200 && /Ingelogd/.test(who),
            'status ' + status + ' at ' + page.url() + '; session: ' + who))
    throw new Stuck('not signed in');

  // 2. Publish a pilot: start page -> Pilots -> Een pilot publiceren.
  await skipLink(page, 'start page (signed in)');
  await page.goto(base + '/');
  await tabTo(page, byHref('/pilots'), 'the menu item Pilots');
  status = await follow(page);
  step('menu item Pilots opens /pilots by Enter', status === 200 &&
       new URL(page.url()).pathname === '/pilots', page.url());
  await tabTo(page, byHref('/pilots/nieuw'),
              'the link "Een pilot publiceren"');
  status = await follow(page);
  step('"Een pilot publiceren" opens the form by Enter', status === 200 &&
       new URL(page.url()).pathname === '/pilots/nieuw', page.url());
  await skipLink(page, '/pilots/nieuw');
  await page.goto(base + '/pilots/nieuw');
  await errorSummary(page);
  await page.goto(base + '/pilots/nieuw');

  const P = JSON.parse(process.env.MEENT_PILOT);
  const got = {};
  for (const [id, value] of P.order) {
    const f = await tabTo(page, byId(id), 'the field ' + id);
    if (f.tag === 'select') {
      got[id] = await choose(page, value);
    } else if (f.type === 'checkbox') {
      if (f.checked !== value) await page.keyboard.press('Space');
      got[id] = (await page.evaluate(focusState)).checked;
    } else if (f.type === 'date') {
      got[id] = await typeDate(page, value);
    } else {
      got[id] = await typeHere(page, value);
    }
  }
  const wrong = P.order.filter(([id, v]) => got[id] !== v)
    .map(([id, v]) => id + ': ' + JSON.stringify(got[id]) + ', want ' +
         JSON.stringify(v));
  step('every field of the pilot form takes its value from the keyboard',
       wrong.length === 0, wrong.join('\n'));
  await tabTo(page, (f) => f.tag === 'button' && f.value === 'publiceren',
              'the button Publiceren');
  status = await follow(page, 'Space');
  const path = new URL(page.url()).pathname;
  if (step('Space on "Publiceren" publishes: the pilot\'s page',
           status === 200 && /^\/pilots\/[0-9a-f-]{36}$/.test(path),
           'status ' + status + ' at ' + page.url() + '\n' +
           (await page.evaluate(() => (document.querySelector('main') ||
             document.body).innerText)).slice(0, 800)))
    out.pilot = path;
  const notice = await page.evaluate(() => Array.from(
    document.querySelectorAll('[role=status]'), (e) => e.innerText).join(' '));
  step('after publishing, a status message says so', /Gepubliceerd/.test(
    notice), 'role=status: ' + JSON.stringify(notice));

  // 3. Propose a change: menu -> Richtlijnen -> the guideline ->
  // Wijziging voorstellen.
  await page.goto(base + (out.pilot || '/'));
  await tabTo(page, byHref('/richtlijnen'), 'the menu item Richtlijnen');
  status = await follow(page);
  step('menu item Richtlijnen opens /richtlijnen by Enter', status === 200,
       page.url());
  const G = JSON.parse(process.env.MEENT_PROPOSAL);
  await tabTo(page, byHref('/richtlijnen/' + G.slug), 'the guideline');
  status = await follow(page);
  step('the guideline opens by Enter', status === 200, page.url());
  await skipLink(page, '/richtlijnen/' + G.slug);
  await page.goto(base + '/richtlijnen/' + G.slug);
  await tabTo(page, byHref('/richtlijnen/' + G.slug + '/voorstellen/nieuw'),
              'the link "Wijziging voorstellen"');
  status = await follow(page);
  step('"Wijziging voorstellen" opens the form by Enter', status === 200,
       page.url());
  await tabTo(page, byId('tekst'), 'the text');
  // To the end of the text, and a paragraph more.
  await page.keyboard.press('Control+End');
  const tekst = await typeHere(page, G.add);
  step('the guideline text takes the typed paragraph at its end',
       tekst.endsWith(G.add), JSON.stringify(tekst.slice(-200)));
  await tabTo(page, byId('bericht'), 'the reason');
  step('the reason is typed', await typeHere(page, G.bericht) === G.bericht);
  await tabTo(page, (f) => f.tag === 'button' && /Voorstel indienen/.test(
    f.text), 'the button "Voorstel indienen"');
  status = await follow(page, 'Enter');
  const ppath = new URL(page.url()).pathname;
  if (step('Enter on "Voorstel indienen" files the proposal: its page',
           status === 200 && /\/voorstellen\/\d+$/.test(ppath),
           'status ' + status + ' at ' + page.url() + '\n' +
           (await page.evaluate(() => (document.querySelector('main') ||
             document.body).innerText)).slice(0, 800)))
    out.proposal = ppath;
}

const context = await browser.newContext({
  viewport: { width: WIDTH, height: 800 }, locale: 'nl-NL',
  timezoneId: 'Europe/Amsterdam',
});
const page = await context.newPage();
page.setDefaultTimeout(20000);
try {
  await walk(page);
} catch (err) {
  step('the keyboard walk reaches its end', false,
       (err instanceof Stuck ? '' : 'error: ') + err.message);
  if (shotdir) {
    try {
      mkdirSync(shotdir, { recursive: true });
      const shot = join(shotdir, 'keyboard-stuck.png');
      await page.screenshot({ path: shot, fullPage: true });
      step('screenshot of where the walk stopped: ' + shot, true);
    } catch (e) { /* the failure above says enough */ }
  }
}
await browser.close();
process.stdout.write(JSON.stringify(out) + '\n');
