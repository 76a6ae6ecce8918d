// The console on a live `roadcam up` stack, as a manager uses it. Two phases, each one browser session:
//   configure: sign in, open the camera, import calibration, lanes and location through the config editor (save 1),
//              draw a counting line and a privacy mask on the snapshot, preview the diff, save with a reason (save 2)
//   review:    the audit log with the change's diff, the count/queue/speed charts, the public camera page and
//              the map in Japanese and English
// usage: node console_stack.mjs PHASE BASE_URL OUT_DIR USER_DATA_DIR CAMERA USER PASSWORD PLAN_JSON
// Prints one JSON line with what the pages showed (the Python test asserts on it). PNG screenshots in OUT_DIR.
import { launch } from './launch.mjs';

const [phase, base, outDir, userDataDir, camera, user, password, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson || '{}');
const context = await launch(userDataDir, { width: 1280, height: 900 });
const result = { errors: [] };
const page = await context.newPage();
page.setDefaultTimeout(60000); // a loaded 2-core machine: pages and charts may take a while
page.on('pageerror', (e) => result.errors.push(String(e)));
const shot = (name) => page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });

async function signIn() {
  await page.goto(`${base}/console/login?lang=ja`, { waitUntil: 'load' });
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL('**/console'), page.click('button[type=submit]')]);
}

async function saveDocument(reason, name) {
  await page.fill('#reason', reason);
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=preview]')]);
  const errors = await page.locator('#field-errors li').allTextContents();
  if (errors.length) throw new Error(`${name}: ${errors.join('; ')}`);
  const diff = await page.textContent('#diff');
  await shot(`${name}-preview`);
  const clickedMs = Date.now();
  await Promise.all([page.waitForURL('**saved=**'), page.click('#save')]);
  // The public playlist right after the save: segments not in it were published after the change.
  const playlist = await (await page.request.get(`${base}/hls/${camera}/index.m3u8`)).text();
  return { clickedMs, savedMs: Date.now(), diff, saved: await page.textContent('#saved'),
           segmentsAtSave: playlist.split('\n').filter((l) => l.trim().endsWith('.ts')) };
}

async function openConfig() {
  await page.waitForFunction(() => document.getElementById('draw').dataset.snapshot.length < 10);
  return page.getAttribute('#draw', 'data-snapshot');
}

// Right after a change the anonymizer holds the view on the grey "paused" slate until the new
// configuration is in force: reload until the still shows the scene again. The slate's top-left
// corner is flat grey 60 (as tests/integration/anonymizer/test_live_config.py is_slate reads it).
async function sceneSnapshot() {
  for (let i = 0; i < 60; i++) {
    const state = await openConfig();
    const slate = await page.evaluate(() => {
      const d = document.getElementById('draw').getContext('2d').getImageData(5, 5, 45, 45).data;
      const grey = [];
      for (let i = 0; i < d.length; i += 4) grey.push((d[i] + d[i + 1] + d[i + 2]) / 3);
      const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
      const std = Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
      return Math.abs(mean - 60) < 8 && std < 6;
    });
    if (state === 'loaded' && !slate) return state;
    await page.waitForTimeout(2000);
    await page.reload({ waitUntil: 'load' });
  }
  return 'slate';
}

// What an operator watches after adding a line: the console's live tallies, until the line has counts.
async function lineCounted(sinceMs) {
  while (Date.now() - sinceMs < 180000) {
    const html = await (await page.request.get(`${base}/console/counts/live?camera=${camera}`)).text();
    if (html.includes(`<td>${plan.line.id}</td>`)) return Date.now() - sinceMs;
    await page.waitForTimeout(500);
  }
  return null;
}

// A click at a fraction of the still, where the canvas is now; the whole canvas in the viewport first
// (below the "saved" note its bottom is past a 900 px viewport, and a click there reaches nothing).
async function at([fx, fy]) {
  await page.evaluate(() => document.getElementById('draw').scrollIntoView({ block: 'center' }));
  const box = await page.locator('#draw').boundingBox();
  result.clicks.push([Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height), fx, fy]);
  await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
}

async function draw() {
  result.clicks = [];
  await page.fill('#new-line-id', plan.line.id);
  await page.fill('#new-pos', plan.line.pos);
  await page.fill('#new-neg', plan.line.neg);
  await page.evaluate(() => { window.seenClicks = [];
    document.getElementById('draw').addEventListener('click', (e) => window.seenClicks.push([e.clientX, e.clientY])); });
  await page.click('#tool-line');
  await at(plan.line.from); await at(plan.line.to);
  const drawnLine = await page.waitForFunction((id) => document.getElementById('editor').value.includes(`"${id}"`),
                                               plan.line.id, { timeout: 5000 }).then(() => true, () => false);
  if (!drawnLine) {
    throw new Error(`line not drawn: clicks ${JSON.stringify(result.clicks)}, the canvas saw ${JSON.stringify(
      await page.evaluate(() => window.seenClicks))}`);
  }
  await page.fill('#new-mask', plan.mask.name);
  await page.click('#tool-mask');
  for (const p of plan.mask.points) await at(p);
  await page.click('#tool-done');
  const drawn = JSON.parse(await page.inputValue('#editor'));
  result.lines = drawn.counting_lines.map((l) => [l.id, l.start, l.end]);
  result.masks = drawn.privacy_masks.map((m) => [m.name, m.polygon]);
  await shot('console-config-drawn');
}

