// Browser end-to-end tests of Valet beside the user's browser, against the real binary: a page on a
// rebinding domain (Chromium maps evil.example to 127.0.0.1), a cross-site page that tries to register a
// client that skips consent and to drive the control API, the official SMART JS client (fhirclient, its
// browser bundle, default options) through a launch and a refresh, and discovery fetched by an app after
// the control panel had it in the browser's cache.
import { join } from 'node:path';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, startAppServer, useSandbox, waitForIdle } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 120_000;

let server;
let context;
let appServer;
let appPort;

useSandbox(OVERALL_TIMEOUT_MS, async (s, c) => {
  [server, context] = [s, c];
  // The app's launch and callback pages, and the attacker's page (which needs no script of its own: the
  // test runs its script in it).
  ({ server: appServer, port: appPort } = await startAppServer());
}, { browserArgs: ['--host-resolver-rules=MAP evil.example 127.0.0.1'] });

after(() => appServer?.close());

const valetPort = () => new URL(server.controlPanel).port;
const controlURL = (path) => new URL(path, server.controlPanel).toString();

async function newPage() {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

test('a page on a rebinding domain gets nothing from Valet', { timeout: 30_000 }, async () => {
  const page = await newPage();
  const evil = `http://evil.example:${valetPort()}`;
  const res = await page.goto(`${evil}/`);
  assert.equal(res.status(), 421);
  assert.match(await page.textContent('body'), /--allowed-host evil\.example/);
  // The page's own (same-origin, after rebinding) requests: reads and writes alike.
  const answers = await page.evaluate(async () => {
    const out = {};
    for (const [name, path, init] of [
      ['status', '/api/status'],
      ['patients', '/api/patients'],
      ['metadata', '/fhir/metadata'],
      ['discovery', '/fhir/.well-known/smart-configuration'],
      ['authorize', '/auth/authorize?response_type=code&client_id=x&state=s'],
      ['create client', '/api/clients', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"client_name":"x","redirect_uris":["http://evil.example/cb"]}' }],
    ]) {
      const r = await fetch(path, init);
      out[name] = r.status;
    }
    return out;
  });
  for (const [name, status] of Object.entries(answers)) assert.equal(status, 421, `${name} answered ${status}`);
  await page.screenshot({ path: join(ARTIFACTS, 'rebinding-refused.png') });
  await page.close();
});

test('a cross-site page cannot drive the control API nor register a client that skips consent', { timeout: 40_000 }, async () => {
  await waitForIdle(server, 40_000);
  const before = await api(server, '/api/clients');
  const keysBefore = await api(server, '/api/keys');
  const { practitioners } = await api(server, '/api/practitioners?count=1');
  const { patients } = await api(server, '/api/patients?count=1');
  const page = await newPage();
  await page.goto(`http://evil.example:${appPort}/attack`);
  const valet = server.controlPanel.replace(/\/$/, '');
  const result = await page.evaluate(async ({ valet, user, patient }) => {
    const client = { client_id: 'evil', client_name: 'evil', redirect_uris: [`${location.origin}/cb`], token_endpoint_auth_method: 'none',
      valet_user: user, valet_patient: patient, valet_auto_approve: true };
    const out = {};
    // "Simple" requests, sent without a preflight; the page cannot read their answers, only cause effects.
    await fetch(`${valet}/api/clients`, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(client) });
    await fetch(`${valet}/api/keys/rotate`, { method: 'POST', mode: 'no-cors' });
    await fetch(`${valet}/api/generate`, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{"patients":1}' });
    // JSON needs a preflight, which the control API refuses.
    try {
      await fetch(`${valet}/api/clients`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(client) });
      out.jsonPost = 'answered';
    } catch (e) {
      out.jsonPost = 'blocked';
    }
    // Dynamic registration is open to browser apps, but not with the sandbox shortcuts.
    const shortcut = await fetch(`${valet}/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...client, client_id: undefined }) });
    out.shortcut = { status: shortcut.status, body: await shortcut.json() };
    const plain = await fetch(`${valet}/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      // An http redirect URI must be on loopback (RFC 8252 §8.3): the page's own origin would be refused for that.
      body: JSON.stringify({ client_name: 'evil plain', redirect_uris: [`http://127.0.0.1:${location.port}/cb`], token_endpoint_auth_method: 'none' }) });
    out.plain = { status: plain.status, body: await plain.json() };
    return out;
  }, { valet, user: `Practitioner/${practitioners[0].id}`, patient: patients[0].id });

  assert.equal(result.jsonPost, 'blocked');
  assert.equal(result.shortcut.status, 400, JSON.stringify(result.shortcut));
  assert.equal(result.shortcut.body.error, 'invalid_client_metadata');
  assert.match(result.shortcut.body.error_description, /valet_user|valet_patient|valet_auto_approve/);
  assert.equal(result.plain.status, 201, JSON.stringify(result.plain));
  const after = await api(server, '/api/clients');
  assert.ok(!after.some((c) => c.client_id === 'evil' || (c.client_name === 'evil' && c.valet_auto_approve)), 'the attacker created a client');
  assert.equal(after.length, before.length + 1, 'only the plain registration was stored');
  assert.deepEqual((await api(server, '/api/keys')).map((k) => k.kid ?? k), keysBefore.map((k) => k.kid ?? k), 'the keys were rotated');
  const jobs = (await api(server, '/api/jobs')).jobs ?? [];
  assert.ok(!jobs.some((j) => j.kind === 'generate'), 'the attacker started a generation');

  // The plain client's authorization request stops at Valet's sign-in page: the user decides, not the page.
  const authorize = new URL(`${valet}/auth/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: result.plain.body.client_id, redirect_uri: `http://127.0.0.1:${appPort}/cb`,
    scope: 'launch/patient patient/*.rs', state: 'st', aud: `${valet}/fhir`, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })) {
    authorize.searchParams.set(k, v);
  }
  await page.evaluate((u) => { location.href = u; }, authorize.toString());
  await page.waitForURL((u) => u.href.startsWith(valet));
  await page.locator('form[action="/auth/login"]').first().waitFor();
  assert.ok(!page.url().includes('code='), `a code reached the page: ${page.url()}`);
  await page.screenshot({ path: join(ARTIFACTS, 'cross-site-registration-sign-in.png') });
  await page.close();
});

