// Browser end-to-end test of the Apps, Launch and Flows views against the real binary: register a public
// app through the form (its preselected user from the practitioner picker), build an EHR launch for a
// patient, one of their encounters and another practitioner (all from pickers), run the OAuth flow the
// way an app would (from this process: authorize with PKCE, code, token), and find every step — with the
// decoded access token — in the flow inspector, the token step arriving live over the event stream.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, pkcePair, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 90_000;
const REDIRECT = 'http://127.0.0.1:9/callback';
const LAUNCH_URL = 'http://127.0.0.1:9/launch';
const APP = 'E2E Chart Viewer';

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

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

/** Waits until a locator matches exactly n elements (a debounced search has answered). */
async function narrowedTo(locator, n, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (Date.now() > until) throw new Error(`expected ${n} matches, still ${await locator.count()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('register an app, EHR-launch it for a patient, and inspect the flow with its decoded tokens', { timeout: 85_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  await waitForIdle(server, 40_000); // the default population (patients and practitioners) loads in the background
  // Two practitioners with an NPI: one the app preselects, one the launch signs in instead.
  const { practitioners } = await api(server, '/api/practitioners?count=10');
  const [preselected, signer] = practitioners.filter((p) => p.npi && p.name);
  assert.ok(preselected && signer, `fewer than two practitioners with an NPI: ${JSON.stringify(practitioners)}`);
  const practitioner = signer.id;
  const { patients } = await api(server, '/api/patients?count=20');
  let patient;
  let encounter;
  for (const p of patients.filter((p) => !p.deceased && p.mrn)) {
    const { encounters } = await api(server, `/api/patients/${p.id}/encounters?count=50`);
    if (encounters.length > 1) [patient, encounter] = [p, encounters[1]]; // not the default-looking first one
    if (patient) break;
  }
  assert.ok(patient, 'no living patient with an MRN and two encounters');

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
  // The preselected user comes from the practitioner picker, found by NPI.
  await form.getByLabel(/^Preselected user/).fill(preselected.npi);
  await form.getByRole('list', { name: /^Preselected user.*: matches$/ }).getByRole('button', { name: new RegExp(preselected.name) }).click();
  await form.getByTestId('app-user-chosen').getByText(preselected.reference).waitFor();
  await form.getByRole('checkbox', { name: /Auto-approve/ }).check();
  await form.getByRole('button', { name: 'Register app' }).click();
  await form.waitFor({ state: 'detached' });

  const card = page.getByRole('article', { name: APP });
  await card.waitFor();
  const clientId = await card.getAttribute('data-client-id');
  assert.equal(await card.getByTestId('client-type').textContent(), 'Public');
  await card.getByText(`User ${preselected.reference}`).waitFor();
  const stored = (await api(server, '/api/clients')).find((c) => c.client_id === clientId);
  assert.deepEqual(
    { type: stored.type, redirect_uris: stored.redirect_uris, launch_uri: stored.launch_uri, valet_user: stored.valet_user, valet_auto_approve: stored.valet_auto_approve },
    { type: 'public', redirect_uris: [REDIRECT], launch_uri: LAUNCH_URL, valet_user: preselected.reference, valet_auto_approve: true },
  );

  // A confidential app gets its secret once, with the warning.
  await page.getByRole('button', { name: 'Register app' }).first().click();
  await form.getByText('Confidential · secret').click();
  await form.getByLabel('Name').fill('E2E Server App');
  // http beyond loopback is refused (as real EHRs do) until the app gets the visible leniency.
  await form.getByLabel('Redirect URIs').fill('http://app.lan:9/server-callback');
  await form.getByRole('button', { name: 'Register app' }).click();
  await form.getByText('must be https: http is accepted only on 127.0.0.1, [::1] and localhost').waitFor();
  await form.getByRole('checkbox', { name: /Accept http on any host/ }).check();
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
  const serverCard = page.getByRole('article', { name: 'E2E Server App' });
  await serverCard.getByTestId('http-redirects').getByText('Leniency: http on any host').waitFor();
  assert.equal((await api(server, '/api/clients')).find((c) => c.client_name === 'E2E Server App').valet_http_redirects, true);

  // ---- Launch: from the app's card, pick the patient by MRN, create the launch.
  await card.getByRole('link', { name: 'Launch…' }).click();
  await page.getByRole('heading', { name: 'Launch', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('App', { exact: true }).inputValue(), clientId);
  await page.getByLabel('Patient in context').fill(patient.mrn);
  await page.getByRole('list', { name: 'Patient in context: matches' }).getByRole('button', { name: new RegExp(patient.mrn) }).click();
  await page.getByTestId('launch-patient-chosen').getByText(`Patient/${patient.id}`).waitFor();
  // The encounter picker lists that patient's encounters, most recent first; "none" stays possible.
  const encounterSelect = page.getByLabel(/^Encounter/);
  await page.locator('#launch-encounter option').nth(1).waitFor({ state: 'attached' });
  assert.equal(await encounterSelect.inputValue(), '');
  await encounterSelect.selectOption(encounter.id);
  assert.match(await page.locator('#launch-encounter option:checked').textContent(), new RegExp(`^${encounter.start.slice(0, 10)} `));
  // Another practitioner signs in for this launch, picked by name.
  await page.getByRole('radio', { name: 'A practitioner' }).check();
  await page.getByLabel('Practitioner who signs in').fill(signer.name.replace(/^Dr\.\s*/, ''));
  const matches = page.getByRole('list', { name: 'Practitioner who signs in: matches' }).getByRole('button', { name: new RegExp(signer.npi) });
  await matches.waitFor();
  await narrowedTo(page.getByRole('list', { name: 'Practitioner who signs in: matches' }).getByRole('button'), 1); // the debounced search answered
  await page.screenshot({ path: join(ARTIFACTS, 'launch-pickers.png'), fullPage: true });
  await matches.click();
  await page.getByTestId('launch-practitioner-chosen').getByText(signer.reference).waitFor();
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
  const { verifier, challenge } = pkcePair();
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
  assert.equal(tokens.encounter, encounter.id);
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
