// Browser end-to-end test of the Settings view's Storage card against the real binary: the database size and
// flow events, a retention setting saved (and read back from the server), a negative value refused next to
// its input — by the form as it is typed, and by the server when one reaches it — the per-table usage
// measured on request, and the flow history cleared after confirming.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, useSandbox, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 60_000;

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

const count = (n) => new Intl.NumberFormat('en-US').format(n);

/** A few flow events: the token endpoint records a refused request like any other step. */
async function makeEvents(n) {
  for (let i = 0; i < n; i++) {
    await fetch(new URL('/auth/token', server.controlPanel), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: `e2e-${i}`, client_id: 'e2e-storage-nobody' }),
    });
  }
  // The event log writes in the background.
  const until = Date.now() + 5000;
  while ((await api(server, '/api/storage')).events < n) {
    if (Date.now() > until) throw new Error(`the ${n} refused token requests left no ${n} flow events`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('see the storage, save retention, measure the tables and clear the flow history', { timeout: 55_000 }, async () => {
  await makeEvents(3);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);

  await page.goto(`${server.controlPanel}#/settings`);
  const card = page.getByRole('region', { name: 'Storage' });

  // ---- Size and events, as the server reports them.
  const before = await api(server, '/api/storage');
  assert.ok(before.events >= 3, `only ${before.events} events`);
  await card.getByTestId('storage-events').getByText(count(before.events), { exact: true }).waitFor();
  assert.match(await card.getByTestId('storage-size').textContent(), /^\d+(\.\d)? (B|kB|MB|GB)$/);
  assert.match(await card.getByTestId('storage-size').getAttribute('title'), /^\d{1,3}(,\d{3})* bytes$/);
  await card.getByTestId('last-prune').getByText(/^removed .* · took /).waitFor();

  // ---- Retention: the form starts from the server's settings; "at most" 5,000 events is saved.
  const atMost = card.getByLabel('Keep at most', { exact: true });
  assert.equal(await atMost.inputValue(), String(before.retention.events_max));
  const save = card.getByRole('button', { name: 'Save retention' });
  assert.ok(await save.isDisabled(), 'Save is enabled with nothing changed');
  await atMost.fill('5000');
  await save.click();
  await card.getByTestId('retention-notice').getByText(/^Saved\./).waitFor();
  assert.deepEqual(await api(server, '/api/retention'), { ...before.retention, events_max: 5000 });
  await card.getByText('Now: 5,000 flow events').waitFor();

  // ---- A negative value is refused next to its input as it is typed, and nothing is sent.
  await atMost.fill('-5');
  await card.getByTestId('retention-events_max-error').getByText('Cannot be negative (0 for no limit).').waitFor();
  assert.equal(await atMost.getAttribute('aria-invalid'), 'true');
  assert.ok(await save.isDisabled(), 'Save is enabled with a negative value');
  assert.equal((await api(server, '/api/retention')).events_max, 5000);

  // The server's own refusal reaches the same place through its `field`: the form never sends a value the
  // server refuses, so the request is rewritten on its way to carry one.
  await page.route('**/api/retention', (route) =>
    route.request().method() === 'PUT' ? route.continue({ postData: JSON.stringify({ ...JSON.parse(route.request().postData()), events_max: -1 }) }) : route.continue(),
  );
  await atMost.fill('6000');
  await save.click();
  await card.getByTestId('retention-events_max-error').getByText('events_max must be between 0 (no bound) and 100000000 (got -1)').waitFor();
  await page.unroute('**/api/retention');
  const refusal = errors.findIndex((e) => e.includes('status of 400'));
  assert.ok(refusal >= 0, 'the refused retention did not reach the server');
  errors.splice(refusal, 1);
  assert.equal((await api(server, '/api/retention')).events_max, 5000);
  // Changing the value the server refused takes its refusal away.
  await atMost.fill('5000');
  assert.equal(await card.getByTestId('retention-events_max-error').count(), 0);

  // ---- What each table takes, measured on request.
  await card.getByRole('button', { name: 'Show what each table takes' }).click();
  const usage = card.getByTestId('table-usage');
  await usage.waitFor();
  const { tables } = await api(server, '/api/storage/usage');
  assert.ok(tables.length > 10, `only ${tables.length} tables`);
  // The ten largest first, the rest on request.
  assert.equal(await usage.locator('tbody tr').count(), 10);
  assert.equal(await usage.locator('tbody tr').first().locator('code').textContent(), tables[0].table);
  await card.getByRole('button', { name: 'Measure again' }).waitFor();
  // The sticky top bar would cover the card's title in a shot of the card alone.
  const unstick = '.topbar { position: static !important; }';
  await card.screenshot({ path: join(ARTIFACTS, 'storage.png'), style: unstick });
  await usage.getByRole('button', { name: `Show all ${tables.length} tables` }).click();
  assert.equal(await usage.locator('tbody tr').count(), tables.length);

  // ---- Clear the flow history: asked first, then the count drops to 0.
  await card.getByRole('button', { name: 'Clear flow history…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Clear the flow history?' });
  await confirm.getByText(`all ${count(before.events)} flow events`).waitFor();
  await card.screenshot({ path: join(ARTIFACTS, 'storage-clear.png'), style: unstick });
  await confirm.getByRole('button', { name: 'Clear flow history', exact: true }).click();
  await card.getByTestId('clear-notice').getByText(`${count(before.events)} events removed`).waitFor();
  await card.getByTestId('storage-events').getByText('0', { exact: true }).waitFor();
  assert.equal((await api(server, '/api/storage')).events, 0);
  // The usage measured before is gone with it, ready to be measured again.
  await card.getByRole('button', { name: 'Show what each table takes' }).waitFor();

  // ---- The Dashboard shows the size too.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Dashboard/ }).click();
  assert.match(await page.getByTestId('database-size').textContent(), /^\d+(\.\d)? (B|kB|MB|GB)$/);

  assert.deepEqual(errors, [], 'the page logged errors');
});
