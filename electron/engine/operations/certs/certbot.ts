/**
 * certbot's DNS-01 challenge on the Services machine, as the guide says
 * (ports 80/443 are taken there, so HTTP validation is impossible). certbot
 * runs in an SSH PTY exactly as an admin would run it; Drydock reads each
 * TXT record from its prompt, parks the run until the admin has published
 * them (certbot-gate.ts), presses Enter, and collects fullchain.pem and
 * privkey.pem into a bundle on the laptop.
 */
import type { ClientChannel } from 'ssh2';
import { z } from 'zod';
import {
  certbotFailure,
  cleanTerminalText,
  IP_LOGGING_QUESTION,
  isLastDnsPrompt,
  parseTxtRecords,
  PRESS_ENTER,
  savedPaths,
  unexpectedQuestion,
  type TxtRecord,
} from '../../../../shared/certs/certbot-output';
import { DrydockError } from '../../../../shared/errors';
import { HostName } from '../../../../shared/hosts';
import { readRemoteFile, writeRemoteFileAtomic } from '../../files/remote-file';
import { command, quote } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';
import { defineOperation, type StepContext } from '../operation';
import { saveBundle } from './bundle-store';
import { CERTBOT_WAIT_MS, certbotGate } from './certbot-gate';

export const CertbotInput = z
  .object({
    services: HostName,
    domains: z.array(z.string()).min(1),
    server: z.string().optional(),
    caBundle: z.string().optional(),
    email: z.string().optional(),
  })
  .strict();
type Input = z.output<typeof CertbotInput>;

interface CertbotState {
  version?: string;
  caPath?: string;
  records: TxtRecord[];
  saved?: { fullchain: string; privkey: string };
  bundleId?: string;
}

type Ctx = StepContext<Input, CertbotState>;

/** Where the internal ACME CA's TLS chain goes on the Services machine (public data). */
export const ACME_CA_PATH = '/etc/drydock/acme-ca.pem';

export function certbotCommand(input: Input, caPath?: string): string {
  const args = ['certonly', '--manual', '--preferred-challenges', 'dns', ...input.domains.flatMap((d) => ['-d', d])];
  args.push('--agree-tos', '--no-eff-email', ...(input.email ? ['-m', input.email] : ['--register-unsafely-without-email']));
  // An existing lineage for these names is replaced, not asked about: the admin asked for a new certificate.
  args.push('--force-renewal', '--expand');
  if (input.server) args.push('--server', input.server);
  return (caPath ? `REQUESTS_CA_BUNDLE=${quote(caPath)} ` : '') + command('certbot', ...args);
}

/**
 * Runs certbot on a PTY and answers it: the old IP-logging question with Y,
 * intermediate DNS prompts with Enter (certbot validates only after the last
 * one), the last prompt only once the admin continues. Any other question
 * stops certbot with its own words rather than leaving it waiting forever.
 */
