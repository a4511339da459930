/**
 * Install a certificate into Replicated, in the order CircleCI's renewal
 * script uses: stop the app (wait for "stopped"), set the admin console's
 * certificate (key first), set the app's ssl_cert and ssl_private_key,
 * restart replicated-ui, start the app (wait for "started"). Key, chain and
 * hostname are checked before anything is written, and the key only ever
 * sits on the host in a root-only folder removed right after use.
 */
import { z } from 'zod';
import { DrydockError } from '../../../../shared/errors';
import { cnMismatchMessage, sameHostname } from '../../../../shared/certs/hostname';
import { HostName } from '../../../../shared/hosts';
import { writeRemoteFileAtomic } from '../../files/remote-file';
import { sh } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';
import { defineOperation, type StepContext } from '../operation';
import { bundleFiles, saveBundle } from './bundle-store';
import { checkBundle, describe, parseChain, readPrivateKey } from './pem';
import { waitForState } from './replicated-app';
import { configuredHostname, exportAppConfig, type AppConfig } from './services-host';

export const InstallInput = z
  .object({
    services: HostName,
    bundle: z.string(),
    /** The hostname to install for when CircleCI has none configured yet. */
    hostname: z.string().optional(),
  })
  .strict();
type Input = z.output<typeof InstallInput>;

interface InstallState {
  hostname?: string;
  sha256?: string;
  /** Bundle id of the certificate this install replaced. */
  replaced?: string;
}

type Ctx = StepContext<Input, InstallState>;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Everything that can refuse, before the first write: key, chain, expiry, CN against the configured hostname. */
export async function preflight(ctx: Ctx): Promise<{ hostname: string; sha256: string; replaced?: string }> {
  const { certPem, keyPem } = bundleFiles(ctx.services.home, ctx.input.bundle);
  const chain = parseChain(certPem);
  checkBundle(chain, readPrivateKey(keyPem));
  const leaf = describe(chain[0]);
  const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
  const config = await exportAppConfig(session, ctx.signal);
  const configured = configuredHostname(config);
  const hostname = configured ?? ctx.input.hostname;
  if (!hostname) throw new DrydockError('INVALID_INPUT', `${ctx.input.services} has no hostname configured: give the hostname to install for (--hostname).`);
  if (ctx.input.hostname && configured && !sameHostname(configured, ctx.input.hostname)) {
    throw new DrydockError('INVALID_INPUT', `You asked for ${ctx.input.hostname}, but CircleCI on ${ctx.input.services} is configured for ${configured}. Nothing was written.`);
  }
  if (!leaf.commonName || !sameHostname(leaf.commonName, hostname)) {
    throw new DrydockError('INVALID_INPUT', cnMismatchMessage(leaf.commonName ?? '(none)', hostname, configured ? `configured on ${ctx.input.services}` : 'given') + ' Nothing was written.');
  }
  return { hostname, sha256: leaf.sha256, replaced: keepReplaced(ctx, config, leaf.sha256, hostname) };
}

/**
 * Keep what Replicated holds now as a local bundle (key 0600 under
 * DRYDOCK_HOME), so `cert install --bundle ID` can put it back. Nothing is
 * kept when there is no usable pair, or it is the certificate being installed.
 */
function keepReplaced(ctx: Ctx, config: AppConfig, newSha256: string, hostname: string): string | undefined {
  const cert = config.ssl_cert?.data;
  const key = config.ssl_private_key?.data;
  if (!cert || !key) return undefined;
  try {
    const certPem = Buffer.from(cert, 'base64').toString('utf8');
    if (describe(parseChain(certPem)[0]).sha256 === newSha256) return undefined;
    return saveBundle(ctx.services.home, { hostname, source: 'replaced' }, certPem, Buffer.from(key, 'base64').toString('utf8')).id;
  } catch {
    return undefined; // not a usable pair (e.g. Replicated's own placeholder): nothing to go back to
  }
}

/** True when Replicated already holds exactly this certificate and key (a resumed run). */
async function alreadyInstalled(session: HostSession, certPem: string, keyPem: string, signal?: AbortSignal): Promise<boolean> {
  const config = await exportAppConfig(session, signal);
  return config.ssl_cert?.data === b64(certPem) && config.ssl_private_key?.data === b64(keyPem);
}

/**
 * ssl_cert and ssl_private_key go in through `replicatedctl app-config import`
 * reading a root-only 0600 file on stdin, never as `--data <base64>` in
 * replicatedctl's argv, where every local user of the Services machine could
 * read the key in /proc while the command runs. Replicated does not document
 * whether import merges or replaces the settings, so the file holds the whole
 * current config (`export --hidden`) with only those two items changed: either
 * way nothing else changes, and that is checked afterwards.
 */
