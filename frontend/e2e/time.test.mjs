// Browser end-to-end test of expire-now and sessions in the panel against the real binary: a user signs in
// and approves an app, the app gets tokens, the Flows view's "Expire access token" ends the token (the FHIR
// server answers 401 with it afterwards, the `expired` step appears in the flow), and the People view ends
// the user's sign-in session, so the next authorization asks to sign in again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, pkcePair, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 80_000;
const REDIRECT = 'http://127.0.0.1:9/time-callback'; // never loaded: the test reads the code off the request
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const APP = 'E2E Expire';

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

const at = (path) => new URL(path, server.controlPanel);

test('expire a flow’s access token from Flows (the FHIR server refuses it), end the user’s session and then revoke everything from Settings', { timeout: 75_000 }, async () => {
  await waitForIdle(server, 40_000);
  const { practitioners } = await api(server, '/api/practitioners?count=1');
  const { patients } = await api(server, '/api/patients?count=1');
  const user = practitioners[0].reference;
  const res = await fetch(at('/api/clients'), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: APP, token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT], valet_auto_approve: true, valet_patient: patients[0].id }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { client_id: clientId } = await res.json();

  // The app's part: authorize in the browser (the user signs in on the login page, so a session starts),
  // then exchange the code from this process.
  const pkce = pkcePair();
  const authorize = at('/auth/authorize');
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, state: 's1', aud: server.fhirBase,
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const app = await context.newPage();
  app.setDefaultTimeout(10_000);
  await app.goto(authorize.toString());
  await app.locator(`input[name="user"][value="${user}"]`).check();
  const [back] = await Promise.all([app.waitForRequest((r) => r.url().startsWith(REDIRECT)), app.getByRole('button', { name: 'Sign in' }).click()]);
  const code = new URL(back.url()).searchParams.get('code');
  assert.ok(code, `no code in ${back.url()}`);
  const tokenRes = await fetch(at('/auth/token'), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: pkce.verifier }),
  });
  assert.equal(tokenRes.status, 200, await tokenRes.clone().text());
  const { access_token: token, refresh_token: refreshToken } = await tokenRes.json();
  const read = () => fetch(new URL(`${server.fhirBase}/Patient/${patients[0].id}`), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await read()).status, 200, 'the fresh token reads the patient');

  // Flows: the newest flow is this app's; expire its access token there.
  const panel = context.pages()[0] ?? (await context.newPage());
  panel.setDefaultTimeout(10_000);
  const errors = watchErrors(panel);
  await panel.goto(`${server.controlPanel}#/flows`);
  const timeline = panel.getByTestId('flow-timeline');
  await timeline.getByRole('heading', { name: new RegExp(APP) }).waitFor();
  await timeline.getByTestId('flow-status').getByText('Access token issued').waitFor();
  const actions = timeline.getByRole('group', { name: 'Expire now' });
  await actions.getByRole('button', { name: 'Expire refresh token' }).waitFor(); // offline_access: the grant has one
  await actions.getByRole('button', { name: 'Expire access token' }).click();
  await timeline.getByTestId('expire-note').getByText(/^The access token expired at/).waitFor();
  // The server's `expired` event arrives over the stream and joins this flow, linked by the token's jti.
  await timeline.locator('li[data-kind="expired"]').getByText('Expired now (control API)', { exact: true }).waitFor();

  const refused = await read();
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

  // Settings › Signed in now lists the user; "End session…" asks first, then signs them out.
  const mine = (await api(server, '/api/sessions')).filter((s) => s.user === user);
  assert.ok(mine.length > 0, 'the sign-in left no session');
  await panel.goto(`${server.controlPanel}#/settings`);
  const card = panel.getByRole('region', { name: 'Signed in now' });
  const row = card.locator(`tr[data-user="${user}"]`);
  await row.getByRole('button', { name: 'End session…' }).click();
  const confirm = card.getByRole('alertdialog', { name: `End ${user}’s session?` });
  await confirm.getByRole('button', { name: 'End session', exact: true }).click();
  await card.getByTestId('sessions-notice').getByText(new RegExp(`^Ended ${mine.length} sign-in sessions? of ${user}`)).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual((await api(server, '/api/sessions')).filter((s) => s.user === user), []);
  // The next authorization shows the login page again.
  authorize.searchParams.set('state', 's2');
  await app.goto(authorize.toString());
  await app.locator(`input[name="user"][value="${user}"]`).check();
  await Promise.all([app.waitForRequest((r) => r.url().startsWith(REDIRECT)), app.getByRole('button', { name: 'Sign in' }).click()]);

  // Signed in again: "Revoke everything…" ends every grant and pending code, so the first grant's
  // offline_access refresh token (which ending the session left alone) is refused now.
  await panel.reload();
  await row.getByRole('button', { name: 'Revoke everything…' }).click();
  await card.getByRole('alertdialog', { name: `Revoke everything ${user} authorized?` }).getByRole('button', { name: 'Revoke everything', exact: true }).click();
  const revoked = card.getByTestId('sessions-notice').getByText(new RegExp(`^Revoked everything ${user} authorized:`));
  await revoked.waitFor();
  // The first grant (its offline refresh token outlived the session) and the second sign-in's unexchanged code.
  assert.match(await revoked.textContent(), /: 1 grant, 1 pending code and 0 remembered consents; their sign-in session stays\.$/);
  const refresh = await fetch(at('/auth/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }) });
  assert.equal(refresh.status, 400);
  assert.equal((await refresh.json()).error, 'invalid_grant');
  assert.deepEqual(errors, [], 'the panel logged errors');
});
