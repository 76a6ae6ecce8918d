// Marking the requester of a self-disclosure export in headless Chromium: the operator opens the
// approved request, shows a frame of the clip, drags a box around the person, and exports.
// usage: node check_self_disclosure.mjs BASE OUT_DIR REQUEST_ID CAMERA FRAME X1 Y1 X2 Y2 OPERATOR PASSWORD
// (X1..Y2: the box to drag, in the clip's pixels.) Prints one JSON line for the Python test.
import { chromium } from 'playwright-core';
import { ARGS, PATIENT_MS } from './launch.mjs';

const [base, outDir, requestId, camera, frame, x1, y1, x2, y2, operator, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS,
});
const result = { errors: [], shots: [] };

try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  context.setDefaultTimeout(PATIENT_MS);
  context.setDefaultNavigationTimeout(PATIENT_MS);
  const page = await context.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.goto(`${base}/console/login?lang=ja`, { waitUntil: 'load' });
  await page.fill('input[name=username]', operator);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL('**/console'), page.click('button[type=submit]')]);
  await page.goto(`${base}/console/requests/${requestId}`, { waitUntil: 'load' });
  const field = page.locator('fieldset.mark', { has: page.locator(`input[name="box-${camera}"]`) });
  await field.locator('.mark-frame').fill(frame);
  await field.locator('.mark-load').click();
  await field.locator('.mark-count').filter({ hasText: /\d/ }).waitFor();
  result.countText = await field.locator('.mark-count').textContent();
  const canvas = field.locator('.mark-canvas[data-natural]');
  await canvas.waitFor();
  await canvas.scrollIntoViewIfNeeded();
  // the clip's pixels -> the page: the canvas shows the still scaled, and CSS may scale the canvas again
  const g = await canvas.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const [w, h] = el.dataset.natural.split('x').map(Number);
    return { left: r.left, top: r.top, sx: r.width / w, sy: r.height / h };
  });
  const [ax, ay] = [g.left + Number(x1) * g.sx, g.top + Number(y1) * g.sy];
  const [bx, by] = [g.left + Number(x2) * g.sx, g.top + Number(y2) * g.sy];
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2);
  await page.mouse.move(bx, by);
  await page.mouse.up();
  result.box = await field.locator('.mark-box').inputValue();
  await page.screenshot({ path: `${outDir}/self-disclosure-mark.png`, fullPage: true });
  result.shots.push('self-disclosure-mark');
  await page.click('#export', { noWaitAfter: true });  // the export redacts every frame before the page comes back
  await page.locator('#export-links, #action-error').first().waitFor({ timeout: 15 * 60 * 1000 });
  result.error = await page.locator('#action-error').count() ? await page.locator('#action-error').textContent() : '';
  result.links = await page.locator('.download-link').allTextContents();
  await page.screenshot({ path: `${outDir}/self-disclosure-exported.png`, fullPage: true });
  result.shots.push('self-disclosure-exported');
} catch (e) {
  result.failure = String(e.stack || e);
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
