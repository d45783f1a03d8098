// Browser end-to-end test of the Patients view against the real binary: generate patients through the
// form and watch the job to the end, find them in the list, and open one to see what its record holds (types,
// US Core profiles, clinical notes) and its vital-sign charts.
// Holds whether or not a new sandbox starts with the default population: it compares totals.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, useSandbox, waitForIdle, watchErrors } from './harness.mjs';

const OVERALL_TIMEOUT_MS = 90_000;
const GENERATE = { patients: 5, seed: 7 };

let server;
let context;

useSandbox(OVERALL_TIMEOUT_MS, (s, c) => {
  [server, context] = [s, c];
});

const totalOf = async (page) => Number((await page.getByTestId('patient-total').textContent()).replace(/[^\d]/g, ''));

/**
 * A patient whose record has blood pressure, heart rate, weight and BMI readings and clinical notes with
 * text, found through the API; its notes come along.
 */
async function patientWithVitalsAndNotes(ids) {
  const core = ['8480-6', '8462-4', '8867-4', '29463-7', '39156-5'];
  for (const id of ids) {
    const detail = await api(server, `/api/patients/${encodeURIComponent(id)}`);
    const have = new Set((detail.vitals ?? []).filter((v) => v.points?.length > 1).map((v) => v.code));
    if (!core.every((c) => have.has(c))) continue;
    const { notes } = await api(server, `/api/patients/${encodeURIComponent(id)}/notes`);
    if (notes?.some((n) => n.text)) return { ...detail, notes };
  }
  return undefined;
}

