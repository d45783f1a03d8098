// Browser end-to-end test of remembered consent against the real binary: a user approves with "Remember my
// decision for this app", the second launch skips the consent page, the decision is revoked in Settings ›
// Remembered consents, and the third launch asks again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, pkcePair, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 80_000;
const REDIRECT = 'http://127.0.0.1:9/consent-callback'; // never loaded: the test reads the code off the request
const SCOPE = 'launch/patient openid fhirUser patient/*.rs';

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

function authorizeURL(clientId, state) {
  const a = new URL('/auth/authorize', server.controlPanel);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, state, aud: server.fhirBase,
    code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
  })) a.searchParams.set(k, v);
  return a.toString();
}

test('remember a consent, skip it on the next launch, revoke it in Settings, asked again', { timeout: 75_000 }, async () => {
  await waitForIdle(server, 40_000);
  const { practitioners } = await api(server, '/api/practitioners?count=1');
  const { patients } = await api(server, '/api/patients?count=1');
  const user = practitioners[0].reference;
  const res = await fetch(new URL('/api/clients', server.controlPanel), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'E2E remembered consent', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT],
      valet_user: user, valet_patient: patients[0].id }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { client_id: clientId } = await res.json();

  const app = await context.newPage();
  app.setDefaultTimeout(10_000);
  // 1. The consent page; approve with "remember".
  await app.goto(authorizeURL(clientId, 'one'));
  await app.getByRole('button', { name: 'Approve' }).waitFor();
  await app.getByLabel(/Remember my decision for this app/).check();
  const [first] = await Promise.all([app.waitForRequest((r) => r.url().startsWith(REDIRECT)), app.getByRole('button', { name: 'Approve' }).click()]);
  assert.ok(new URL(first.url()).searchParams.get('code'), `no code in ${first.url()}`);

  // 2. The same launch again: straight back to the app, no page.
  const [second] = await Promise.all([app.waitForRequest((r) => r.url().startsWith(REDIRECT)), app.goto(authorizeURL(clientId, 'two')).catch(() => {})]);
  const q = new URL(second.url()).searchParams;
  assert.ok(q.get('code') && q.get('state') === 'two', `second launch: ${second.url()}`);

  // 3. Settings lists the decision; revoke it there.
  const panel = context.pages()[0] ?? (await context.newPage());
  panel.setDefaultTimeout(10_000);
  const errors = watchErrors(panel); // the panel's; the OAuth pages' favicon request is a 404 by design
  await panel.goto(`${server.controlPanel}#/settings`);
  const card = panel.getByRole('region', { name: 'Remembered consents' });
  const row = card.locator(`tr[data-client="${clientId}"][data-user="${user}"]`);
  await row.getByText(SCOPE).waitFor();
  await row.getByRole('button', { name: 'Revoke' }).click();
  await card.getByRole('status').getByText(/the next launch asks again/).waitFor();
  assert.equal(await row.count(), 0);
  assert.deepEqual(await api(server, `/api/consents?client_id=${clientId}`), []);

  // 4. The consent page again.
  await app.goto(authorizeURL(clientId, 'three'));
  await app.getByRole('button', { name: 'Approve' }).waitFor();
  assert.deepEqual(errors, [], 'the panel logged errors');
});