async function configure() {
  await signIn();
  await page.goto(`${base}/console/cameras?lang=ja`, { waitUntil: 'load' });
  result.cameraRows = await page.locator('#cameras-table tbody tr').count();
  result.cameraRow = (await page.textContent(`#row-${camera}`)).replace(/\s+/g, ' ').trim();
  await shot('console-cameras');
  await page.goto(`${base}/console/cameras/${camera}`, { waitUntil: 'load' });
  await shot('console-camera');
  await Promise.all([page.waitForURL('**/config'), page.click('#edit-config')]);
  await openConfig();
  const doc = JSON.parse(await page.inputValue('#editor'));
  await page.fill('#editor', JSON.stringify({ ...doc, calibration: plan.calibration, lanes: plan.lanes, location: plan.location }, null, 2));
  result.measures = await saveDocument(plan.measuresReason, 'console-config-measures');
  result.snapshot = await sceneSnapshot();
  await draw();
  result.drawing = await saveDocument(plan.drawReason, 'console-config-drawing');
  result.drawing.lineCountedMs = await lineCounted(result.drawing.clickedMs);
  result.afterSnapshot = await sceneSnapshot();
  await shot('console-config-saved');
}

// Pixels of the chart's canvas in the series colours of charts.js (grey left out: axes use it).
const seriesPixels = (sel) => page.evaluate((s) => {
  const canvas = document.querySelector(`${s} canvas`);
  if (!canvas) return -1;
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const palette = [[11, 92, 171], [217, 72, 15], [43, 138, 62], [112, 72, 232], [194, 37, 92], [16, 152, 173], [92, 148, 13]];
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 200 && palette.some(([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40)) n++;
  }
  return n;
}, sel);

async function chart(sel) {
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.loaded !== undefined, sel);
  await page.waitForTimeout(300);
  return { points: Number(await page.getAttribute(sel, 'data-points')), canvas: await page.locator(`${sel} canvas`).count(),
           seriesPixels: await seriesPixels(sel), legend: await page.locator(`${sel} .u-legend .u-series`).allTextContents() };
}

async function visit(name, path, extra) {
  await page.goto(base + path, { waitUntil: 'load' });
  const info = { lang: await page.getAttribute('html', 'lang'), h1: (await page.textContent('h1')).trim() };
  if (extra) Object.assign(info, await extra());
  await shot(name);
  result.pages[name] = info;
}

async function review() {
  result.pages = {};
  await signIn();
  await visit('console-audit', '/console/audit?lang=ja', async () => {
    const row = page.locator('#audit-table tbody tr', { hasText: plan.drawReason }).first();
    await row.locator('details.audit-diff summary').click();
    return { row: await row.textContent(), rows: await page.locator('#audit-table tbody tr').count() };
  });
  const counts = `/console/counts?camera=${camera}&bin=5&hours=1`;
  await visit('console-counts-ja', `${counts}&lang=ja`, async () => {
    await page.waitForSelector('#live-table');
    return { counts: await chart('#counts-chart'), queues: await chart('#queue-chart'),
             speeds: await chart('#speed-chart'), live: await page.textContent('#live-table') };
  });
  await visit('console-counts-en', `${counts}&lang=en`, async () => ({ counts: await chart('#counts-chart') }));
  for (const lang of ['ja', 'en']) {
    await visit(`public-camera-${lang}`, `/cameras/${camera}?lang=${lang}`, async () => {
      await page.waitForTimeout(6000); // let hls.js load and play a few segments
      return { notice: await page.textContent('dl.notice'), paused: await page.isVisible('#paused-note'),
               playedS: await page.evaluate(() => document.querySelector('video')?.currentTime || 0) };
    });
    await visit(`public-map-${lang}`, `/map?lang=${lang}`, async () => {
      await page.waitForFunction(() => document.getElementById('map').dataset.markers !== undefined);
      return { markers: Number(await page.getAttribute('#map', 'data-markers')), text: await page.textContent('main'),
               tooltips: await page.locator('.leaflet-tooltip').allTextContents() };
    });
  }
}

try {
  await (phase === 'configure' ? configure() : review());
} catch (e) {
  result.failure = String(e);
  await shot(`failure-${phase}`).catch(() => {});
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
