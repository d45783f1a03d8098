// Browser end-to-end test of simulations against the real binary: a simulation set on an app's card
// (Apps) and one set with a launch (Launch form) take effect on the wire when the app's flow runs (from
// this process, as an app would: authorize with PKCE, code, token, a FHIR read), and the Flows view marks
// the steps they shaped.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, pkcePair, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 90_000;
const REDIRECT = 'http://127.0.0.1:9/callback';
const APP = 'E2E Flaky Network App';

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

async function send(path, init) {
  const res = await fetch(new URL(path, server.controlPanel), init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

test('an app card and a launch carry simulations, the wire shows them, and Flows marks the simulated steps', { timeout: 85_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  await waitForIdle(server, 40_000);
  const { practitioners } = await api(server, '/api/practitioners?count=1');
  const { patients } = await api(server, '/api/patients?count=1');
  const client = await send('/api/clients', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: APP, redirect_uris: [REDIRECT], launch_uri: 'http://127.0.0.1:9/launch', token_endpoint_auth_method: 'none',
      valet_user: practitioners[0].reference, valet_patient: patients[0].id, valet_auto_approve: true }),
  });

  // ---- Apps: the card offers the failures; every FHIR request of this app gets 429 Retry-After 9.
  await page.goto(`${server.controlPanel}#/apps`);
  const card = page.getByRole('article', { name: APP });
  await card.waitFor();
  await card.getByText('none — every request is answered as usual').waitFor();
  await card.getByRole('button', { name: 'Simulate a failure…' }).click();
  await card.getByLabel('Simulate').selectOption('fhir.rate_limited');
  await card.getByText('429 OperationOutcome with Retry-After').waitFor();
  await card.getByLabel('When').selectOption('always');
  await card.getByLabel('Retry-After (s)').fill('9');
  await card.getByRole('button', { name: 'Add simulation' }).click();
  const shown = card.locator('[data-testid="simulation"][data-kind="fhir.rate_limited"]');
  await shown.getByText('every time · Retry-After 9 s').waitFor();
  await card.getByTestId('client-simulated').getByText('1 simulation').waitFor();
  const [stored] = (await api(server, `/api/simulations?client_id=${client.client_id}`)).simulations;
  assert.deepEqual({ kind: stored.kind, when: stored.when, retry_after: stored.retry_after }, { kind: 'fhir.rate_limited', when: 'always', retry_after: 9 });
  await page.screenshot({ path: join(ARTIFACTS, 'simulations-app.png'), fullPage: true });

  // ---- Launch: this launch alone answers its code exchange without a refresh token.
  await card.getByRole('link', { name: 'Launch…' }).click();
  await page.getByRole('heading', { name: 'Launch', level: 1 }).waitFor();
  await page.getByTestId('app-simulations').getByText('fhir.rate_limited').waitFor();
  await page.getByRole('button', { name: 'Simulate a failure…' }).click();
  await page.getByLabel('Simulate').selectOption('token.no_refresh_token');
  await page.getByRole('button', { name: 'Add simulation' }).click();
  await page.locator('[data-testid="simulation"][data-kind="token.no_refresh_token"]').getByText('once').waitFor();
  await page.getByRole('button', { name: 'Create launch' }).click();
  const result = page.getByTestId('launch-result');
  await result.getByTestId('launch-simulations').getByText('token.no_refresh_token · once').waitFor();
  const launch = new URL(await result.getByTestId('launch-url').textContent()).searchParams.get('launch');

  // ---- The app's part: authorize (auto-approved), exchange the code, read its patient.
  const { verifier, challenge } = pkcePair();
  const authorize = new URL('/auth/authorize', server.controlPanel);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'launch launch/patient openid fhirUser offline_access patient/*.rs',
    state: 's1', aud: server.fhirBase, launch, code_challenge: challenge, code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const answer = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(answer.headers.get('location')).searchParams.get('code');
  assert.ok(code, `authorize answered ${answer.status} ${answer.headers.get('location')}`);
  const tokens = await send('/auth/token', {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: client.client_id, code_verifier: verifier }),
  });
  assert.ok(tokens.access_token && !('refresh_token' in tokens), `offline_access was granted, yet the simulation leaves refresh_token out: ${Object.keys(tokens)}`);
  const read = await fetch(`${server.fhirBase}/Patient/${tokens.patient}`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(read.status, 429);
  assert.equal(read.headers.get('retry-after'), '9');
  assert.equal((await read.json()).issue[0].code, 'throttled');

  // ---- Flows: the launch's flow marks the token step and the FHIR request as simulated.
  await result.getByRole('link', { name: /Watch this launch in Flows/ }).click();
  const timeline = page.locator(`[data-testid="flow-timeline"][data-flow="launch:${launch}"]`);
  await timeline.waitFor();
  await timeline.locator('li[data-kind="fhir.simulated"]').getByTestId('step-simulated').getByText('simulated · fhir.rate_limited').waitFor();
  await timeline.locator('li[data-kind="fhir.simulated"]').getByTestId('step-error').getByText('HTTP 429').waitFor();
  await timeline.locator('li[data-kind="token.issued"]').getByTestId('step-simulated').getByText('simulated · token.no_refresh_token').waitFor();
  assert.equal(await timeline.locator('li[data-kind="consent.auto"]').getByTestId('step-simulated').count(), 0);
  await page.locator(`button[data-flow="launch:${launch}"]`).getByTestId('flow-simulated').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'simulations-flows.png'), fullPage: true });

  // ---- Cleared from the card, the app is answered as usual again.
  await page.goto(`${server.controlPanel}#/apps`);
  await shown.getByRole('button', { name: 'Clear simulation fhir.rate_limited' }).click();
  await card.getByText('none — every request is answered as usual').waitFor();
  const again = await fetch(`${server.fhirBase}/Patient/${tokens.patient}`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(again.status, 200);
  assert.deepEqual(errors, []);
});