test('an app fetches discovery after the control panel had it in the cache', { timeout: 30_000 }, async () => {
  const page = await newPage();
  await page.goto(server.controlPanel);
  // The panel's own, same-origin fetch (its Launch view does this): no CORS headers in that answer.
  assert.equal(await page.evaluate(async () => (await fetch('/fhir/.well-known/smart-configuration')).status), 200);
  await page.goto(`http://127.0.0.1:${appPort}/app`);
  const discovered = await page.evaluate(async (u) => {
    try {
      const r = await fetch(u);
      return { status: r.status, token: (await r.json()).token_endpoint };
    } catch (e) {
      return { error: String(e) };
    }
  }, `${server.fhirBase}/.well-known/smart-configuration`);
  assert.equal(discovered.status, 200, JSON.stringify(discovered));
  assert.equal(discovered.token, controlURL('/auth/token'));
  await page.close();
});

test('the SMART JS client launches, refreshes without client_id, and reads with the new token', { timeout: 40_000 }, async () => {
  await waitForIdle(server, 40_000);
  const { practitioners } = await api(server, '/api/practitioners?count=1');
  const { patients } = await api(server, '/api/patients?count=1');
  const app = `http://127.0.0.1:${appPort}`;
  // Registered as a developer's script would (no Origin): public, preset user and patient, auto-approved.
  const reg = await fetch(controlURL('/api/clients'), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'fhirclient e2e', redirect_uris: [`${app}/callback`], token_endpoint_auth_method: 'none',
      valet_user: `Practitioner/${practitioners[0].id}`, valet_patient: patients[0].id, valet_auto_approve: true }) });
  assert.equal(reg.status, 201, await reg.clone().text());
  const { client_id: clientId } = await reg.json();

  const page = await newPage();
  const tokenRequests = [];
  page.on('request', (r) => r.url().endsWith('/auth/token') && r.method() === 'POST' && tokenRequests.push(r.postData()));
  await page.goto(`${app}/launch`);
  await page.evaluate(({ iss, clientId, app }) => {
    // Default options: PKCE when the server supports it, and no client_id on refresh.
    window.FHIR.oauth2.authorize({ iss, clientId, scope: 'launch/patient openid fhirUser offline_access patient/*.rs', redirectUri: `${app}/callback` });
  }, { iss: server.fhirBase, clientId, app });
  await page.waitForURL(`${app}/callback?**`);
  const result = await page.evaluate(async () => {
    try {
      const client = await window.FHIR.oauth2.ready();
      const first = client.state.tokenResponse.access_token;
      await client.refresh();
      const second = client.state.tokenResponse.access_token;
      const patient = await client.request(`Patient/${client.patient.id}`);
      return { first, second, patientId: patient.id, patientInContext: client.patient.id, user: client.user.fhirUser };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  assert.ok(!result.error, `fhirclient failed: ${result.error}`);
  assert.notEqual(result.first, result.second, 'refresh did not issue a new access token');
  assert.equal(result.patientId, patients[0].id);
  assert.equal(result.user, `Practitioner/${practitioners[0].id}`);
  // The refresh went out as fhirclient sends it by default: grant_type and refresh_token only.
  const refresh = tokenRequests.map((b) => new URLSearchParams(b)).find((f) => f.get('grant_type') === 'refresh_token');
  assert.ok(refresh, `no refresh request among ${tokenRequests.length} token requests`);
  assert.equal(refresh.get('client_id'), null, 'fhirclient sent client_id: this test no longer covers RFC 6749 §6 refresh');
  await page.close();
});
