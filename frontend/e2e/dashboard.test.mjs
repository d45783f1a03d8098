// Browser end-to-end test: the real Valet binary serves the embedded control panel and a headless
// Chromium drives it. Run with `npm run e2e` after `npm run build` and building the binary
// (VALET_BIN, default ../bin/valet), because the binary embeds frontend/dist at compile time.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, stopServer, useSandbox, waitForIdle } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 60_000;

let server; // { proc, output(), controlPanel, fhirBase }
let context;

useSandbox(OVERALL_TIMEOUT_MS, async (s, c) => {
  [server, context] = [s, c];
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.controlPanel).origin });
});

test('Dashboard shows the live server, copies its FHIR base, and survives navigation', { timeout: 45_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const consoleErrors = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  await page.goto(server.controlPanel);
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

  // The FHIR base the server printed, shown verbatim from /api/status.
  const endpoints = page.getByRole('region', { name: 'Endpoints' });
  await endpoints.getByText(server.fhirBase, { exact: true }).waitFor();
  await endpoints.getByText(`${server.fhirBase}/.well-known/smart-configuration`, { exact: true }).waitFor();
  await endpoints.getByText(server.controlPanel, { exact: true }).waitFor();
  await page.getByText('0.1.0', { exact: true }).waitFor();

  // Uptime is rendered from the status and ticks between polls.
  const uptime = page.getByTestId('uptime');
  const first = await uptime.textContent();
  assert.match(first ?? '', /^\d+s$|^\d+m \d\ds$/);
  await page.waitForFunction((before) => document.querySelector('[data-testid="uptime"]')?.textContent !== before, first, { timeout: 3000 });

  // Copy the FHIR base: visible feedback, and the clipboard really holds the URL.
  const copy = page.getByRole('button', { name: 'Copy FHIR base URL' });
  await copy.click();
  await copy.getByText('Copied', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), server.fhirBase);

  // The resource table matches what the server holds: a new sandbox may load its default population in
  // the background, so wait for that, then expect the table (or the empty message) within one poll.
  await waitForIdle(server, 30_000);
  const status = await api(server, '/api/status');
  const resources = page.getByRole('region', { name: 'Resources by type' });
  if (status.resource_total === 0) {
    await resources.getByText('No FHIR resources stored yet.').waitFor();
  } else {
    const total = new Intl.NumberFormat('en-US').format(status.resource_total);
    await resources.locator('tfoot td', { hasText: new RegExp(`^${total}$`) }).waitFor({ timeout: 8000 });
    assert.equal(await resources.locator('tbody tr').count(), Object.keys(status.resource_counts).length);
    assert.equal(await resources.getByText('No FHIR resources stored yet.').count(), 0);
  }

  // Sidebar navigation to another view and back.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: /Settings/ }).click();
  await page.waitForURL(/#\/settings$/);
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  assert.equal(await nav.getByRole('link', { name: /Settings/ }).getAttribute('aria-current'), 'page');
  // Every view has shipped: no "Soon" badge is left in the sidebar.
  assert.deepEqual((await nav.getByRole('link').allTextContents()).map((t) => t.trim()), ['Dashboard', 'Apps', 'Launch', 'Patients', 'Flows', 'Settings']);

  // An unknown path says so and points back to the sidebar.
  await page.goto(`${server.controlPanel}#/nowhere`);
  await page.getByRole('heading', { name: 'No such page' }).waitFor();

  await nav.getByRole('link', { name: /Dashboard/ }).click();
  await page.waitForURL(/#\/$/);
  await endpoints.getByText(server.fhirBase, { exact: true }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

  assert.deepEqual(consoleErrors, [], 'the page logged errors');

  // Stop the server: the next poll fails and the panel says so, keeping the last status visible.
  await stopServer(server.proc);
  await page.getByText('Lost contact with the server.').waitFor({ timeout: 8000 });
  await page.getByText('Server unreachable').waitFor();
  await endpoints.getByText(server.fhirBase, { exact: true }).waitFor();
  const frozen = await uptime.textContent();
  await page.waitForTimeout(1500);
  assert.equal(await uptime.textContent(), frozen, 'uptime kept ticking while the server was down');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-offline.png'), fullPage: true });
});
