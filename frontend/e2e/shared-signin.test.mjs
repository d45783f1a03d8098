// Browser end-to-end test of shared mode (docs/deploy.md) against the real binary: the control panel sends
// a stranger to the sign-in page, refuses a wrong password, lets the admin in with a session cookie the
// page's script cannot read, and shows the plain-HTTP warning. In Settings → Shared access the admin
// creates an API key and a registration token (each shown once) that work for a program, revokes the key
// (it stops working), and signs out.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, useSandbox, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 60_000;
const PASSWORD = 'a class of twenty';

let server;
let context;

useSandbox(
  OVERALL_TIMEOUT_MS,
  (s, c) => {
    [server, context] = [s, c];
  },
  { serverArgs: ['--shared', '--insecure-http', '--empty'], serverEnv: { VALET_ADMIN_PASSWORD: PASSWORD } },
);

const url = (path) => new URL(path, server.controlPanel).toString();
const get = (path, key) => fetch(url(path), { headers: key ? { Authorization: `Bearer ${key}` } : {} });

test('sign in to a shared sandbox, make credentials, revoke one, sign out', { timeout: 55_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  try {
    // ---- A stranger gets the sign-in page; the healthcheck answers, /api does not.
    assert.equal((await get('/api/status')).status, 200);
    assert.equal((await get('/api/clients')).status, 401);
    await page.goto(server.controlPanel);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.getByRole('heading', { name: 'Valet' }).waitFor();
    await page.getByRole('alert').getByText('plain HTTP').waitFor();

    await page.getByLabel('Admin password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong password').waitFor();
    assert.equal(new URL(page.url()).pathname, '/signin');
    errors.length = 0; // Chromium logs the refused sign-in's 403 as a console error

    // ---- The admin signs in: the panel, with the warning on every page.
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('served-warning').getByText('plain HTTP').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    const cookies = Object.fromEntries((await context.cookies(server.controlPanel)).map((c) => [c.name, c]));
    assert.equal(cookies.valet_session?.httpOnly, true);
    assert.equal(cookies.valet_session?.sameSite, 'Strict');
    assert.equal(cookies.valet_csrf?.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('valet_session')), false, 'the session cookie must be HttpOnly');

    // ---- Settings → Shared access: an API key for CI, shown once, works for a program.
    await page.goto(`${server.controlPanel}#/settings`);
    const keys = page.getByTestId('credentials-api-keys');
    await keys.getByPlaceholder('Name, e.g. CI').fill('CI');
    await keys.getByRole('button', { name: 'Create' }).click();
    const apiKey = (await keys.getByTestId('credential-secret').textContent()).trim();
    assert.match(apiKey, /^valet_ak_/);
    assert.equal((await get('/api/clients', apiKey)).status, 200);
    await keys.getByRole('button', { name: 'I have stored it' }).click();
    await keys.getByRole('cell', { name: 'CI', exact: true }).waitFor();
    assert.equal(await keys.getByTestId('credential-secret').count(), 0, 'the secret is shown once');

    // A registration token lets a program register a plain app, without the admin password.
    const tokens = page.getByTestId('credentials-registration-tokens');
    await tokens.getByPlaceholder('Name, e.g. Class of May').fill('Class of May');
    await tokens.getByRole('button', { name: 'Create' }).click();
    const iat = (await tokens.getByTestId('credential-secret').textContent()).trim();
    assert.match(iat, /^valet_iat_/);
    const reg = await fetch(url('/auth/register'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${iat}` },
      body: JSON.stringify({ client_name: 'Student app', redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(reg.status, 201, await reg.text());

    // ---- The panel's own state changes carry the CSRF token: revoking the key works, and stops it.
    await keys.getByRole('button', { name: 'Revoke CI' }).click();
    await keys.getByText('None yet.').waitFor();
    assert.equal((await get('/api/clients', apiKey)).status, 401);
    assert.deepEqual(errors, []);

    // ---- Sign out: back to the sign-in page, and the panel asks again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.goto(server.controlPanel);
    assert.equal(new URL(page.url()).pathname, '/signin');
  } catch (err) {
    await page.screenshot({ path: join(ARTIFACTS, 'shared-signin-failure.png'), fullPage: true }).catch(() => {});
    throw err;
  }
});
