// Browser end-to-end test of the Patients view's Bulk Data card against the real binary: a backend-services
// client (an RS384 key, a signed client assertion, the client_credentials grant) creates a Group and runs a
// $export; the card lists the Group with its member count and the export with its file, which downloads.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

let server;
let context;

useSandbox(90_000, (s, c) => {
  [server, context] = [s, c];
});

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Registers a backend-services client and returns its access token for scope. */
async function backendToken(scope) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS384', use: 'sig' };
  const reg = await fetch(new URL('/api/clients', server.controlPanel), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'e2e analytics', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, scope }),
  });
  assert.equal(reg.status, 201, await reg.clone().text());
  const { client_id } = await reg.json();
  const tokenURL = new URL('/auth/token', server.controlPanel).href;
  const input = `${b64url({ alg: 'RS384', typ: 'JWT', kid: 'k1' })}.${b64url({ iss: client_id, sub: client_id, aud: tokenURL, exp: Math.floor(Date.now() / 1000) + 240, jti: randomUUID() })}`;
  const assertion = `${input}.${sign('sha384', Buffer.from(input), privateKey).toString('base64url')}`;
  const res = await fetch(tokenURL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).access_token;
}

test('the Bulk Data card lists Groups and exports, and downloads an export’s file', { timeout: 80_000 }, async () => {
  await waitForIdle(server, 30_000);
  const token = await backendToken('system/*.rs system/Group.c');
  const auth = { Authorization: `Bearer ${token}` };
  const patients = (await api(server, '/api/patients?count=2')).patients;
  assert.equal(patients.length, 2);
  const group = await fetch(`${server.fhirBase}/Group`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Group', type: 'person', actual: true, name: 'E2E cohort', member: patients.map((p) => ({ entity: { reference: `Patient/${p.id}` } })) }),
  });
  assert.equal(group.status, 201);
  const kick = await fetch(`${server.fhirBase}/$export?_type=Patient`, { headers: { ...auth, Accept: 'application/fhir+json', Prefer: 'respond-async' } });
  assert.equal(kick.status, 202);
  const status = kick.headers.get('content-location');
  for (let i = 0; ; i++) {
    const r = await fetch(status, { headers: auth });
    if (r.status === 200) break;
    assert.equal(r.status, 202);
    assert.ok(i < 200, 'the export did not complete');
    await new Promise((r) => setTimeout(r, 50));
  }
  const total = (await api(server, '/api/patients?count=1')).total;

  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);
  await page.goto(`${server.controlPanel}#/patients`);
  const card = page.getByRole('region', { name: 'Bulk Data' });
  const row = card.getByTestId('groups').getByRole('row', { name: /E2E cohort/ });
  await row.waitFor();
  const cells = await row.getByRole('cell').allTextContents();
  assert.equal(cells[1], '2');
  assert.match(cells[2], /\/fhir\/Group\/[^/]+\/\$export$/);
  const item = card.locator('[data-testid="exports"] li[data-status="complete"]');
  await item.waitFor();
  assert.match(await item.textContent(), /\$export\?_type=Patient/);
  const link = item.getByRole('link', { name: new RegExp(`^Patient · ${total.toLocaleString('en-US')}$`) });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'Patient.ndjson');
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  assert.equal(lines.length, total);
  assert.ok(lines.every((l) => JSON.parse(l).resourceType === 'Patient'));

  // Delete removes it from the card.
  await item.getByRole('button', { name: 'Delete' }).click();
  await item.waitFor({ state: 'detached' });
  assert.deepEqual((await api(server, '/api/exports')).exports, []);
  assert.deepEqual(errors, []);
});
