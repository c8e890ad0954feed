// The console's browser checks, run by console_browser_test.py:
//   node console_browser.js URL PHOTOS SCREENSHOT_DIR ITEMS
// Drives Debian's chromium (headless) with puppeteer-core. Exits non-zero, saying what failed,
// when a check fails; saves a screenshot of each page it visits.
'use strict';

const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [url, photos, shots, itemsText] = process.argv.slice(2);
const items = Number(itemsText);
const problems = [];

function expect(cond, what) {
  if (!cond) {
    problems.push(what);
    console.error('FAILED: ' + what);
  } else {
    console.error('ok: ' + what);
  }
}

async function shot(page, name) {
  await page.screenshot({path: path.join(shots, name + '.png'), fullPage: true});
}

// Polls fn (run in the page) until it returns a truthy value; that value, or null on timeout.
async function until(page, fn, arg, seconds) {
  try {
    const handle = await page.waitForFunction(fn, {timeout: seconds * 1000, polling: 100}, arg);
    return await handle.jsonValue();
  } catch (e) {
    return null;
  }
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
    defaultViewport: {width: 1280, height: 900},
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => { pageErrors.push('a dialog opened: ' + d.message()); d.dismiss(); });
  try {
    // Executions: start a run on the photos from the form.
    await page.goto(url + '/', {waitUntil: 'networkidle0'});
    await page.waitForSelector('#start-form');
    await page.type('input[name=bucket]', photos);
    await page.click('#start');
    const name = await until(page, () => {
      const m = document.getElementById('start-message').textContent.match(/^Started (\S+)\.$/);
      return m && m[1];
    }, null, 120);
    expect(name, 'the form starts a run and names it: ' + await page.$eval('#start-message', (e) => e.textContent));
    if (!name) throw new Error('no run to follow');

    // Its progress moves without a reload, and it ends.
    const row = `tr[data-name="${name}"]`;
    const seen = new Set();
    let final = null;
  let shotProgress = false;
  let shotAny = false;
    const marker = await page.evaluate(() => (window.__sameDocument = true));
    for (let i = 0; i < 1200 && !final; i++) {
      const state = await page.$eval(row, (r) => ({status: r.dataset.status, done: r.querySelector('.succeeded').textContent}))
        .catch(() => null);
      if (state) {
        seen.add(state.done);
        if (state.status !== 'RUNNING') final = state.status;
        // The first view of it running, then the first with progress, if the run lets us see one.
        if (state.status === 'RUNNING' && (!shotAny || (seen.size === 2 && !shotProgress))) {
          shotProgress = seen.size === 2;
          shotAny = true;
          await shot(page, '1-executions-running');
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.size >= 2, 'the succeeded count moved while the page stayed open: ' + [...seen].join(' → '));
    expect(await page.evaluate(() => window.__sameDocument === true) && marker, 'no reload happened');
    expect(final === 'FAILED', 'the run ends FAILED, broken.jpg being over the 5 % tolerance: ' + final);
    await shot(page, '2-executions');

    // One execution: counts, failed items with their cause; mend the file, Redrive.
    await page.click(`${row} a`);
    await page.waitForSelector('#failed-items');
    const failed = await page.$$eval('#failed-items tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    expect(failed.length === 1 && failed[0][0] === 'broken.jpg' && failed[0][2].includes('broken.jpg'),
           'the failed item is broken.jpg, with a cause naming it: ' + JSON.stringify(failed));
    const total = await page.$eval('[data-count=total]', (e) => Number(e.textContent));
    expect(total === items, `the map run counts every object (${total} of ${items})`);
    await shot(page, '3-execution-failed');
    fs.copyFileSync(path.join(photos, 'kite.jpg'), path.join(photos, 'broken.jpg'));
    await page.$eval('#redrive', (b) => b.click());
    const redriven = await until(page, () => document.querySelector('#status .status')?.textContent === 'SUCCEEDED', null, 180);
    expect(redriven, 'after mending broken.jpg, Redrive makes the run SUCCEEDED');
    await shot(page, '4-execution-redriven');

    // Gallery: the key `<script>.jpg` is text, nothing ran.
    await page.goto(url + '/#/gallery', {waitUntil: 'networkidle0'});
    await page.waitForSelector('.tile');
    const scriptTile = await page.$$eval('.tile', (tiles) => tiles.map((t) => t.querySelector('.name').textContent)
      .filter((n) => n === '<script>.jpg').length);
    expect(scriptTile === 1, 'the key <script>.jpg is shown as text in the gallery');
    expect(await page.$$eval('script', (s) => s.length) === 1, 'no script element came from a key');
    const thumbs = await until(page, () => {
      const imgs = [...document.querySelectorAll('.tile img')];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0) &&
             imgs.map((i) => Math.max(i.naturalWidth, i.naturalHeight));
    }, null, 60);
    expect(thumbs && thumbs.every((s) => s <= 240), 'every thumbnail loaded, each at most 240 px: ' + JSON.stringify(thumbs));
    const facets = await page.$$eval('#facets a', (a) => a.map((x) => x.textContent));
    expect(facets.some((f) => f.startsWith('Dog')), 'the facets count Dog: ' + facets.join(', '));
    await shot(page, '5-gallery');

    // Search Dog, open dog.jpg.
    await page.type('#search-label', 'Dog');
    await Promise.all([page.waitForFunction(() => location.hash.includes('label=Dog')), page.click('#search button')]);
    await page.waitForSelector('.tile[data-id="dog.jpg"]');
    const found = await page.$$eval('.tile', (t) => t.map((x) => x.dataset.id));
    expect(found.includes('dog.jpg'), 'searching Dog finds dog.jpg: ' + found.join(', '));
    await shot(page, '6-gallery-dog');
    await page.click('.tile[data-id="dog.jpg"]');
    await page.waitForSelector('.box[data-label="Dog"]');
    await until(page, () => document.getElementById('picture-img').complete, null, 30);

    // Each drawn box sits where the stored BoundingBox puts it.
    const check = await page.evaluate(async () => {
      const params = new URLSearchParams(location.hash.split('?')[1]);
      const stored = await (await fetch('/console/api/image?' + params.toString())).json();
      const img = document.getElementById('picture-img').getBoundingClientRect();
      const out = [];
      for (const label of stored.response.Labels) {
        (label.Instances || []).forEach((inst, i) => {
          const box = document.querySelector(`.box[data-label="${CSS.escape(label.Name)}"][data-index="${i}"]`);
          if (!box) { out.push({label: label.Name, missing: true}); return; }
          const r = box.getBoundingClientRect();
          const b = inst.BoundingBox;
          out.push({label: label.Name,
                    dx: Math.abs(r.left - (img.left + b.Left * img.width)),
                    dy: Math.abs(r.top - (img.top + b.Top * img.height)),
                    dw: Math.abs(r.width - b.Width * img.width),
                    dh: Math.abs(r.height - b.Height * img.height)});
        });
      }
      return out;
    });
    expect(check.length > 0 && check.some((c) => c.label === 'Dog'), 'dog.jpg has a Dog box: ' + JSON.stringify(check));
    expect(check.every((c) => !c.missing && c.dx < 1.5 && c.dy < 1.5 && c.dw < 1.5 && c.dh < 1.5),
           'every box is drawn where its BoundingBox says (within a pixel): ' + JSON.stringify(check));
    await shot(page, '7-image-dog');
    await page.click('input[data-label="Dog"]');
    const hidden = await page.$$eval('.box[data-label="Dog"]', (b) => b.every((x) => getComputedStyle(x).display === 'none'));
    expect(hidden, "unticking Dog hides the Dog boxes");

    // The key as the page title, and a path-like key that reads nothing.
    await page.goto(url + '/#/image?source=' + encodeURIComponent(photos) + '&id=' + encodeURIComponent('<script>.jpg'), {waitUntil: 'networkidle0'});
    await page.waitForSelector('#answer');
    expect(await page.$eval('#image-key', (e) => e.textContent) === '<script>.jpg', 'the one-image page shows <script>.jpg as text');
    await page.goto(url + '/#/image?source=' + encodeURIComponent(photos) + '&id=' + encodeURIComponent('../../etc/passwd'), {waitUntil: 'networkidle0'});
    const refused = await until(page, () => document.querySelector('#view .error')?.textContent, null, 10);
    expect(refused && refused.includes('no labels are stored'), 'a path-like key is refused, not followed: ' + refused);
    await shot(page, '8-image-refused');
    expect(pageErrors.length === 0, 'no script error on any page: ' + pageErrors.join('; '));
  } catch (e) {
    problems.push(e.message);
    console.error('FAILED: ' + e.stack);
    await shot(page, 'failure').catch(() => {});
  } finally {
    await browser.close();
  }
  if (problems.length) process.exit(1);
}

main();