test('generate patients with live progress, find them, and chart one patient’s vital signs', { timeout: 80_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const errors = watchErrors(page);

  await page.goto(`${server.controlPanel}#/patients`);
  await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();

  // A fresh sandbox may still be loading its default population; the page follows that job, and
  // Generate would only attach to it (409), so let it finish first.
  await waitForIdle(server, 30_000);
  await page.locator('[data-testid="job"][data-state="running"]').waitFor({ state: 'detached', timeout: 10_000 });
  const list = page.getByRole('region', { name: /^(All patients|Patients matching)/ });
  const apiBefore = (await api(server, '/api/patients?count=1')).total;
  await page.waitForFunction((n) => document.querySelector('[data-testid="patient-total"]')?.textContent?.replace(/\D/g, '') === String(n), apiBefore);
  const before = await totalOf(page);

  // Generate 5 patients with seed 7; the job card shows live progress and then the outcome.
  const form = page.getByRole('region', { name: 'Generate patients' });
  await form.getByLabel('Patients').fill(String(GENERATE.patients));
  await form.getByLabel('Seed').fill(String(GENERATE.seed));
  await form.getByRole('button', { name: 'Generate' }).click();
  const job = page.getByTestId('job');
  await job.waitFor();
  await page.locator('[data-testid="job"][data-state="done"]').waitFor({ timeout: 45_000 });
  await job.getByRole('heading', { name: 'Generation done' }).waitFor();
  assert.equal(await job.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
  assert.match(await page.getByTestId('job-progress').textContent(), new RegExp(`^${GENERATE.patients} of ${GENERATE.patients} patients · [\\d,]+ resources`));
  assert.match(await job.getByRole('status').textContent(), new RegExp(`^Stored ${GENERATE.patients} patients and [\\d,]+ resources in [\\d.]+ s\\.$`));

  // The list reloads by itself and counts the new patients.
  await page.waitForFunction((n) => document.querySelector('[data-testid="patient-total"]')?.textContent?.replace(/\D/g, '') === String(n), before + GENERATE.patients);
  assert.equal((await api(server, '/api/patients?count=1')).total, before + GENERATE.patients);
  assert.ok((await list.locator('tbody tr').count()) > 0);
  await page.screenshot({ path: join(ARTIFACTS, 'patients.png'), fullPage: true });

  // Find a patient with vital signs, look it up by MRN in the search box, and open it.
  const all = await api(server, `/api/patients?count=200`);
  const detail = await patientWithVitalsAndNotes(all.patients.map((p) => p.id));
  assert.ok(detail, 'no patient with blood pressure, heart rate, weight and BMI readings and clinical notes');
  const { patient } = detail;
  await list.getByRole('searchbox', { name: 'Search patients' }).fill(patient.mrn);
  await list.locator('tbody tr').filter({ hasText: patient.mrn }).first().waitFor();
  await list.getByRole('link', { name: patient.name, exact: true }).first().click();
  await page.waitForURL(new RegExp(`#/patients/${patient.id}$`));
  await page.getByRole('heading', { name: patient.name, level: 1 }).waitFor();

  // Resource counts for the patient, as the server reports them, with the US Core profiles under each type.
  const resources = page.getByRole('region', { name: 'Resources' });
  await resources.getByRole('cell', { name: 'Observation', exact: true }).waitFor();
  const pulseOx = detail.profiles.find((p) => p.profile.endsWith('/us-core-pulse-oximetry'));
  assert.ok(pulseOx, 'the patient has no pulse oximetry profile count');
  const line = resources.locator('tr.sub[data-type="Observation"]').filter({ hasText: 'US Core Pulse Oximetry' });
  assert.equal(await line.locator('td.num').textContent(), String(pulseOx.count));
  assert.equal(await line.locator('[title]').getAttribute('title'), pulseOx.profile);

  // The record's new US Core types are rows of the counts (those the generator gave this patient).
  const newTypes = ['DocumentReference', 'CareTeam', 'Goal', 'ServiceRequest', 'Specimen', 'RelatedPerson', 'Device', 'QuestionnaireResponse', 'MedicationDispense', 'Medication'];
  const present = newTypes.filter((t) => detail.counts[t] > 0);
  assert.ok(present.includes('DocumentReference') && present.length >= 2, `new types in the record: ${present}`);
  for (const type of present) {
    const row = resources.locator('tbody tr:not(.sub)').filter({ has: page.getByRole('cell', { name: type, exact: true }) });
    assert.equal(await row.locator('td.num').textContent(), String(detail.counts[type]), `${type} count`);
  }

  // Clinical notes, most recent first; the keyboard opens one and shows its decoded text.
  const notesCard = page.getByRole('region', { name: 'Clinical notes' });
  await notesCard.locator('details').first().waitFor();
  assert.equal(await notesCard.locator('details').count(), detail.notes.length);
  const withText = detail.notes.findIndex((n) => n.text);
  const note = notesCard.locator('details').nth(withText);
  assert.equal(await note.getAttribute('data-note'), `${detail.notes[withText].resource_type}/${detail.notes[withText].id}`);
  assert.equal(await note.locator('pre').isVisible(), false);
  await note.locator('summary').focus();
  await page.keyboard.press('Enter');
  await note.locator('pre').waitFor();
  assert.equal(await note.locator('pre').textContent(), detail.notes[withText].text);
  assert.ok(detail.notes[withText].text.length > 40, 'a note with some text');
  await page.screenshot({ path: join(ARTIFACTS, 'patient-notes.png'), fullPage: true });

  // One chart per vital: a path with points (hover titles) for each line; two lines for blood pressure.
  const vitals = page.getByRole('region', { name: 'Vital signs' });
  for (const [title, lines] of [['Blood pressure', 2], ['Heart rate', 1], ['Body weight', 1], ['BMI', 1]]) {
    const chart = vitals.locator(`figure[data-chart="${title}"]`);
    await chart.locator('svg').waitFor();
    assert.equal(await chart.locator('g.series path').count(), lines, `${title}: lines`);
    for (const d of await chart.locator('g.series path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')))) assert.match(d, /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+)+$/);
    assert.ok((await chart.locator('circle').count()) >= 2 * lines, `${title}: points`);
    assert.match(await chart.locator('circle title').first().textContent(), /^.+ · \d{4}-\d{2}-\d{2}$/);
    assert.ok((await chart.locator('text.tick').count()) >= 3, `${title}: axis ticks`);
  }
  assert.equal(await vitals.locator('figure[data-chart="Blood pressure"] text.unit').textContent(), 'mmHg');
  await page.screenshot({ path: join(ARTIFACTS, 'patient-detail.png'), fullPage: true });

  // A patient without vital signs (the no-clinical-data persona, when the default population has it)
  // says so instead of drawing empty axes.
  const bare = all.patients.find((p) => p.id.endsWith('no-clinical-data'));
  if (bare) {
    await page.goto(`${server.controlPanel}#/patients/${bare.id}`);
    await page.getByRole('heading', { name: bare.name, level: 1 }).waitFor();
    await page.getByText('No vital signs recorded for this patient.').waitFor();
  }

  // Back to the list, where the search is still applied.
  await page.getByRole('link', { name: '← All patients' }).click();
  await page.waitForURL(/#\/patients$/);
  assert.equal(await list.getByRole('searchbox', { name: 'Search patients' }).inputValue(), patient.mrn);

  assert.deepEqual(errors, [], 'the page logged errors');
});

test('the reset button asks before deleting anything', { timeout: 20_000 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.controlPanel}#/patients`);
  const form = page.getByRole('region', { name: 'Generate patients' });
  await form.getByRole('button', { name: 'Reset sandbox…' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Reset the sandbox?' });
  await dialog.getByText(/deletes all FHIR data/).waitFor();
  await dialog.getByText(/default population of 25 patients plus the edge-case personas/).waitFor();
  const total = (await api(server, '/api/patients?count=1')).total;
  await dialog.getByRole('button', { name: 'Keep my data' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await api(server, '/api/patients?count=1')).total, total, 'declining the reset changed the data');
  assert.equal(await page.locator('[data-testid="job"][data-state="running"]').count(), 0, 'declining the reset started a job');
});
