// Walks the public site and the operator console in headless Chromium, saving PNG screenshots.
// usage: node check_site.mjs BASE_URL OUT_DIR USER_DATA_DIR CAMERA USER PASSWORD
// Prints one JSON line with what each page showed (the Python test asserts on it).
import { launch } from './launch.mjs';

const [base, outDir, userDataDir, camera, user, password] = process.argv.slice(2);
const context = await launch(userDataDir, { width: 1100, height: 800 });
const result = { pages: {}, errors: [] };
const page = await context.newPage();
page.on('pageerror', (e) => result.errors.push(String(e)));

async function visit(name, path, extra) {
  await page.goto(base + path, { waitUntil: 'load' });
  const info = { lang: await page.getAttribute('html', 'lang'), h1: (await page.textContent('h1')).trim(),
                 videos: await page.locator('video').count(),
                 switchText: (await page.textContent('#lang-switch')).trim() };
  if (extra) Object.assign(info, await extra());
  await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
  result.pages[name] = info;
}

const chartPoints = (sel) => async () => {
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.points !== undefined, sel, { polling: 250 });
  return { points: Number(await page.getAttribute(sel, 'data-points')),
           canvas: await page.locator(`${sel} canvas`).count(),
           flagged: Number(await page.getAttribute(sel, 'data-flagged') || 0) };
};

try {
  await visit('public-list-ja', '/');
  await visit('public-camera-ja', `/cameras/${camera}`, async () => ({
    notice: await page.textContent('dl.notice'), paused: await page.isVisible('#paused-note') }));
  await visit('public-camera-en', `/cameras/${camera}?lang=en`, async () => ({ notice: await page.textContent('dl.notice') }));
  await visit('public-map-ja', '/map?lang=ja', async () => {
    await page.waitForFunction(() => document.getElementById('map').dataset.markers !== undefined, null, { polling: 250 });
    return { markers: Number(await page.getAttribute('#map', 'data-markers')),
             tooltips: await page.locator('.leaflet-tooltip').allTextContents() };
  });
  await visit('public-map-en', '/map?lang=en');
  await visit('public-opendata-ja', '/opendata?lang=ja', chartPoints('#od-chart'));
  await visit('public-opendata-en', '/opendata?lang=en', chartPoints('#od-chart'));
  await page.goto(base + '/console/cameras?lang=ja', { waitUntil: 'load' });
  result.redirectedTo = new URL(page.url()).pathname;
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.screenshot({ path: `${outDir}/console-login-ja.png` });
  await Promise.all([page.waitForURL('**/console/cameras**'), page.click('button[type=submit]')]);
  await visit('console-cameras-ja', '/console/cameras', async () => ({ rows: await page.locator('#cameras-table tbody tr').count() }));
  await visit('console-camera-ja', `/console/cameras/${camera}`);
  await visit('console-counts-ja', `/console/counts?camera=${camera}&bin=15&hours=24`, async () => {
    await page.waitForSelector('#live-table');
    const queues = await chartPoints('#queue-chart')();
    const speeds = await chartPoints('#speed-chart')();
    return { ...(await chartPoints('#counts-chart')()), live: await page.textContent('#live-table'),
             queuePoints: queues.points, speedPoints: speeds.points,
             flaggedRows: await page.locator('#flagged-bins tbody tr.flag').count(),
             viewHealth: await page.textContent('#view-health') };
  });
  await visit('console-counts-en', `/console/counts?camera=${camera}&bin=60&hours=24&lang=en`, chartPoints('#counts-chart'));
  await visit('console-audit-ja', '/console/audit?lang=ja');
} catch (e) {
  result.failure = String(e);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
