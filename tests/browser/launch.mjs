// The headless Chromium every browser check runs in: one place for the flags that keep it quiet
// and offline (no updates, sync or QUIC) and let video autoplay without a click.
import { chromium } from 'playwright-core';

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                     '--disable-background-networking', '--disable-component-update', '--disable-sync',
                     '--autoplay-policy=no-user-gesture-required'];
// Playwright's 30 s default is short when the test machine's 2 cores are shared with other work;
// the checks wait for things to happen, so a longer limit only matters when they never do.
export const PATIENT_MS = 90000;

export async function launch(userDataDir, viewport) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport,
  });
  context.setDefaultTimeout(PATIENT_MS);
  context.setDefaultNavigationTimeout(PATIENT_MS);
  return context;
}
