/**
 * The Restore wizard in Chromium against `drydock serve`, the EC2 simulator
 * and lab hosts (issue 11): choose the backup (newest completed, its age as
 * the recovery point) and the spare → the preview of exactly what will
 * happen → the confirmation listing the disruptive steps → the run, live →
 * verification, the traffic switch, the report; and a `drydock serve`
 * killed mid-run: the app, opened again, lands on the run and finishes it.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startDrydock } from './drydock-server';
import { expect } from './fixtures';
import { screenshotBothSchemes } from './screenshots';
import { HOSTNAME, NAMES, prepareInstallation, rpc, test, type RestoreWorld } from './restore-world';

/** KEY=value lines of a shell defaults file, parsed (not grepped). */
function assignments(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** The `servers` list of a Nomad client's config.hcl, parsed. */
function nomadServers(text: string | null): string[] {
  const m = /servers\s*=\s*\[([^\]]*)\]/.exec(text ?? '');
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

/** From the Restore page to the confirmed run. */
async function previewAndRun(page: Page) {
  await page.getByRole('link', { name: 'Restore' }).click();
  await page.getByRole('region', { name: '1. Backup and spare' }).getByRole('button', { name: 'Preview the restore' }).click();
  const preview = page.getByRole('region', { name: '2. Preview: what will happen' });
  await preview.getByRole('button', { name: 'Run the restore…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore onto the spare?' });
  await expect(dialog.getByRole('list', { name: 'Steps that will run' })).toContainText('Stop the spare');
  await expect(dialog.getByRole('list', { name: 'Steps that will run' })).toContainText('Re-point the Nomad clients at the spare');
  await expect(dialog).toContainText('detached and kept, never deleted');
  await dialog.getByRole('button', { name: 'Restore onto the spare' }).click();
}

const runRegion = (page: Page) => page.getByRole('region', { name: /^3\. (Restore|Drill) run$/ });
const step = (page: Page, title: string | RegExp) => runRegion(page).getByRole('list', { name: 'Restore steps' }).getByRole('listitem').filter({ hasText: title });

/** What a completed restore leaves on the hosts, read from their files. */
function expectRestored(world: RestoreWorld) {
  const spare = world.lab.hosts[NAMES.spare];
  expect(assignments(spare.readFile('/etc/default/replicated')).get('PRIVATE_ADDRESS')).toBe(spare.ip);
  expect(assignments(spare.readFile('/etc/default/replicated-operator')).get('PRIVATE_ADDRESS')).toBe(spare.ip);
  for (const n of NAMES.nomad) expect(nomadServers(world.lab.hosts[n].readFile('/etc/nomad/config.hcl'))).toEqual([`${spare.ip}:4647`]);
}

test('choose: the newest completed backup with its recovery point, the spare; the preview says what will happen', async ({ page, drydock, world }) => {
  test.setTimeout(120_000);
  await page.goto(drydock.url);
  const { backupId } = await prepareInstallation(page, drydock.url, world);

  await page.getByRole('link', { name: 'Restore' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
  await expect(page.getByText('Not built yet')).toHaveCount(0);
  const choose = page.getByRole('region', { name: '1. Backup and spare' });
  await expect(choose.getByLabel('Backup')).toHaveValue(backupId);
  await expect(choose.getByTestId('recovery-point')).toContainText('(the newest completed backup)');
  await expect(choose.getByTestId('recovery-point')).toContainText(/Recovery point: .*, \d+ s ago/);
  await expect(choose.getByLabel('Hot spare')).toHaveValue(NAMES.spare);
  // One profile: not asked.
  await expect(choose.getByLabel('Backup profile')).toHaveCount(0);
  await choose.getByRole('button', { name: 'Preview the restore' }).click();

  const preview = page.getByRole('region', { name: '2. Preview: what will happen' });
  await expect(preview).toBeVisible({ timeout: 30_000 });
  await expect(preview.getByTestId('preview-recovery-point')).toContainText('before this preview');
  await expect(preview.getByRole('table', { name: 'Disk changes' })).toContainText('Detach the spare’s root and keep it');
  const lines = preview.getByRole('table', { name: 'Line changes' });
  await expect(lines).toContainText('PRIVATE_ADDRESS');
  await expect(lines).toContainText(world.lab.hosts[NAMES.primary].ip);
  await expect(lines).toContainText(world.lab.hosts[NAMES.spare].ip);
  const nomad = preview.getByRole('table', { name: 'Nomad clients to re-point' });
  await expect(nomad.getByRole('row')).toHaveCount(3);
  await expect(preview.getByTestId('traffic-instructions')).toBeVisible();
  await expect(preview.getByTestId('restore-blocking')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Run the restore…' })).toBeEnabled();
  await screenshotBothSchemes(page, 'restore-preview');

  // Nothing was touched by the preview.
  expect(world.sim.calls('CreateVolume')).toHaveLength(0);
  expect(world.sim.calls('StopInstances')).toHaveLength(0);

  // A second backup profile: now the wizard asks which one.
  await rpc(page, drydock.url, 'backup:profile-set', { name: 'other', provider: 'aws', instance: 'services', region: world.sim.region, endpoint: world.sim.endpoint, imds: false });
  await preview.getByRole('button', { name: 'Back' }).click();
  const profile = page.getByRole('region', { name: '1. Backup and spare' }).getByLabel('Backup profile');
  await expect(profile.locator('option')).toHaveText([/^prod — AWS/, /^other — AWS/]);
});

test('a full restore from the wizard: live steps, verification, traffic to switch, the report', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('console');
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  await previewAndRun(page);

  const run = runRegion(page);
  await expect(run.getByTestId('restore-run')).toBeVisible();
  await expect(page.getByTestId('run-indicator').or(run.getByTestId('restore-phase'))).not.toHaveCount(0);
  await expect(run.getByTestId('restore-phase')).toHaveText('Finished', { timeout: 150_000 });
  await expect(step(page, 'Reconnect to the spare')).toContainText('Done');
  await expect(step(page, 'Reconnect to the spare')).toContainText("printed by cloud-init on the spare's console");

  const verification = page.getByRole('list', { name: 'Verification' });
  await expect(verification).toContainText('Verify the app on the spare: passed');
  const traffic = page.getByRole('region', { name: '5. Switch traffic to the spare' });
  await expect(traffic.getByTestId('traffic-check')).toContainText(`${HOSTNAME} does not resolve to the spare yet`);
  await expect(traffic.getByTestId('left-to-admin')).toContainText(`Point ${HOSTNAME} at the spare`);
  // The admin changes DNS, then asks again; this computer cannot see it, so the admin's word is recorded.
  await traffic.getByRole('button', { name: 'Check where the hostname leads now' }).click();
  await expect(traffic.getByTestId('traffic-check-result')).toContainText(new RegExp(`${HOSTNAME} resolves to .*127\\.0\\.0\\.1.* from this computer, not to the spare`));
  const record = traffic.getByRole('button', { name: 'Record that the change is made' });
  await expect(record).toBeDisabled();
  await traffic.getByLabel(/I have made the DNS or load-balancer change/).check();
  await record.click();
  await expect(traffic.getByTestId('traffic-check-result')).toContainText('Recorded: you confirmed the DNS / load balancer change is made.');
  await expect(page.getByTestId('restore-summary')).toContainText(`${NAMES.spare} runs the backup`);
  await expect(page.getByTestId('recovery-time')).toBeVisible();

  await screenshotBothSchemes(page, 'restore-finished');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the report (Markdown)' }).click()]);
  const report = readFileSync((await download.path())!, 'utf8');
  expect(report).toMatch(/Traffic switch.*confirmed by the admin/);
  for (const title of ['Create the volume', 'Stop the spare', 'Attach the restored volume as root', 'Verify the app on the spare', 'Re-point the Nomad clients at the spare']) {
    expect(report).toContain(title);
  }
  expectRestored(world);
  // The spare's own root was kept.
  const volumes = world.sim.world.state.volumes;
  expect(volumes.some((v) => v.tags.some((t) => t.Key === 'drydock:kept-root-of'))).toBe(true);
});

test('drydock serve killed mid-run: the app opened again lands on the run, which is resumed and finishes', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('console');
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  const release = world.holdBoot();
  await previewAndRun(page);
  await expect(step(page, 'Start the spare on the restored disk')).toContainText('Running', { timeout: 60_000 });
  // Every page says what is running, and leads back.
  await page.getByRole('link', { name: 'Hosts' }).click();
  const indicator = page.getByTestId('run-indicator');
  await expect(indicator).toContainText('Restore onto the hot spare running, step 7 of 21: Start the spare on the restored disk');
  await indicator.getByRole('link', { name: 'Show in Restore' }).click();
  await expect(step(page, 'Start the spare on the restored disk')).toContainText('Running');

  // The engine dies inside the waiting step.
  await page.goto('about:blank');
  await drydock.stop({ keepHome: true, signal: 'SIGKILL' });
  release();
  const again = await startDrydock(20_000, { home: drydock.home });
  try {
    await page.goto(again.url);
    // Lands on the unfinished recovery run, not on Hosts.
    await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
    const run = runRegion(page);
    await expect(run.getByTestId('restore-phase')).toHaveText('Stopped');
    await screenshotBothSchemes(page, 'restore-reattached-after-restart');
    await expect(step(page, 'Stop the spare')).toContainText('Done');
    await run.getByRole('button', { name: /^(Resume…|Retry “Start the spare on the restored disk”…)$/ }).click();
    const dialog = page.getByRole('dialog', { name: /^(Resume the run\?|Retry “Start the spare on the restored disk”\?)$/ });
    await expect(dialog.getByRole('list', { name: 'Steps still to run' })).toContainText('Start the spare on the restored disk');
    // What going on starts and restarts, step by step, is in the dialog the admin confirms.
    const disrupts = dialog.getByRole('list', { name: 'What going on stops, starts or restarts' });
    await expect(disrupts).toContainText(/starts the spare \S+ on the restored disk/);
    await expect(disrupts).toContainText(/restarts Replicated on \S+ and starts the CircleCI app/);
    await expect(disrupts).toContainText(/restarts nomad on /);
    await dialog.getByRole('button', { name: /^(Resume|Retry the step)$/ }).click();
    await expect(run.getByTestId('restore-phase')).toHaveText('Finished', { timeout: 150_000 });
    await expect(page.getByRole('list', { name: 'Verification' })).toContainText('passed');
    // The run's answer is read back from the engine: the recovery time of the resumed run.
    await expect(page.getByTestId('recovery-time')).toBeVisible();
    expectRestored(world);
    // Never two roots, and one volume restored: the resume re-checked instead of redoing.
    expect(world.sim.calls('CreateVolume')).toHaveLength(1);
  } finally {
    await page.goto('about:blank');
    await again.stop();
  }
});

test('a host key nobody can prove stops the run until the admin confirms it', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('unproven');
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  await previewAndRun(page);

  const run = runRegion(page);
  await expect(run.getByTestId('restore-phase')).toHaveText('Stopped: a host key to confirm', { timeout: 120_000 });
  const panel = page.getByRole('region', { name: 'Host key to confirm' });
  await expect(panel.getByTestId('restore-host-key')).toHaveText(world.lab.hosts[NAMES.spare].fingerprint);
  await expect(panel).toContainText('It is not the primary’s known key and not in the fingerprints cloud-init printed');
  await expect(step(page, 'Reconnect to the spare')).toContainText("neither the primary's known key nor a fingerprint cloud-init printed");
  // Nothing ran on the spare: its files are still the primary's.
  expect(assignments(world.lab.hosts[NAMES.spare].readFile('/etc/default/replicated')).get('PRIVATE_ADDRESS')).toBe(world.lab.hosts[NAMES.primary].ip);
  await screenshotBothSchemes(page, 'restore-host-key');
  // Going on stops and starts the app and restarts the clients' nomad: listed beside the button that confirms it.
  await expect(panel.getByRole('list', { name: 'What going on stops, starts or restarts' })).toContainText(/stops the CircleCI app on \S+[^]*restarts Replicated on [^]*restarts nomad on /);
  const go = panel.getByRole('button', { name: 'Trust this key and go on' });
  await expect(go).toBeDisabled();
  await panel.getByLabel(/I compared this fingerprint with the spare.s console/).check();
  await go.click();
  await expect(run.getByTestId('restore-phase')).toHaveText('Finished', { timeout: 150_000 });
  await expect(step(page, 'Reconnect to the spare')).toContainText('confirmed by the admin');
  expectRestored(world);
});

test('blocking problems are shown first and Run stays disabled', async ({ page, drydock, world }) => {
  test.setTimeout(120_000);
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  // The spare boots from another device than the one the backup's root came from.
  const spare = world.sim.world.state.instances.find((i) => world.sim.world.nameOf(i.tags) === 'spare')!;
  spare.rootDeviceName = '/dev/xvda';

  await page.getByRole('link', { name: 'Restore' }).click();
  await page.getByRole('region', { name: '1. Backup and spare' }).getByRole('button', { name: 'Preview the restore' }).click();
  const preview = page.getByRole('region', { name: '2. Preview: what will happen' });
  const blocking = preview.getByTestId('restore-blocking');
  await expect(blocking).toContainText('The restore cannot run');
  await expect(blocking).toContainText('/dev/xvda');
  await expect(preview.getByRole('button', { name: 'Run the restore…' })).toBeDisabled();
  await expect(preview).toContainText('Fix the problems above, then preview again.');
  await screenshotBothSchemes(page, 'restore-blocked');
  expect(world.sim.calls('CreateVolume')).toHaveLength(0);
});

test('a failed step: skip says what it costs, retry re-checks and goes on', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('console');
  await world.frontendDown(true);
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  await previewAndRun(page);

  const run = runRegion(page);
  await expect(run.getByTestId('restore-phase')).toHaveText('Stopped', { timeout: 120_000 });
  await expect(step(page, 'Verify the app on the spare')).toContainText('Failed');
  await expect(run.getByRole('alert')).toContainText('The app on the spare is not healthy');
  await expect(run.getByRole('alert')).toContainText('/health-check answered');
  // Technical details hold the code, not the sentence.
  await expect(run.getByText('Error code COMMAND_FAILED')).toBeHidden();

  // Skip: its consequence, spelled out; the admin thinks again.
  await run.getByRole('button', { name: 'Skip this step…' }).click();
  const skip = page.getByRole('dialog', { name: 'Skip “Verify the app on the spare”?' });
  await expect(skip.getByTestId('skip-consequence')).toContainText('the app on the spare is not verified by Drydock');
  await expect(skip.getByRole('list', { name: 'What going on stops, starts or restarts' })).toContainText(/restarts nomad on /);
  await skip.getByRole('button', { name: 'Cancel' }).click();
  await screenshotBothSchemes(page, 'restore-failed-step');

  // The frontend comes up; retry goes on from the failed step.
  await world.frontendDown(false);
  await run.getByRole('button', { name: 'Retry “Verify the app on the spare”…' }).click();
  const retry = page.getByRole('dialog', { name: 'Retry “Verify the app on the spare”?' });
  await expect(retry.getByRole('list', { name: 'Steps still to run' })).toContainText('Re-point the Nomad clients at the spare');
  await expect(retry.getByRole('list', { name: 'Steps still to run' })).not.toContainText('Stop the spare');
  await expect(retry.getByRole('list', { name: 'What going on stops, starts or restarts' })).toHaveText(/^restarts nomad on .*\(re-pointed at the spare: their builds go to it\)$/);
  await retry.getByRole('button', { name: 'Retry the step' }).click();
  await expect(run.getByTestId('restore-phase')).toHaveText('Finished', { timeout: 150_000 });
  await expect(page.getByRole('list', { name: 'Verification' })).toContainText('Verify the app on the spare: passed');
  expectRestored(world);
  expect(world.sim.calls('StopInstances')).toHaveLength(1);
});

