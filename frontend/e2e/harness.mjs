// Shared by the browser end-to-end tests: start the real Valet binary on a free port with a throwaway
// data directory, launch headless Chromium, and clean both up. Not a test file itself (node --test
// only runs *.test.mjs).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const VALET_BIN = process.env.VALET_BIN || resolve(here, '..', '..', 'bin', 'valet');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = join(here, 'artifacts');
const STARTUP_TIMEOUT_MS = 20_000;
const FHIR_CLIENT_JS = join(dirname(createRequire(import.meta.url).resolve('fhirclient/package.json')), 'build', 'fhir-client.js');

const tempDirs = [];

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Starts `valet serve` on a free port and resolves once it has printed its URLs; `args` are more flags
 * (`--tls`, `--shared`), `dataDir` the data directory (a new temporary one by default), `env` more
 * environment variables.
 */
export function startServer({ args = [], dataDir = tempDir('valet-e2e-data-'), env = {} } = {}) {
  const proc = spawn(VALET_BIN, ['serve', '--addr', '127.0.0.1:0', '--data', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
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
        proc.removeAllListeners('exit');
        resolvePromise({ proc, output, controlPanel: panel[1], fhirBase: fhir[1] });
      }
    };
    proc.stdout.setEncoding('utf8').on('data', onData);
    proc.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    proc.on('error', (err) => fail(`cannot start ${VALET_BIN}: ${err.message} (build it with: make bin/valet)`));
    proc.on('exit', (code, signal) => fail(`valet exited early (code ${code}, signal ${signal})`));
  });
}

/** Sends SIGTERM, then SIGKILL if the server has not exited within 5 s. */
export async function stopServer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Launches headless Chromium; `extraArgs` add command-line switches (e.g. --host-resolver-rules), `env`
 *  replaces its environment (a HOME whose NSS store trusts a CA). */
export async function launchBrowser(extraArgs = [], env = undefined) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(tempDir('valet-e2e-chromium-'), {
    executablePath: CHROMIUM,
    env,
    timeout: 30_000,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/**
 * Starts a stand-in SMART app on a free loopback port: every path is one page that loads the official
 * SMART JS client (fhirclient's browser bundle, at /fhir-client.js) — the app's launch and callback pages,
 * or any other page a test drives with its own script. Resolves to { server, port, url }.
 */
export async function startAppServer() {
  const server = createServer((req, res) => {
    if (req.url === '/fhir-client.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(readFileSync(FHIR_CLIENT_JS));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>page</title><script src="/fhir-client.js"></script><p>another web page</p>');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { server, port, url: `http://127.0.0.1:${port}` };
}

export function removeTempDirs() {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Bounds the whole file's run so a hung browser or server never stalls CI: after `ms` the server is
 * killed and the process exits. unref() lets a normal run finish without waiting for it.
 */
export function guard(ms, getServer) {
  setTimeout(() => {
    console.error(`e2e: gave up after ${ms / 1000} s`);
    getServer()?.proc.kill('SIGKILL');
    removeTempDirs();
    process.exit(1);
  }, ms).unref();
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** A PKCE pair (RFC 7636, S256), as an app makes one for each authorization request. */
export function pkcePair() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** GET a control-API path as JSON from the test process (to compare the UI with the server). */
export async function api(server, path) {
  const res = await fetch(new URL(path, server.controlPanel));
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Waits until the server runs no job (a fresh sandbox loads its default population in the background). */
export async function waitForIdle(server, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { jobs } = await api(server, '/api/jobs');
    if (!(jobs ?? []).some((j) => j.state === 'running')) return;
    if (Date.now() > until) throw new Error(`a job was still running after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts the real binary and a browser before this file's tests and stops both after them, the whole file
 * bounded by `overallMs` (guard). `ready(server, context)` receives both once they run — the file keeps
 * them in its own variables — and may prepare the browser further. `browserArgs` go to Chromium,
 * `serverArgs` and `serverEnv` to the server (startServer).
 */
export function useSandbox(overallMs, ready, { browserArgs = [], serverArgs = [], serverEnv = {} } = {}) {
  let server;
  let context;
  guard(overallMs, () => server);
  before(async () => {
    server = await startServer({ args: serverArgs, env: serverEnv });
    context = await launchBrowser(browserArgs);
    await ready(server, context);
  }, { timeout: 40_000 });
  after(async () => {
    await context?.close().catch(() => {});
    if (server) await stopServer(server.proc);
    removeTempDirs();
  }, { timeout: 15_000 });
}
