// Browser end-to-end test of the Settings view against the real binary: rotate the signing keys (the list
// grows and /auth/jwks publishes the new kids beside the old ones), then give a practitioner a password
// and see the login page demand it — refused without it, a code with it — and drop it again.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 60_000;
const REDIRECT = 'http://127.0.0.1:9/settings-callback'; // never loaded: the test reads the code off the request
const PASSWORD = 'correct horse';

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

const url = (path) => new URL(path, server.controlPanel).toString();
const jwksKids = async () => (await (await fetch(url('/auth/jwks'))).json()).keys.map((k) => k.kid).sort();

/** An authorize URL for an app without a preselected user, so the login page is shown. */
function authorizeURL(clientId) {
  const a = new URL('/auth/authorize', server.controlPanel);
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid fhirUser user/*.rs', state: 'pw',
    aud: server.fhirBase, code_challenge: challenge, code_challenge_method: 'S256',
  })) a.searchParams.set(k, v);
  return a.toString();
}

test('rotate the signing keys and require a password of a practitioner', { timeout: 55_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);

  // ---- Signing keys: one per algorithm at first; a rotation adds two and keeps the old two published.
  await page.goto(`${server.controlPanel}#/settings`);
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  const keys = page.getByTestId('keys');
  await keys.locator('tbody tr').first().waitFor();
  const before = await api(server, '/api/keys');
  assert.equal(await keys.locator('tbody tr').count(), before.length);
  assert.deepEqual(await jwksKids(), before.map((k) => k.kid).sort());

  await page.getByRole('button', { name: 'Rotate keys…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Rotate the signing keys?' });
  await confirm.getByText('stay published').waitFor();
  await confirm.getByRole('button', { name: 'Rotate now' }).click();
  await page.getByRole('status').getByText(/^Rotated: 2 new keys sign from now on/).waitFor();
  await keys.locator('tbody tr').nth(before.length + 1).waitFor();
  assert.equal(await keys.locator('tbody tr').count(), before.length + 2);

  const afterKeys = await api(server, '/api/keys');
  const added = afterKeys.filter((k) => !before.some((b) => b.kid === k.kid));
  assert.deepEqual(added.map((k) => k.active), [true, true]);
  for (const k of added) {
    const row = keys.locator(`tr[data-kid="${k.kid}"]`);
    await row.getByText('Signing now').waitFor();
    await row.getByText('new', { exact: true }).waitFor();
  }
  for (const k of before) await keys.locator(`tr[data-kid="${k.kid}"][data-state="retired"]`).getByText(/^published until \d{4}-\d\d-\d\d \d\d:\d\d UTC · in /).waitFor();
  // The JWKS (fetched by an app, not the panel) publishes the new kids and still the old ones.
  assert.deepEqual(await jwksKids(), afterKeys.map((k) => k.kid).sort());

  // ---- Passwords: pick a practitioner by NPI and give them one.
  await waitForIdle(server, 30_000); // practitioners arrive with the default population
  const { practitioners } = await api(server, '/api/practitioners?count=5');
  const dr = practitioners.find((p) => p.npi && p.name);
  assert.ok(dr, 'no practitioner with an NPI');
  const passwords = page.getByRole('region', { name: 'User passwords' });
  await passwords.getByRole('button', { name: 'Set password' }).click();
  await passwords.getByText('Pick the practitioner first.').waitFor();
  await passwords.getByLabel('Find the practitioner').fill(dr.npi);
  await passwords.getByRole('list', { name: 'Find the practitioner: matches' }).getByRole('button', { name: new RegExp(dr.name) }).click();
  await passwords.getByTestId('password-practitioner-chosen').getByText(dr.reference).waitFor();
  await passwords.getByLabel('New password').fill(PASSWORD);
  await passwords.getByLabel('Again').fill(PASSWORD);
  await passwords.getByRole('button', { name: 'Set password' }).click();
  await passwords.getByTestId('password-notice').getByText(`${dr.reference} now needs this password`).waitFor();
  assert.equal(await passwords.getByLabel('New password').inputValue(), '', 'the password stayed in the form');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, 'settings.png'), fullPage: true });

  // ---- The login page (an app without a preselected user) now marks them and asks for the password.
  const res = await fetch(url('/api/clients'), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'E2E password check', type: 'public', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT], valet_auto_approve: true }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { client_id: clientId } = await res.json();
  const login = await context.newPage();
  login.setDefaultTimeout(10_000);
  await login.goto(authorizeURL(clientId));
  const row = login.locator('label', { has: login.locator(`input[name="user"][value="${dr.reference}"]`) });
  await row.getByText('password required').waitFor();
  await row.locator('input').check();
  await login.getByRole('button', { name: 'Sign in' }).click();
  await login.getByText(`Wrong password for ${dr.reference}`).waitFor();
  await login.locator(`input[name="user"][value="${dr.reference}"]`).check();
  await login.locator('input[name="password"]').fill(PASSWORD);
  // The sign-in redirects to the app with a code (Chromium then refuses port 9, which does not matter here).
  const [toApp] = await Promise.all([login.waitForRequest((r) => r.url().startsWith(REDIRECT)), login.getByRole('button', { name: 'Sign in' }).click()]);
  assert.ok(new URL(toApp.url()).searchParams.get('code'), `no code in ${toApp.url()}`);
  await login.close();

  // ---- Removing it: the login page no longer asks.
  await passwords.getByRole('button', { name: 'Remove password' }).click();
  await passwords.getByTestId('password-notice').getByText(`${dr.reference} signs in by choosing their name again.`).waitFor();
  const html = await (await fetch(authorizeURL(clientId))).text();
  assert.ok(html.includes(dr.reference) && !html.includes('password required'), 'the login page still asks for a password');

  assert.deepEqual(errors, [], 'the page logged errors');
});
