// Browser end-to-end test of the Apps, Launch and Flows views against the real binary: register a public
// app through the form, build an EHR launch for a patient, run the OAuth flow the way an app would (from
// this process: authorize with PKCE, code, token), and find every step — with the decoded access token —
// in the flow inspector, the token step arriving live over the event stream.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, guard, launchBrowser, removeTempDirs, startServer, stopServer, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 90_000;
const REDIRECT = 'http://127.0.0.1:9/callback';
const LAUNCH_URL = 'http://127.0.0.1:9/launch';
const APP = 'E2E Chart Viewer';

let server;
let context;

guard(OVERALL_TIMEOUT_MS, () => server);

before(async () => {
  server = await startServer();
  context = await launchBrowser();
}, { timeout: 40_000 });

after(async () => {
  await context?.close().catch(() => {});
  if (server) await stopServer(server.proc);
  removeTempDirs();
}, { timeout: 15_000 });

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const url = (path) => new URL(path, server.controlPanel).toString();

async function postJSON(path, body) {
  const res = await fetch(url(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function postForm(path, form) {
  const res = await fetch(url(path), { method: 'POST', body: new URLSearchParams(form) });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * A Practitioner id from the store. The control API lists no practitioners, so ask FHIR the way a
 * backend service would: register one with an ES384 key, sign a client assertion, search Practitioner.
 */
async function somePractitioner() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'e2e-1', alg: 'ES384', use: 'sig' };
  const client = await postJSON('/api/clients', { client_name: 'E2E directory lookup', type: 'backend-service', jwks: { keys: [jwk] }, scope: 'system/Practitioner.rs' });
  const { token_endpoint: tokenUrl } = await api(server, '/fhir/.well-known/smart-configuration');
  const now = Math.floor(Date.now() / 1000);
  const signingInput = `${b64url(JSON.stringify({ alg: 'ES384', kid: 'e2e-1', typ: 'JWT' }))}.${b64url(
    JSON.stringify({ iss: client.client_id, sub: client.client_id, aud: tokenUrl, exp: now + 240, jti: b64url(randomBytes(12)) }),
  )}`;
  const signature = sign('sha384', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const token = await postForm('/auth/token', {
    grant_type: 'client_credentials',
    scope: 'system/Practitioner.rs',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: `${signingInput}.${b64url(signature)}`,
  });
  const res = await fetch(`${server.fhirBase}/Practitioner?_count=1`, { headers: { Authorization: `Bearer ${token.access_token}`, Accept: 'application/fhir+json' } });
  const bundle = await res.json();
  const id = bundle.entry?.[0]?.resource?.id;
  assert.ok(id, `no Practitioner in the store: ${JSON.stringify(bundle).slice(0, 200)}`);
  return id;
}

test('register an app, EHR-launch it for a patient, and inspect the flow with its decoded tokens', { timeout: 85_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  await waitForIdle(server, 40_000); // the default population (patients and practitioners) loads in the background
  const practitioner = await somePractitioner();
  const { patients } = await api(server, '/api/patients?count=5');
  const patient = patients.find((p) => !p.deceased && p.mrn) ?? patients[0];

  // ---- Apps: the form validates before sending, then registers a public app with sandbox options.
  await page.goto(`${server.controlPanel}#/apps`);
  await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Register app' }).first().click();
  const form = page.getByRole('region', { name: 'Register app' });
  await form.getByRole('button', { name: 'Register app' }).click();
  await form.getByText('Give the app a name').waitFor();
  await form.getByText('At least one redirect URI').waitFor();

  await form.getByLabel('Name').fill(APP);
  await form.getByText('Public', { exact: true }).click();
  await form.getByLabel('Redirect URIs').fill(REDIRECT);
  await form.getByLabel(/^Launch URL/).fill(LAUNCH_URL);
  await form.getByLabel(/^Preselected user/).fill(`Practitioner/${practitioner}`);
  await form.getByRole('checkbox', { name: /Auto-approve/ }).check();
  await form.getByRole('button', { name: 'Register app' }).click();
  await form.waitFor({ state: 'detached' });

  const card = page.getByRole('article', { name: APP });
  await card.waitFor();
  const clientId = await card.getAttribute('data-client-id');
  assert.equal(await card.getByTestId('client-type').textContent(), 'Public');
  await card.getByText(`User Practitioner/${practitioner}`).waitFor();
  const stored = (await api(server, '/api/clients')).find((c) => c.client_id === clientId);
  assert.deepEqual(
    { type: stored.type, redirect_uris: stored.redirect_uris, launch_uri: stored.launch_uri, valet_user: stored.valet_user, valet_auto_approve: stored.valet_auto_approve },
    { type: 'public', redirect_uris: [REDIRECT], launch_uri: LAUNCH_URL, valet_user: `Practitioner/${practitioner}`, valet_auto_approve: true },
  );

  // A confidential app gets its secret once, with the warning.
  await page.getByRole('button', { name: 'Register app' }).first().click();
  await form.getByText('Confidential · secret').click();
  await form.getByLabel('Name').fill('E2E Server App');
  await form.getByLabel('Redirect URIs').fill('http://127.0.0.1:9/server-callback');
  // The server's refusal shows next to the field it names: this client_id is taken.
  await form.getByLabel(/^Client ID/).fill(clientId);
  await form.getByRole('button', { name: 'Register app' }).click();
  await form.getByText(`client_id "${clientId}" is taken`).waitFor();
  // That refusal was wanted; the browser logs every 4xx answer as a console error.
  const refusal = errors.findIndex((e) => e.includes('status of 400'));
  assert.ok(refusal >= 0, 'the refused registration did not reach the server');
  errors.splice(refusal, 1);
  await form.getByLabel(/^Client ID/).fill('');
  await form.getByRole('button', { name: 'Register app' }).click();
  const secretCard = page.getByRole('alert').filter({ hasText: 'Store the client secret of E2E Server App now' });
  await secretCard.getByText('It cannot be shown again').waitFor();
  assert.match(await secretCard.getByTestId('client-secret').textContent(), /^[\w-]{40,}$/);
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header would land mid-page in a full-page shot
  await page.screenshot({ path: join(ARTIFACTS, 'apps.png'), fullPage: true });
  await secretCard.getByRole('button', { name: 'I have stored it' }).click();

  // ---- Launch: from the app's card, pick the patient by MRN, create the launch.
  await card.getByRole('link', { name: 'Launch…' }).click();
  await page.getByRole('heading', { name: 'Launch', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('App', { exact: true }).inputValue(), clientId);
  await page.getByLabel('Patient in context').fill(patient.mrn);
  await page.getByRole('list', { name: 'Patient in context: matches' }).getByRole('button', { name: new RegExp(patient.mrn) }).click();
  await page.getByTestId('launch-patient-chosen').getByText(`Patient/${patient.id}`).waitFor();
  await page.getByLabel('need_patient_banner').selectOption('true');
  await page.getByRole('button', { name: 'Create launch' }).click();
  const result = page.getByTestId('launch-result');
  await result.waitFor();
  const launchUrl = new URL(await result.getByTestId('launch-url').textContent());
  assert.equal(`${launchUrl.origin}${launchUrl.pathname}`, LAUNCH_URL);
  assert.equal(launchUrl.searchParams.get('iss'), server.fhirBase);
  const launch = launchUrl.searchParams.get('launch');
  assert.ok(launch, 'the launch URL has no launch parameter');
  const open = result.getByRole('link', { name: 'Open app' });
  assert.equal(await open.getAttribute('href'), launchUrl.toString());
  assert.equal(await open.getAttribute('target'), '_blank');
  // Standalone facts for the same app.
  const standalone = page.getByRole('region', { name: /^Standalone launch/ });
  await standalone.getByText(`${server.fhirBase.replace(/\/fhir$/, '')}/auth/authorize`, { exact: true }).waitFor();
  await standalone.getByText('launch/patient openid fhirUser offline_access patient/*.rs', { exact: true }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'launch.png'), fullPage: true });

  // ---- The app's part, without the app: authorize with the launch and PKCE; auto-approve redirects with a code.
  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const authorize = new URL('/auth/authorize', server.controlPanel);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'launch openid fhirUser offline_access patient/*.rs',
    state: 'e2e-state', aud: server.fhirBase, launch, code_challenge: challenge, code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const answer = await fetch(authorize, { redirect: 'manual' });
  assert.equal(answer.status, 302, `authorize answered ${answer.status}: ${await answer.text()}`);
  const back = new URL(answer.headers.get('location'));
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
  assert.equal(back.searchParams.get('state'), 'e2e-state');
  const code = back.searchParams.get('code');
  assert.ok(code, `no code in ${back}`);

  // ---- Flows: the launch's flow waits for the code exchange…
  await result.getByRole('link', { name: /Watch this launch in Flows/ }).click();
  await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
  await page.getByTestId('live').getByText('Live').waitFor();
  const timeline = page.locator(`[data-testid="flow-timeline"][data-flow="launch:${launch}"]`);
  await timeline.waitFor();
  await timeline.getByTestId('flow-status').getByText('Code issued — not exchanged for a token yet').waitFor();

  // …and the token step arrives live when the app exchanges the code.
  const tokens = await postForm('/auth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier });
  assert.equal(tokens.patient, patient.id);
  const tokenStep = timeline.locator('li[data-kind="token.issued"]');
  await tokenStep.waitFor();
  assert.deepEqual(await timeline.locator('li[data-kind]').evaluateAll((ls) => ls.map((l) => l.dataset.kind)), [
    'launch.created', 'authorize.received', 'consent.auto', 'code.issued', 'token.issued',
  ]);
  await timeline.getByTestId('flow-status').getByText('Access token issued').waitFor();
  await timeline.getByText(`user Practitioner/${practitioner}`).waitFor();

  // The access token, decoded: the patient claim, exp as a time, and the note that nothing is verified.
  await tokenStep.getByText(/^Details · 2 decoded JWTs/).click();
  const access = tokenStep.locator('[data-testid="jwt"][data-field="response.access_token"]');
  await access.waitFor();
  assert.equal(await access.locator('tr[data-claim="patient"] code').textContent(), patient.id);
  assert.equal(await access.locator('tr[data-claim="fhirUser"] code').textContent(), `Practitioner/${practitioner}`);
  assert.match(await access.locator('tr[data-claim="exp"] .time').textContent(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
  await access.getByText(/does not verify/).waitFor();
  await tokenStep.locator('[data-testid="jwt"][data-field="response.id_token"]').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'flows.png'), fullPage: true });

  // A replayed code is refused; the refusal joins this flow in red with its OAuth error code.
  const replay = await fetch(url('/auth/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier }) });
  assert.equal(replay.status, 400);
  const refused = timeline.locator('li[data-kind="token.refused"]');
  await refused.getByTestId('step-error').getByText('invalid_grant').waitFor();

  assert.deepEqual(errors, [], 'the page logged errors');
});
