// Browser end-to-end test: the real Valet binary serves the embedded control panel and a headless
// Chromium drives it. Run with `npm run e2e` after `npm run build` and building the binary
// (VALET_BIN, default ../bin/valet), because the binary embeds frontend/dist at compile time.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const VALET_BIN = process.env.VALET_BIN || resolve(here, '..', '..', 'bin', 'valet');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(here, 'artifacts');
const STARTUP_TIMEOUT_MS = 20_000;

const OVERALL_TIMEOUT_MS = 60_000;

let server; // { proc, output(), controlPanel, fhirBase }
let context;
const tempDirs = [];

function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Starts `valet serve` on a free port and resolves once it has printed its URLs. */
function startServer() {
  const proc = spawn(VALET_BIN, ['serve', '--addr', '127.0.0.1:0', '--data', tempDir('valet-e2e-data-')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const output = () => out;
  return new Promise((resolvePromise, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${why}\n--- valet output ---\n${out}--- end ---`));
    };
    const timer = setTimeout(() => fail(`valet did not print its URLs within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
    const onData = (chunk) => {
      out += chunk;
      const fhir = out.match(/FHIR base:\s+(\S+)/);
      const panel = out.match(/Control panel:\s+(\S+)/);
      if (fhir && panel) {
        clearTimeout(timer);
        resolvePromise({ proc, output, controlPanel: panel[1], fhirBase: fhir[1] });
      }
    };
    proc.stdout.setEncoding('utf8').on('data', onData);
    proc.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    proc.on('error', (err) => fail(`cannot start ${VALET_BIN}: ${err.message} (build it with: go build -o bin/valet .)`));
    proc.on('exit', (code, signal) => fail(`valet exited early (code ${code}, signal ${signal})`));
  });
}

/** Sends SIGTERM, then SIGKILL if the server has not exited within 5 s. */
async function stopServer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// Hooks have their own timeouts; this bounds the whole run so a hung browser or server never
// stalls CI. unref() lets a normal run exit without waiting for it.
setTimeout(() => {
  console.error(`e2e: gave up after ${OVERALL_TIMEOUT_MS / 1000} s`);
  server?.proc.kill('SIGKILL');
  process.exit(1);
}, OVERALL_TIMEOUT_MS).unref();

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  server.proc.removeAllListeners('exit');
  context = await chromium.launchPersistentContext(tempDir('valet-e2e-chromium-'), {
    executablePath: CHROMIUM,
    timeout: 30_000,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.controlPanel).origin });
}, { timeout: 40_000 });

after(async () => {
  await context?.close().catch(() => {});
  if (server) await stopServer(server.proc);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}, { timeout: 15_000 });

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

  // A fresh database: the resource table says so instead of inventing rows.
  await page.getByRole('region', { name: 'Resources by type' }).getByText('No FHIR resources stored yet.').waitFor();

  // Sidebar navigation to another view and back.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: /Apps/ }).click();
  await page.waitForURL(/#\/apps$/);
  await page.getByRole('heading', { name: 'Apps is coming in a later release' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: /Apps/ }).getAttribute('aria-current'), 'page');
  await page.screenshot({ path: join(ARTIFACTS, 'apps.png') });

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
