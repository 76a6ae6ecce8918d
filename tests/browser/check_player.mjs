// Opens the public page in headless Chromium and checks the first player really plays.
// usage: node check_player.mjs URL SCREENSHOT.png USER_DATA_DIR
// Prints one JSON line: {start, end, advanced, paused, error, lang, notice}.
import { launch } from './launch.mjs';

const [url, screenshot, userDataDir] = process.argv.slice(2);
const context = await launch(userDataDir, { width: 900, height: 800 });
const result = {};
try {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') result.console = (result.console || '') + m.text() + '\n'; });
  await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  result.lang = await page.getAttribute('html', 'lang');
  result.notice = await page.textContent('dl.notice');
  const video = page.locator('video').first();
  // Wait until playback has really started (hls.js needs a couple of segments first).
  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return v && v.currentTime > 0.5 && !v.paused && v.readyState >= 3;
  }, null, { timeout: 40000 });
  result.start = await video.evaluate((v) => v.currentTime);
  await page.waitForTimeout(6000);
  result.end = await video.evaluate((v) => v.currentTime);
  result.advanced = result.end - result.start;
  result.paused = await video.evaluate((v) => v.paused);
  result.error = await video.evaluate((v) => (v.error ? v.error.message || String(v.error.code) : null));
  await page.screenshot({ path: screenshot, fullPage: false });
} catch (e) {
  result.failure = String(e);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
