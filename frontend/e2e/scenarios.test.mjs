// Browser end-to-end test of Settings → Scenarios against the real binary: a scenario with a mistake is
// refused with its line and column, the corrected one is applied and the panel shows its launch URL, and
// the launch it made saves back as a scenario file naming the same app.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 60_000;

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

// The default population (seed 1, tag ytrp35) is what a new sandbox loads.
const scenario = (launchKey) => `name: e2e-import
clients:
  - client_id: e2e-scenario-app
    redirect_uris: [http://127.0.0.1:9/callback]
    launch_uri: http://127.0.0.1:9/launch
    token_endpoint_auth_method: client_secret_basic
launch:
  ${launchKey}: ytrp35-p000001
  user: Practitioner/ytrp35-prac-01
consent:
  decision: approve
`;

test('import a scenario in Settings and see its launch URL', { timeout: 55_000 }, async () => {
  await waitForIdle(server, 30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);

  await page.goto(`${server.controlPanel}#/settings`);
  await page.getByRole('heading', { name: 'Scenarios', level: 2 }).waitFor();
  const text = page.getByLabel('…or its text');

  // A misspelt key: refused at its line and column, nothing applied.
  await text.fill(scenario('patinet'));
  await page.getByRole('button', { name: 'Import' }).click();
  const problems = page.getByTestId('scenario-errors');
  await problems.getByText(/^scenario\.yaml:8:3: unknown key "patinet" in launch/).waitFor();
  const res = await fetch(new URL('/api/clients/e2e-scenario-app', server.controlPanel));
  assert.equal(res.status, 404, 'a refused scenario registered its app');
  // That refusal was wanted; the browser logs every 4xx answer as a console error.
  const refusal = errors.findIndex((e) => e.includes('status of 400'));
  assert.ok(refusal >= 0, 'the refused scenario did not reach the server');
  errors.splice(refusal, 1);

  // Corrected: applied, with the launch URL and the app's credentials shown.
  await text.fill(scenario('patient'));
  await page.getByRole('button', { name: 'Import' }).click();
  const shown = page.getByTestId('scenario-launch-url').locator('code');
  await shown.waitFor();
  const launchURL = new URL(await shown.textContent());
  assert.equal(`${launchURL.origin}${launchURL.pathname}`, 'http://127.0.0.1:9/launch');
  assert.equal(launchURL.searchParams.get('iss'), server.fhirBase);
  await page.getByTestId('scenario-result').getByText('e2e-scenario-app', { exact: true }).waitFor();
  assert.equal(await problems.count(), 0);

  const app = await api(server, '/api/clients/e2e-scenario-app');
  assert.deepEqual(app.redirect_uris, ['http://127.0.0.1:9/callback']);

  // The launch saves as a scenario naming the same app and patient.
  const saved = await (await fetch(new URL(`/api/launches/${launchURL.searchParams.get('launch')}/scenario`, server.controlPanel))).text();
  assert.match(saved, /client_id: e2e-scenario-app/);
  assert.match(saved, /patient: ytrp35-p000001/);

  await page.screenshot({ path: join(ARTIFACTS, 'scenarios.png'), fullPage: true });
  assert.deepEqual(errors, [], 'the page logged errors');
});