async function runCertbot(ctx: Ctx, session: HostSession): Promise<string> {
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort();
  ctx.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let channel: ClientChannel | undefined;
  let buffer = '';
  let consumed = 0;
  let parked = false;
  let failure: string | null = null;
  const host = session.host.name;

  const fail = (message: string) => {
    failure ??= message;
    inner.abort();
  };
  const react = () => {
    if (parked) return;
    const rest = cleanTerminalText(buffer.slice(consumed));
    if (IP_LOGGING_QUESTION.test(rest.trimEnd())) {
      consumed = buffer.length;
      channel?.write('Y\n');
      return;
    }
    const enter = PRESS_ENTER.exec(rest);
    if (!enter) {
      const question = unexpectedQuestion(rest);
      if (question) fail(`certbot asked something Drydock does not answer for you:\n${question}`);
      return;
    }
    consumed = buffer.length;
    const found = parseTxtRecords(rest);
    ctx.state.records.push(...found);
    const last = isLastDnsPrompt(rest) || ctx.state.records.length >= ctx.input.domains.length;
    if (!last) {
      channel?.write('\n');
      return;
    }
    parked = true;
    ctx.note(`waiting for ${ctx.state.records.length} DNS TXT record(s) to be published`);
    certbotGate.park(ctx.runId, ctx.input.services, [...ctx.state.records], inner.signal).then(
      () => {
        parked = false;
        ctx.note('records published: certbot is validating');
        channel?.write('\n');
      },
      (err: Error) => fail(err.message),
    );
  };

  // As root directly, else through sudo on the same PTY (the sudo password,
  // if any, is answered from the session's credentials).
  try {
    const result = await session.sudo(certbotCommand(ctx.input, ctx.state.caPath), {
      pty: true,
      signal: inner.signal,
      timeoutMs: CERTBOT_WAIT_MS + 10 * 60_000,
      onChannel: (ch) => (channel = ch),
      onStdout: (text) => {
        buffer += text;
        ctx.output(host, 'stdout', text);
        react();
      },
    });
    if (result.code !== 0) {
      throw new DrydockError('COMMAND_FAILED', `certbot on ${host} failed:\n${certbotFailure(result.stdout)}`, { host, exitCode: result.code });
    }
    return result.stdout;
  } catch (err) {
    if (failure) throw new DrydockError(/cancelled/i.test(failure) ? 'CANCELLED' : 'COMMAND_FAILED', failure, { host });
    throw err;
  } finally {
    ctx.signal?.removeEventListener('abort', onOuterAbort);
  }
}

export const certbotCertificate = defineOperation({
  name: 'certbot',
  title: 'Obtain a certificate with certbot (DNS challenge)',
  input: CertbotInput,
  initialState: (): CertbotState => ({ records: [] }),
  steps: [
    {
      name: 'prepare',
      title: 'Check certbot on the Services machine',
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const version = await session.run('certbot --version 2>&1', { signal: ctx.signal });
        if (version.code !== 0) throw new DrydockError('NOT_FOUND', `certbot is not installed on ${ctx.input.services} (apt-get install certbot, or the offline .deb files): ${version.stdout.trim()}`);
        ctx.state.version = version.stdout.trim();
        if (ctx.input.caBundle) {
          await writeRemoteFileAtomic(session, ACME_CA_PATH, ctx.input.caBundle, 0o644);
          ctx.state.caPath = ACME_CA_PATH;
        }
        ctx.note(ctx.state.version);
      },
    },
    {
      name: 'challenge',
      title: 'Run certbot and publish the DNS TXT records it asks for',
      check: async (ctx) => !!ctx.state.saved,
      apply: async (ctx) => {
        ctx.state.records = [];
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const output = await runCertbot(ctx, session);
        const primary = ctx.input.domains[0];
        ctx.state.saved = savedPaths(output) ?? { fullchain: `/etc/letsencrypt/live/${primary}/fullchain.pem`, privkey: `/etc/letsencrypt/live/${primary}/privkey.pem` };
      },
    },
    {
      name: 'collect',
      title: 'Collect fullchain.pem and privkey.pem',
      check: async (ctx) => !!ctx.state.bundleId,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const cert = await readRemoteFile(session, ctx.state.saved!.fullchain, { followLinks: true });
        const key = await readRemoteFile(session, ctx.state.saved!.privkey, { followLinks: true });
        if (!cert.content || !key.content) throw new DrydockError('NOT_FOUND', `${ctx.input.services}: certbot reported success but ${ctx.state.saved!.fullchain} or privkey.pem is missing`);
        const bundle = saveBundle(ctx.services.home, { hostname: ctx.input.domains[0], source: 'certbot' }, cert.content, key.content);
        ctx.state.bundleId = bundle.id;
        ctx.note(`expires ${bundle.chain[0].notAfter.slice(0, 10)}: manual certificates do not renew themselves; renew before ${bundle.renewBy.slice(0, 10)}`);
      },
    },
  ],
  result: (state: CertbotState) => ({ bundleId: state.bundleId!, records: state.records }),
});