async function importTlsSettings(session: HostSession, dir: string, certPem: string, keyPem: string, signal?: AbortSignal): Promise<void> {
  const before = await exportAppConfig(session, signal);
  const wanted: AppConfig = {
    ...before,
    ssl_cert: { ...before.ssl_cert, value: 'fullchain.pem', data: b64(certPem) },
    ssl_private_key: { ...before.ssl_private_key, value: 'privkey.pem', data: b64(keyPem) },
  };
  await writeRemoteFileAtomic(session, `${dir}/app-config.json`, JSON.stringify(wanted), 0o600);
  await session.check(sh`replicatedctl app-config import < ${dir}/app-config.json`, { asRoot: true, signal, secrets: [b64(keyPem), keyPem] });
  const after = await exportAppConfig(session, signal);
  const same = (a: AppConfig[string], b: AppConfig[string]) => a?.value === b?.value && a?.data === b?.data;
  const differs = Object.keys({ ...wanted, ...after }).filter((item) => !same(after[item], wanted[item]));
  if (differs.length) {
    // Names only: the values are secrets.
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: after replicatedctl app-config import, these settings are not as imported: ${differs.join(', ')}. Check them in the admin console (Settings) before starting the app.`);
  }
}

async function installFiles(ctx: Ctx, session: HostSession): Promise<void> {
  const { certPem, keyPem } = bundleFiles(ctx.services.home, ctx.input.bundle);
  // mktemp: an unguessable, root-owned 0700 folder; the key never lands anywhere world-readable.
  const dir = (await session.check("umask 077 && mktemp -d /tmp/drydock-tls.XXXXXXXX", { asRoot: true, signal: ctx.signal })).trim();
  if (!/^\/tmp\/drydock-tls\.[A-Za-z0-9]+$/.test(dir)) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: mktemp gave ${dir}`);
  try {
    await writeRemoteFileAtomic(session, `${dir}/key.pem`, keyPem, 0o600);
    await writeRemoteFileAtomic(session, `${dir}/cert.pem`, certPem, 0o600);
    ctx.note('setting the admin console certificate');
    await session.check(sh`replicated console cert set ${ctx.state.hostname!} ${dir}/key.pem ${dir}/cert.pem`, { asRoot: true, signal: ctx.signal });
    ctx.note('setting ssl_cert and ssl_private_key');
    await importTlsSettings(session, dir, certPem, keyPem, ctx.signal);
  } finally {
    await session.sudo(sh`rm -rf ${dir}`).catch(() => undefined);
  }
}

export const installCertificate = defineOperation({
  name: 'install-certificate',
  title: 'Install the certificate into Replicated',
  input: InstallInput,
  initialState: (): InstallState => ({}),
  steps: [
    {
      name: 'preflight',
      title: 'Check that key and certificate match, the chain is complete and the CN is the configured hostname',
      apply: async (ctx) => {
        const { hostname, sha256, replaced } = await preflight(ctx);
        ctx.state.hostname = hostname;
        ctx.state.sha256 = sha256;
        ctx.state.replaced = replaced;
        ctx.note(`${hostname}, ${sha256.slice(0, 23)}…${replaced ? `; the certificate it replaces is kept as ${replaced} (install that to go back)` : ''}`);
      },
    },
    {
      name: 'stop',
      title: 'Stop the app',
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        await session.check('replicatedctl app stop', { asRoot: true, signal: ctx.signal });
        await waitForState(session, 'stopped', { signal: ctx.signal, onPoll: (s) => ctx.note(`app is ${s.State}`) });
      },
    },
    {
      name: 'install',
      title: 'Set the console certificate, ssl_cert and ssl_private_key',
      check: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const { certPem, keyPem } = bundleFiles(ctx.services.home, ctx.input.bundle);
        return alreadyInstalled(session, certPem, keyPem, ctx.signal);
      },
      apply: async (ctx) => installFiles(ctx, await ctx.services.pool.session(ctx.input.services, ctx.signal)),
      verify: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const { certPem, keyPem } = bundleFiles(ctx.services.home, ctx.input.bundle);
        if (!(await alreadyInstalled(session, certPem, keyPem, ctx.signal))) {
          throw new DrydockError('COMMAND_FAILED', `${ctx.input.services}: Replicated's ssl_cert / ssl_private_key do not hold the certificate just set`);
        }
      },
    },
    {
      name: 'restart-ui',
      title: 'Restart replicated-ui',
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        await session.check('service replicated-ui restart', { asRoot: true, signal: ctx.signal });
      },
    },
    {
      name: 'start',
      title: 'Start the app',
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        await session.check('replicatedctl app start', { asRoot: true, signal: ctx.signal });
        await waitForState(session, 'started', { signal: ctx.signal, onPoll: (s) => ctx.note(`app is ${s.State}`) });
      },
    },
  ],
  result: (state: InstallState, input: Input) => ({ hostname: state.hostname!, sha256: state.sha256!, bundle: input.bundle, ...(state.replaced ? { replaced: state.replaced } : {}) }),
});
