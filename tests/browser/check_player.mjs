// Opens the public page in headless Chromium and checks the first player really plays.
// usage: node check_player.mjs URL SCREENSHOT.png USER_DATA_DIR [ADVANCE_S] [DEADLINE_S]
// Waits (up to DEADLINE_S, default 180, for the whole check) until the video has started and then
// played ADVANCE_S (default 5) seconds of media time. On a loaded machine the live view may be
// produced slower than real time, so the wall-clock time this takes is measured, never asserted.
// While it plays, the shown frame is sampled every 0.5 s: `scenes` counts frames of a real scene,
// `slates` frames of the grey paused card (services/anonymizer/slate.py: flat grey 60).
// Prints one JSON line: {start, end, advanced, startedAfterS, advanceTookS, scenes, slates, paused, error, lang, notice}.
import { launch } from './launch.mjs';

const [url, screenshot, userDataDir, advanceArg, deadlineArg] = process.argv.slice(2);
const advanceS = Number(advanceArg || 5);
const deadline = Date.now() + 1000 * Number(deadlineArg || 180);
const left = () => Math.max(1000, deadline - Date.now());
const context = await launch(userDataDir, { width: 900, height: 800 });
const result = { scenes: 0, slates: 0 };
const opened = Date.now();

// The top-left 45 px of the shown frame (at the video's own size): the paused card is flat grey 60 there.
function shownFrame(v) {
  const canvas = document.createElement('canvas');
  canvas.width = v.videoWidth;
  canvas.height = v.videoHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(v, 0, 0);
  const px = ctx.getImageData(5, 5, 45, 45).data;
  const grey = [];
  for (let i = 0; i < px.length; i += 4) grey.push((px[i] + px[i + 1] + px[i + 2]) / 3);
  const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
  const std = Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
  return { time: v.currentTime, slate: Math.abs(mean - 60) < 6 && std < 4 };
}

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
  let frame = { time: result.start };
  while (frame.time - result.start < advanceS && Date.now() < deadline) {
    await page.waitForTimeout(500);
    frame = await video.evaluate(shownFrame);
    if (frame.slate) result.slates += 1; else result.scenes += 1;
  }
  result.advanceTookS = (Date.now() - playing) / 1000;
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
