// Opens the public page in headless Chromium and checks the first player really plays.
// usage: node check_player.mjs URL SCREENSHOT.png USER_DATA_DIR [ADVANCE_S] [DEADLINE_S]
// Waits (up to DEADLINE_S, default 180, for the whole check) until the video has started and then
// played ADVANCE_S (default 5) seconds of media time. On a loaded machine the live view may be
// produced slower than real time, so the wall-clock time this takes is measured, never asserted.
// Prints one JSON line: {start, end, advanced, startedAfterS, advanceTookS, paused, error, lang, notice}.
// VIDEO_SCREENSHOT (SCREENSHOT with -video before .png) is the player alone, for a slate check.
import { launch } from './launch.mjs';

const [url, screenshot, userDataDir, advanceArg, deadlineArg] = process.argv.slice(2);
const advanceS = Number(advanceArg || 5);
const deadline = Date.now() + 1000 * Number(deadlineArg || 180);
const left = () => Math.max(1000, deadline - Date.now());
const context = await launch(userDataDir, { width: 900, height: 800 });
const result = {};
const opened = Date.now();
try {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') result.console = (result.console || '') + m.text() + '\n'; });
  await page.goto(url, { waitUntil: 'load', timeout: left() });
  result.lang = await page.getAttribute('html', 'lang');
  result.notice = await page.textContent('dl.notice');
  const video = page.locator('video').first();
  // Playback has really started (hls.js needs a couple of segments first).
  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return v && v.currentTime > 0.5 && !v.paused && v.readyState >= 3;
  }, null, { timeout: left(), polling: 250 });
  result.startedAfterS = (Date.now() - opened) / 1000;
  result.start = await video.evaluate((v) => v.currentTime);
  const playing = Date.now();
  // Media time, not wall time: a stall while segments arrive late only makes this take longer.
  await page.waitForFunction(([start, need]) => document.querySelector('video').currentTime - start >= need,
    [result.start, advanceS], { timeout: left(), polling: 250 }).catch(() => {});
  result.advanceTookS = (Date.now() - playing) / 1000;
  result.end = await video.evaluate((v) => v.currentTime);
  result.advanced = result.end - result.start;
  result.paused = await video.evaluate((v) => v.paused);
  result.error = await video.evaluate((v) => (v.error ? v.error.message || String(v.error.code) : null));
  await page.screenshot({ path: screenshot, fullPage: false });
  await video.screenshot({ path: screenshot.replace(/\.png$/, '-video.png') });
} catch (e) {
  result.failure = String(e);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
