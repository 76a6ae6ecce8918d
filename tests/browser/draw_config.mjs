// A manager signs in, opens a camera's configuration, draws a counting line and a privacy mask on
// the still of the anonymized view, previews the diff and saves with a reason. PNG screenshots.
// usage: node draw_config.mjs BASE_URL OUT_DIR USER_DATA_DIR CAMERA USER PASSWORD
import { launch } from './launch.mjs';

const [base, outDir, userDataDir, camera, user, password] = process.argv.slice(2);
const context = await launch(userDataDir, { width: 1280, height: 900 });
const result = { errors: [] };
const page = await context.newPage();
page.on('pageerror', (e) => result.errors.push(String(e)));
try {
  await page.goto(`${base}/console/login?lang=ja`, { waitUntil: 'load' });
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL('**/console'), page.click('button[type=submit]')]);
  await page.goto(`${base}/console/cameras/${camera}`, { waitUntil: 'load' });
  // The player plays when the page says the view is live; how soon depends on the machine's load.
  const live = await page.locator('#paused-note').isHidden().catch(() => false);
  result.viewPlaying = live && await page.waitForFunction(() => document.querySelector('video')?.currentTime > 0,
    null, { polling: 250 }).then(() => true, () => false);
  await page.screenshot({ path: `${outDir}/console-camera-view.png` });
  await page.goto(`${base}/console/cameras/${camera}/config`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('draw').dataset.snapshot.length < 10, null, { polling: 250 });
  result.snapshot = await page.getAttribute('#draw', 'data-snapshot');
  const box = await page.locator('#draw').boundingBox();
  const at = (fx, fy) => page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
  await page.fill('#new-line-id', 'drawn-line');
  await page.click('#tool-line');
  await at(0.1, 0.45); await at(0.9, 0.45);
  await page.fill('#new-mask', '民家');
  await page.click('#tool-mask');
  await at(0.02, 0.02); await at(0.3, 0.02); await at(0.3, 0.25); await at(0.02, 0.25);
  await page.click('#tool-done');
  const doc = JSON.parse(await page.inputValue('#editor'));
  result.lines = doc.counting_lines.map((l) => [l.id, l.start, l.end]);
  result.masks = doc.privacy_masks.map((m) => [m.name, m.polygon.length]);
  await page.fill('#reason', '停止線の手前で計測し、民家を隠すため');
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=preview]')]);
  result.diff = await page.textContent('#diff');
  await page.screenshot({ path: `${outDir}/console-config-preview.png`, fullPage: true });
  await Promise.all([page.waitForURL('**saved=**'), page.click('#save')]);
  result.saved = await page.textContent('#saved');
  await page.screenshot({ path: `${outDir}/console-config-saved.png`, fullPage: true });
  await page.goto(`${base}/console/audit?lang=ja`, { waitUntil: 'load' });
  result.audit = await page.textContent('#audit-table');
  await page.screenshot({ path: `${outDir}/console-audit.png`, fullPage: true });
} catch (e) {
  result.failure = String(e);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
