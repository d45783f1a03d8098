// Browser end-to-end test of `valet serve --tls`: Chromium trusts Valet's local CA through a real NSS
// store (certutil into $HOME/.pki/nssdb of a temporary HOME, as `valet ca` tells users to do), never
// through --ignore-certificate-errors. The official SMART JS client (fhirclient) launches against the
// https FHIR base and reads a patient; a Chromium whose store lacks the CA refuses the same sandbox.
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, VALET_BIN, guard, launchBrowser, removeTempDirs, startAppServer, startServer, stopServer, tempDir } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 120_000;

let server;
let ca; // { path, sha256, name, pem }
let trusting; // Chromium whose NSS store trusts the CA
let appServer;
let appPort;

/** Runs certutil, saying how to get it when it is missing (build/ensure-deps.sh installs it). */
function certutil(args) {
  try {
    return execFileSync('certutil', args, { encoding: 'utf8' });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('certutil is missing: sudo apt-get install -y libnss3-tools (build/ensure-deps.sh does it)');
    throw err;
  }
}

/** A HOME whose NSS store (the one Chromium on Linux reads) trusts the CA — or holds nothing when ca is null. */
function homeTrusting(authority) {
  const home = tempDir('valet-e2e-home-');
  const db = `sql:${join(home, '.pki', 'nssdb')}`;
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  certutil(['-d', db, '-N', '--empty-password']);
  if (authority) certutil(['-d', db, '-A', '-t', 'C,,', '-n', authority.name, '-i', authority.path]);
  return { ...process.env, HOME: home };
}

/** A JSON request from this process over https, trusting only the CA (as NODE_EXTRA_CA_CERTS would). */
function apiTLS(path, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, server.controlPanel), { method, ca: ca.pem, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

guard(OVERALL_TIMEOUT_MS, () => server);

before(async () => {
  // `valet ca` makes the CA before the first start, as a user would to trust it first.
  const dataDir = tempDir('valet-e2e-data-');
  const out = execFileSync(VALET_BIN, ['ca', '--data', dataDir], { encoding: 'utf8' });
  ca = {
    name: out.match(/^Valet's local CA: (.+)$/m)[1],
    path: out.match(/^\s+Certificate:\s+(\S+)$/m)[1],
    sha256: out.match(/^\s+SHA-256:\s+(\S+)$/m)[1],
  };
  ca.pem = readFileSync(ca.path, 'utf8');
  server = await startServer({ args: ['--tls'], dataDir });
  trusting = await launchBrowser([], homeTrusting(ca));
  ({ server: appServer, port: appPort } = await startAppServer());
}, { timeout: 40_000 });

after(async () => {
  appServer?.close();
  await trusting?.close().catch(() => {});
  if (server) await stopServer(server.proc);
  removeTempDirs();
}, { timeout: 15_000 });

/** Waits until the default population has loaded (the launch needs a practitioner and a patient). */
async function waitForIdle(timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await apiTLS('/api/jobs');
    if (!(body.jobs ?? []).some((j) => j.state === 'running')) return;
    if (Date.now() > until) throw new Error(`a job was still running after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the sandbox serves https only, and a Chromium without the CA refuses it', { timeout: 30_000 }, async () => {
  assert.match(server.controlPanel, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(server.fhirBase, /^https:\/\/127\.0\.0\.1:\d+\/fhir$/);
  const untrusting = await launchBrowser([], homeTrusting(null));
  try {
    const page = await untrusting.newPage();
    await assert.rejects(page.goto(server.controlPanel), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await untrusting.close();
  }
});

test('the control panel loads over https and says so in Settings', { timeout: 30_000 }, async () => {
  const page = await trusting.newPage();
  page.setDefaultTimeout(15_000);
  const answer = await page.goto(`${server.controlPanel}#/settings`);
  assert.equal(answer.status(), 200);
  const security = await answer.securityDetails();
  assert.ok(security, 'no TLS details: the page was not loaded over https');
  await page.getByTestId('tls-serving').filter({ hasText: 'serves https' }).waitFor();
  // The card shows the CA users trust, with the fingerprint `valet ca` printed.
  await page.getByText(ca.sha256).waitFor();
  // This run came from --tls; the switch stores the choice for starts without the flag.
  const nextStart = page.getByTestId('tls-next-start');
  assert.equal(await nextStart.isChecked(), false);
  await nextStart.check();
  await page.getByText('Stored: the next start serves https, as this run does.').waitFor();
  assert.equal((await apiTLS('/api/tls')).body.next_start, true);
  await page.locator('section[aria-labelledby="https-title"]').screenshot({ path: join(ARTIFACTS, 'https-settings.png') });
  await page.close();
});

test('the SMART JS client launches against the https FHIR base and reads the patient', { timeout: 60_000 }, async () => {
  await waitForIdle(40_000);
  const { body: { practitioners } } = await apiTLS('/api/practitioners?count=1');
  const { body: { patients } } = await apiTLS('/api/patients?count=1');
  const app = `http://127.0.0.1:${appPort}`; // http on loopback: a redirect URI real EHRs accept
  const reg = await apiTLS('/api/clients', { method: 'POST', body: { client_name: 'fhirclient https', redirect_uris: [`${app}/callback`],
    token_endpoint_auth_method: 'none', valet_user: `Practitioner/${practitioners[0].id}`, valet_patient: patients[0].id, valet_auto_approve: true } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));

  const page = await trusting.newPage();
  page.setDefaultTimeout(15_000);
  const httpsRequests = [];
  page.on('requestfinished', (r) => r.url().startsWith(server.controlPanel) && httpsRequests.push(r.url()));
  await page.goto(`${app}/launch`);
  await page.evaluate(({ iss, clientId, app }) => {
    window.FHIR.oauth2.authorize({ iss, clientId, scope: 'launch/patient openid fhirUser patient/*.rs', redirectUri: `${app}/callback` });
  }, { iss: server.fhirBase, clientId: reg.body.client_id, app });
  await page.waitForURL(`${app}/callback?**`);
  const result = await page.evaluate(async () => {
    try {
      const client = await window.FHIR.oauth2.ready();
      const patient = await client.request(`Patient/${client.patient.id}`);
      const idToken = JSON.parse(atob(client.state.tokenResponse.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return { patientId: patient.id, iss: idToken.iss, fhirUser: idToken.fhirUser, serverUrl: client.state.serverUrl };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  assert.ok(!result.error, `fhirclient failed: ${result.error}`);
  assert.equal(result.patientId, patients[0].id);
  assert.equal(result.serverUrl, server.fhirBase);
  assert.equal(result.iss, server.fhirBase, 'the id_token issuer is not the https FHIR base');
  assert.equal(result.fhirUser, `${server.fhirBase}/Practitioner/${practitioners[0].id}`);
  // Discovery, authorize, token and the read all went to Valet over https.
  for (const path of ['/fhir/.well-known/smart-configuration', '/auth/token', `/fhir/Patient/${patients[0].id}`]) {
    assert.ok(httpsRequests.some((u) => new URL(u).pathname === path), `no https request to ${path} among ${httpsRequests.join(', ')}`);
  }
  await page.close();
});