test('abort lists the undo newest first and puts the spare back on its own root', async ({ page, drydock, world }) => {
  test.setTimeout(180_000);
  world.reimage('unproven');
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  const instance = () => world.sim.world.state.instances.find((i) => world.sim.world.nameOf(i.tags) === 'spare')!;
  const rootOf = () => world.sim.world.state.volumes.find((v) => v.attachment?.instanceId === instance().id && v.attachment.device === instance().rootDeviceName)?.id;
  const originalRoot = rootOf();
  await previewAndRun(page);

  const run = runRegion(page);
  await expect(run.getByTestId('restore-phase')).toHaveText('Stopped: a host key to confirm', { timeout: 120_000 });
  const restoredRoot = rootOf();
  expect(restoredRoot).not.toBe(originalRoot);
  await run.getByRole('button', { name: 'Abort and undo…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Abort the restore and undo it?' });
  const undo = dialog.getByTestId('abort-undo-list').getByRole('listitem');
  const texts = await undo.allTextContents();
  // Newest first: the reconnect's undo before the start's, the start's before the attach's, … the stop's last of the disk steps.
  const at = (title: string) => texts.findIndex((t) => t.includes(title));
  expect(at('Reconnect to the spare')).toBeGreaterThanOrEqual(0);
  expect(at('Reconnect to the spare')).toBeLessThan(at('Start the spare on the restored disk'));
  expect(at('Start the spare on the restored disk')).toBeLessThan(at('Attach the restored volume as root'));
  expect(at('Attach the restored volume as root')).toBeLessThan(at("Detach the spare's root"));
  expect(at("Detach the spare's root")).toBeLessThan(at('Stop the spare'));
  await expect(dialog).toContainText('a restored volume is kept for inspection, never deleted');
  await dialog.getByRole('button', { name: 'Abort and undo' }).click();

  await expect(run.getByTestId('restore-phase')).toHaveText('Aborted', { timeout: 120_000 });
  await expect(page.getByTestId('restore-summary')).toContainText('The spare has its own root disk again');
  await expect(step(page, 'Attach the restored volume as root')).toContainText('Undone');
  expect(rootOf()).toBe(originalRoot);
  // The restored volume is kept, never deleted.
  expect(world.sim.world.state.volumes.some((v) => v.id === restoredRoot)).toBe(true);
  expect(world.sim.calls('DeleteVolume')).toHaveLength(0);
  // Nothing left to finish: the app no longer lands here, and a new restore can be chosen.
  await run.getByRole('button', { name: 'Start another restore or drill' }).click();
  await expect(page.getByRole('region', { name: '1. Backup and spare' })).toBeVisible();
});

