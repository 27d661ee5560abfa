// Opens an `nhi --format html` report in headless Chromium and checks that the inline script
// filters and sorts the findings, and that no hostile string from the report executed.
// Usage: NHI_PLAYWRIGHT_DIR=<dir with node_modules/playwright-core> node html-check.mjs REPORT.html
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const require = createRequire(path.join(process.env.NHI_PLAYWRIGHT_DIR ?? process.cwd(), 'noop.js'));
const { chromium } = require('playwright-core');
const file = path.resolve(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  timeout: 60_000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const fail = (m) => failures.push(m);
try {
  const page = await browser.newPage();
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const visible = () => page.$$eval('#findings-table tbody tr', (trs) => trs.filter((t) => !t.hidden).map((t) => ({
    severity: t.dataset.severity, blast: Number(t.dataset.blast), identity: t.dataset.identity, text: t.textContent.toLowerCase(),
  })));
  const total = (await visible()).length;
  const count = await page.textContent('#count');
  if (count !== `${total} of ${total} findings`) fail(`the inline script did not run: count is ${JSON.stringify(count)}`);

  const needle = process.env.FILTER ?? 'terraform';
  await page.locator('#q').pressSequentially(needle);
  const filtered = await visible();
  if (!(filtered.length > 0 && filtered.length < total)) fail(`filter '${needle}' left ${filtered.length} of ${total}`);
  if (!filtered.every((r) => r.text.includes(needle))) fail('filter shows rows without the text');
  await page.locator('#q').fill('');
  await page.selectOption('#sev', 'critical');
  const crit = await visible();
  if (!crit.length || !crit.every((r) => r.severity === 'critical')) fail('severity filter');
  await page.selectOption('#sev', '');
  if ((await visible()).length !== total) fail('clearing the filters does not show every finding');

  await page.click('th[data-key=blast]');
  const asc = (await visible()).map((r) => r.blast);
  if (JSON.stringify(asc) !== JSON.stringify([...asc].sort((a, b) => a - b))) fail(`blast sort ascending: ${asc}`);
  await page.click('th[data-key=blast]');
  const desc = (await visible()).map((r) => r.blast);
  if (JSON.stringify(desc) !== JSON.stringify([...desc].sort((a, b) => b - a))) fail(`blast sort descending: ${desc}`);
  await page.click('th[data-key=identity]');
  const ids = (await visible()).map((r) => r.identity);
  if (JSON.stringify(ids) !== JSON.stringify([...ids].sort((a, b) => a.localeCompare(b)))) fail('identity sort');

  await page.waitForTimeout(200);
  if (dialogs.length) fail(`a dialog opened: ${dialogs}`);
  if (await page.evaluate(() => typeof window.__pwned) !== 'undefined') fail('an injected script ran');
  if (await page.evaluate(() => document.scripts.length) !== 1) fail('an injected <script> element exists');
  if (await page.locator('img, iframe, object, embed').count()) fail('injected markup was parsed as HTML');
  if (await page.locator('a[href]').count()) fail('a link exists');
} finally {
  await browser.close();
}
for (const f of failures) console.error(`FAIL: ${f}`);
console.log(failures.length ? 'RESULT: FAIL' : 'RESULT: OK');
process.exit(failures.length ? 1 : 0);
