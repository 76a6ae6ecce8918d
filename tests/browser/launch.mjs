// The headless Chromium every browser check runs in: one place for the flags that keep it quiet
// and offline (no updates, sync or QUIC) and let video autoplay without a click.
import { chromium } from 'playwright-core';

export function launch(userDataDir, viewport) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--autoplay-policy=no-user-gesture-required'],
    viewport,
  });
}
