/**
 * Give the Nomad clients the internal CA: its ca.crt (never its key) goes to
 * /usr/local/share/ca-certificates/ on each client the admin confirmed,
 * through the same backed-up, reversible CA-file path as trusting GHE, then
 * update-ca-certificates, then proof that the system bundle now holds it.
 * Builds on the clients then trust a CircleCI certificate that CA issued.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CaName } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { HostName } from '../../../../shared/hosts';
import { planFile } from '../../files/change-set';
import { sh } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';
import { defineOperation } from '../operation';
import { CA_DIR, caSetName, installCaFiles } from './ca-files';
import { caDir } from './ca-store';
import { describe, parseCertificate } from './pem';

export const TRUST_CA_LABEL = 'trust-ca';
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export const caTrustFile = (name: string) => `${CA_DIR}/drydock-ca-${name.toLowerCase()}.crt`;

export const TrustCaInput = z
  .object({
    ca: CaName,
    /** The CA certificate's SHA-256 as the admin saw it: a different ca.crt is refused. */
    sha256: z.string(),
    /** Exactly the clients the admin confirmed. */
    hosts: z.array(HostName).min(1),
  })
  .strict();
type Input = z.output<typeof TrustCaInput>;

interface ClientResult {
  host: string;
  ok: boolean;
  changed?: boolean;
  error?: string;
}

interface TrustCaState {
  /** Backup-set name per client, saved before its first write, so a resume fills the same set. */
  sets: Record<string, string>;
  clients: ClientResult[];
}

/** ca.crt from the laptop, checked against the fingerprint the admin confirmed. */
export function confirmedCaPem(home: string, input: Pick<Input, 'ca' | 'sha256'>): string {
  let pem: string;
  try {
    pem = readFileSync(path.join(caDir(home, input.ca), 'ca.crt'), 'utf8');
  } catch {
    throw new DrydockError('NOT_FOUND', `No internal CA named ${input.ca} on this laptop (drydock cert ca list)`);
  }
  const sha256 = describe(parseCertificate(pem)).sha256;
  if (sha256 !== input.sha256.toUpperCase()) {
    throw new DrydockError('CONFLICT', `CA ${input.ca} is now ${sha256}, not the ${input.sha256} you confirmed. Nothing was installed: review it again.`);
  }
  return pem;
}

/** Is the CA in the bundle programs on the host read? */
async function trustedOn(session: HostSession, file: string, signal?: AbortSignal): Promise<boolean> {
  const result = await session.run(sh`openssl verify -CAfile ${SYSTEM_BUNDLE} ${file}`, { signal, timeoutMs: 30_000 });
  return result.code === 0 && /: OK\s*$/.test(result.stdout.trim());
}

export const trustInternalCa = defineOperation({
  name: 'trust-ca',
  title: 'Trust the internal CA on the Nomad clients',
  input: TrustCaInput,
  initialState: (): TrustCaState => ({ sets: {}, clients: [] }),
  steps: [
    {
      name: 'check',
      title: 'Check the CA certificate and the Nomad clients you confirmed',
      apply: async (ctx) => {
        confirmedCaPem(ctx.services.home, ctx.input);
        for (const name of ctx.input.hosts) {
          const host = ctx.services.inventory.get(name);
          if (host.role !== 'nomad') throw new DrydockError('CONFLICT', `${name} is no longer a Nomad client in the inventory (it is ${host.role}). Nothing was installed.`);
        }
        ctx.note(`${ctx.input.ca}, ${ctx.input.sha256.slice(0, 23)}…, for ${ctx.input.hosts.join(', ')}`);
      },
    },
    {
      name: 'install',
      title: `Install ca.crt under ${CA_DIR} on each client and run update-ca-certificates`,
      apply: async (ctx) => {
        // Read again at the write: a resume installs what the admin confirmed, or nothing.
        const pem = confirmedCaPem(ctx.services.home, ctx.input);
        const file = caTrustFile(ctx.input.ca);
        ctx.state.clients = [];
        // Every client is tried; one unreachable client must not leave the others untrusted.
        for (const name of ctx.input.hosts) {
          try {
            const session = await ctx.services.pool.session(name, ctx.signal);
            const plan = await planFile(session, file, () => pem, 0o644);
            if (!ctx.state.sets[name]) {
              ctx.state.sets[name] = caSetName(TRUST_CA_LABEL);
              ctx.checkpoint();
            }
            const changed = await installCaFiles(session, [plan], ctx.state.sets[name], ctx.signal, TRUST_CA_LABEL);
            const ok = await trustedOn(session, file, ctx.signal);
            ctx.state.clients.push(ok ? { host: name, ok, changed } : { host: name, ok, changed, error: `installed, but ${SYSTEM_BUNDLE} does not hold it after update-ca-certificates` });
            ctx.note(`${name}: ${ok ? (changed ? 'installed' : 'already trusted') : 'not in the system bundle'}`);
          } catch (err) {
            ctx.state.clients.push({ host: name, ok: false, error: (err as Error).message.split('\n')[0] });
          }
        }
        const failed = ctx.state.clients.filter((c) => !c.ok);
        if (failed.length) {
          throw new DrydockError(
            'COMMAND_FAILED',
            `Not trusted on ${failed.map((f) => `${f.host} (${f.error})`).join('; ')}. ${ctx.state.clients.length - failed.length} other client(s) were done; resume the run once they are reachable, or undo with drydock cert untrust-ca ${ctx.input.ca}.`,
          );
        }
      },
    },
  ],
  result: (state: TrustCaState, input: Input) => ({ file: caTrustFile(input.ca), clients: state.clients }),
});
