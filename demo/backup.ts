/**
 * The practice installation's AWS: the EC2 API simulator (compiled,
 * dist/ec2-sim/main.js, its own process) with the Services machine and the
 * spare as instances whose private addresses are the demo hosts', a backup
 * profile named `demo` in the demo's DRYDOCK_HOME, and the simulator's keys in
 * a `~/.aws`-style credentials and config pair under the demo folder, never
 * the user's own ~/.aws. The app gets AWS_SHARED_CREDENTIALS_FILE and
 * AWS_CONFIG_FILE; the banner prints them as export lines for the CLI. The
 * profile names its AWS profile (`--aws-profile drydock-demo`), so the
 * backup's explicit credential chain reads exactly that file and nothing else.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Inventory } from '../electron/engine/inventory/inventory';
import { BackupProfiles } from '../electron/engine/operations/backup/profiles';
import { DEMO_HOSTS, EC2_ADDRESS, EC2_PORT, EC2_SPEED } from './installation';
import type { PracticeService } from './services';
import { startSpareBoots } from './spare';

const ROOT = path.resolve(__dirname, '..', '..');
export const EC2_SIM = path.join(ROOT, 'dist', 'ec2-sim', 'main.js');
export const AWS_PROFILE_NAME = 'drydock-demo';
export const BACKUP_PROFILE = 'demo';

interface Ready {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  instances: { id: string; name: string; privateIp: string }[];
}

const address = (name: string) => DEMO_HOSTS.find((h) => h.name === name)!.address;

/** Starts the simulator and waits for its one JSON line; it dies with the demo (pdeathsig) if the demo is killed outright. */
async function startSimulator(stateFile: string, bootHook: string): Promise<{ ready: Ready; stop(): Promise<void> }> {
  if (!fs.existsSync(EC2_SIM)) throw new Error(`the EC2 simulator is not built (${EC2_SIM}): run \`npm run build\``);
  if (!fs.existsSync(stateFile)) {
    // Seeds a new world; the simulator saves its full state back here on every change (--keep continues it).
    const seed = { instances: [{ name: 'services', privateIp: address('services') }, { name: 'spare', privateIp: address('spare') }] };
    fs.writeFileSync(stateFile, JSON.stringify(seed) + '\n', { mode: 0o600 });
  }
  const args = ['--pdeathsig', 'TERM', '--', process.execPath, EC2_SIM, '--host', EC2_ADDRESS, '--port', String(EC2_PORT), '--state', stateFile, '--speed', String(EC2_SPEED), '--boot-hook', bootHook];
  const child = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the EC2 simulator printed nothing within 20 s: ${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Ready);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the EC2 simulator exited before it was ready (${EC2_ADDRESS}:${EC2_PORT}): ${err.trim()}`));
    });
  });
  return {
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** A credentials + config pair in ~/.aws's format, the user's alone (0600). */
function writeAwsFiles(dir: string, ready: Ready, uid: number, gid: number): { credentials: string; config: string } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credentials = path.join(dir, 'credentials');
  const config = path.join(dir, 'config');
  fs.writeFileSync(credentials, `# The practice installation's EC2 simulator (sudo npm run demo): not AWS.\n[${AWS_PROFILE_NAME}]\naws_access_key_id = ${ready.accessKeyId}\naws_secret_access_key = ${ready.secretAccessKey}\n`, { mode: 0o600 });
  // endpoint_url: the AWS CLI (`aws --profile drydock-demo ec2 describe-snapshots`) reaches the simulator too.
  fs.writeFileSync(config, `[profile ${AWS_PROFILE_NAME}]\nregion = us-east-1\nendpoint_url = ${ready.endpoint}\n`, { mode: 0o600 });
  for (const p of [dir, credentials, config]) fs.chownSync(p, uid, gid);
  return { credentials, config };
}

export const ec2Service: PracticeService = {
  name: 'ec2',
  async start(ctx) {
    const dir = path.join(ctx.dataDir, 'ec2');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The spare's boots on a restored disk (the Restore wizard) reach the demo, which re-images its lab host.
    const boots = await startSpareBoots(ctx.lab, dir);
    const sim = await startSimulator(path.join(dir, 'state.json'), boots.socket).catch(async (err: unknown) => {
      await boots.stop();
      throw err;
    });
    try {
      const { ready } = sim;
      const spare = ready.instances.find((i) => i.name === 'spare');
      const files = writeAwsFiles(path.join(ctx.shareDir, 'aws'), ready, ctx.user.uid, ctx.user.gid);
      const profiles = new BackupProfiles(ctx.home);
      // A kept installation keeps the profile the admin may have changed; a fresh one gets it.
      if (!profiles.list().some((p) => p.name === BACKUP_PROFILE)) {
        profiles.set(
          { name: BACKUP_PROFILE, provider: 'aws', instance: 'services', region: 'us-east-1', endpoint: ready.endpoint, awsProfile: AWS_PROFILE_NAME, imds: false, ...(spare ? { spareInstance: spare.id } : {}) },
          new Inventory(ctx.home),
        );
        fs.chownSync(profiles.file, ctx.user.uid, ctx.user.gid);
      }
      const instances = ready.instances.map((i) => `${i.name} ${i.id} (${i.privateIp})`).join(', ');
      return {
        lines: [
          `EC2 API        ${ready.endpoint}  (simulator, ${EC2_SPEED}× EC2's pace); instances ${instances}`,
          `               backup profile "${BACKUP_PROFILE}"; AWS keys in ${files.credentials} (profile ${AWS_PROFILE_NAME}), not your ~/.aws`,
        ],
        env: { AWS_SHARED_CREDENTIALS_FILE: files.credentials, AWS_CONFIG_FILE: files.config },
        stop: async () => {
          await sim.stop();
          await boots.stop();
        },
      };
    } catch (err) {
      await sim.stop();
      await boots.stop();
      throw err;
    }
  },
};
