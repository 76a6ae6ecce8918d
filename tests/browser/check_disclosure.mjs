// The disclosure workflow in headless Chromium: an operator registers a police request with its
// document, waits for the recorder's hold confirmation, a manager approves, the operator exports,
// the one-time link is used twice, the manager prints the provision register. PNG screenshots.
// usage: node check_disclosure.mjs BASE OUT_DIR CAMERA START END PDF OPERATOR MANAGER PASSWORD DOWNLOAD_TO
// Prints one JSON line (the Python test asserts on it and verifies the download).
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { ARGS, PATIENT_MS } from './launch.mjs';

const [base, outDir, camera, start, end, pdf, operator, manager, password, downloadTo] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS,
});
const result = { errors: [], shots: [] };

async function signedIn(user) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(PATIENT_MS);
  context.setDefaultNavigationTimeout(PATIENT_MS);
  const page = await context.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  await page.goto(`${base}/console/login?lang=ja`, { waitUntil: 'load' });
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL('**/console'), page.click('button[type=submit]')]);
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
  result.shots.push(name);
}

try {
  const op = await signedIn(operator);
  await op.goto(`${base}/console/requests/new?camera=${camera}`, { waitUntil: 'load' });
  result.bases = await op.locator('#legal-basis option').evaluateAll((os) => os.map((o) => o.value));
  await op.fill('input[name=requester_org]', '群馬県警察 前橋警察署');
  await op.fill('input[name=requester_representative]', '署長 山田太郎');
  await op.fill('input[name=contact_name]', '刑事課 佐藤一郎');
  await op.fill('input[name=contact_phone]', '027-000-0110');
  await op.fill('input[name=identity_document]', '警察手帳');
  await op.fill('input[name=start]', start);
  await op.fill('input[name=end]', end);
  await op.fill('textarea[name=reason]', '窃盗事件の捜査のため（捜査関係事項照会書）');
  await op.selectOption('#legal-basis', 'criminal_procedure_197_2');
  await op.check('input[name=method][value=data_provision]');
  await op.selectOption('select[name=medium]', 'network');
  await op.setInputFiles('input[name=document]', pdf);
  await shot(op, '1-request-form');
  await Promise.all([op.waitForURL(/\/console\/requests\/\d+$/), op.click('#register-request')]);
  result.requestId = Number(op.url().split('/').pop());
  result.registeredState = await op.getAttribute('#request-state', 'data-state');
  result.hasDocument = await op.locator('#document-link').count();
  await shot(op, '2-registered');
  // The recorder confirms over the bus: reload until it has, within a deadline that allows for load.
  const holdDeadline = Date.now() + 180000;
  while (Date.now() < holdDeadline && !(await op.locator('.hold[data-confirmed=yes]').count())) {
    await op.waitForTimeout(500);
    await op.reload({ waitUntil: 'load' });
  }
  result.holdConfirmed = await op.locator('.hold[data-confirmed=yes]').count();
  result.holdText = await op.textContent('#holds-table');
  await shot(op, '3-hold-confirmed');
  result.operatorSeesDecision = await op.locator('#decision-form').count();

  const boss = await signedIn(manager);
  await boss.goto(`${base}/console/requests/${result.requestId}`, { waitUntil: 'load' });
  await boss.fill('#decision-form textarea[name=reason]', '照会書と身分を確認、提供可');
  await Promise.all([boss.waitForURL(/\/console\/requests\/\d+$/), boss.click('#decide')]);
  result.approvedState = await boss.getAttribute('#request-state', 'data-state');
  await shot(boss, '4-approved');

  await op.goto(`${base}/console/requests/${result.requestId}`, { waitUntil: 'load' });
  await op.click('#export');
  await op.waitForSelector('#export-links', { timeout: 120000 });
  result.link = (await op.textContent('.download-link')).trim();
  await shot(op, '5-exported');
  const first = await op.request.get(result.link);
  result.firstStatus = first.status();
  writeFileSync(downloadTo, await first.body());
  const second = await op.request.get(result.link);
  result.secondStatus = second.status();

  await boss.goto(`${base}/console/registers?lang=ja`, { waitUntil: 'load' });
  await shot(boss, '6-registers');
  await boss.click('#provision-print');
  await boss.waitForSelector('#register');
  result.registerText = await boss.textContent('#register');
  await shot(boss, '7-provision-register');
  await boss.goto(`${base}/console/audit?lang=ja`, { waitUntil: 'load' });
  await shot(boss, '8-audit');
  await boss.goto(`${base}/console/requests/${result.requestId}?lang=en`, { waitUntil: 'load' });
  await shot(boss, '9-request-en');
} catch (e) {
  result.failure = String(e.stack || e);
}
await browser.close();
process.stdout.write(JSON.stringify(result) + '\n');