test('a drill: nothing re-pointed, and run only when its plan blocks the spare\'s outbound traffic', async ({ page, drydock, world }) => {
  test.setTimeout(120_000);
  await page.goto(drydock.url);
  await prepareInstallation(page, drydock.url, world);
  const plan = await rpc<{ steps: { name: string; title: string; skipped: boolean }[] }>(page, drydock.url, 'restore:plan', { spare: NAMES.spare, mode: 'drill' });
  const blocks = plan.steps.some((s) => !s.skipped && s.name === 'drill-block-load');

  await page.getByRole('link', { name: 'Restore' }).click();
  const choose = page.getByRole('region', { name: '1. Backup and spare' });
  await choose.getByLabel(/Disaster-recovery drill/).check();
  await choose.getByRole('button', { name: 'Preview the restore' }).click();
  const preview = page.getByRole('region', { name: '2. Preview: what will happen' });
  await expect(preview.getByTestId('drill-explained')).toContainText('Nothing is re-pointed');
  await expect(preview).toContainText('A drill re-points nothing: the Nomad clients keep talking to the primary.');
  await expect(preview.getByRole('table', { name: 'Nomad clients to re-point' })).toHaveCount(0);
  await expect(preview.getByRole('list', { name: 'Planned steps' }).getByRole('listitem').filter({ hasText: 'Re-point the Nomad clients' })).toContainText('not run: drill re-points nothing');
  // The drill's plan loads the outbound block before the app starts and puts the spare back: the wizard runs it.
  expect(blocks).toBe(true);
  await expect(preview.getByTestId('drill-explained')).toContainText('outbound traffic is blocked');
  await expect(preview.getByTestId('restore-blocking')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Run the drill…' })).toBeEnabled();
  // Before the restored disk boots the spare is cut off at EC2 (a group of its own): said, and no admin's word asked.
  await expect(preview.getByTestId('spare-isolation')).toContainText('no egress');
  await expect(preview.getByTestId('spare-isolated')).toHaveCount(0);
  await screenshotBothSchemes(page, 'restore-drill-preview');

  // A spare EC2 cannot cut off this way (in no VPC): blocked, and only then the admin is asked for their word.
  delete world.sim.world.state.instances.find((i) => world.sim.world.nameOf(i.tags) === 'spare')!.vpcId;
  await preview.getByRole('button', { name: 'Back' }).click();
  await choose.getByRole('button', { name: 'Preview the restore' }).click();
  await expect(preview.getByTestId('restore-blocking')).toContainText('cannot cut this spare off');
  await expect(preview.getByRole('button', { name: 'Run the drill…' })).toBeDisabled();
  await preview.getByTestId('spare-isolated').click();
  await expect(preview.getByTestId('spare-isolated')).toBeChecked();
  await expect(preview.getByTestId('restore-blocking')).toHaveCount(0);
  await expect(preview.getByTestId('spare-isolation')).toContainText('you confirmed you cut its outbound network');
  await expect(preview.getByRole('button', { name: 'Run the drill…' })).toBeEnabled();
  const acked = await rpc<{ isolation: { acknowledged: boolean }; blocking: unknown[] }>(page, drydock.url, 'restore:plan', { spare: NAMES.spare, mode: 'drill', spareIsolated: true });
  expect(acked).toMatchObject({ isolation: { acknowledged: true }, blocking: [] });
});
