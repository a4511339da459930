/**
 * "Custom root CA for GitHub Enterprise" from the guide: take the chain GHE
 * presents to the Services machine, install it as trusted CA files (after
 * the admin confirmed each certificate by fingerprint), rebuild the trust
 * bundle, prove it with a verifying handshake, and give every Nomad client
 * the same files so builds trust GHE too.
 */
import { z } from 'zod';
import { HostAddress, HostName, Port } from '../../../../shared/hosts';
import { DrydockError } from '../../../../shared/errors';
import { defineOperation } from '../operation';
import { caSetName, installCaFiles, planCaFiles } from './ca-files';
import { describe, parseCertificate } from './pem';
import { presentedChain, verifyFromHost } from './tls-probe';

interface TrustState {
  pems?: string[];
  files?: string[];
  /** Backup-set name per host, so a resumed run re-enters the same set. */
  sets: Record<string, string>;
  verified?: boolean;
  detail?: string;
  nomad: { host: string; ok: boolean; error?: string }[];
}

export const TrustGheInput = z
  .object({
    services: HostName,
    gheHost: HostAddress,
    port: Port,
    fingerprints: z.array(z.string()).min(1),
    nomadClients: z.boolean(),
  })
  .strict();

/** The server's chain has a self-signed certificate, or only an intermediate/leaf can anchor it. */
function needsPartialChain(pems: string[]): boolean {
  return !pems.some((p) => describe(parseCertificate(p)).selfSigned);
}

export const trustGhe = defineOperation({
  name: 'trust-ghe',
  title: 'Trust the GitHub Enterprise certificate',
  input: TrustGheInput,
  initialState: (): TrustState => ({ sets: {}, nomad: [] }),
  steps: [
    {
      name: 'fetch',
      title: 'Fetch the certificate chain GHE presents to the Services machine',
      check: async (ctx) => !!ctx.state.pems,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const pems = await presentedChain(session, ctx.input.gheHost, ctx.input.port, ctx.signal);
        const presented = pems.map((p) => describe(parseCertificate(p)).sha256);
        const confirmed = new Set(ctx.input.fingerprints.map((f) => f.toUpperCase()));
        // What is installed must be exactly what the admin looked at: a chain that changed in between is refused.
        if (presented.length !== confirmed.size || presented.some((f) => !confirmed.has(f))) {
          throw new DrydockError(
            'CONFLICT',
            `${ctx.input.gheHost} now presents ${presented.join(', ')}, not the certificates you confirmed. Nothing was installed: fetch the chain again and check it.`,
          );
        }
        ctx.state.pems = pems;
        ctx.note(`${pems.length} certificate(s), as confirmed`);
      },
    },
    {
      name: 'install-services',
      title: 'Install them under /usr/local/share/ca-certificates and run update-ca-certificates',
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const plans = await planCaFiles(session, ctx.input.gheHost, ctx.state.pems!);
        if (!ctx.state.sets[ctx.input.services]) {
          // Saved before the first write, so a resume after a crash fills the
          // same set and keeps the true originals.
          ctx.state.sets[ctx.input.services] = caSetName();
          ctx.checkpoint();
        }
        const changed = await installCaFiles(session, plans, ctx.state.sets[ctx.input.services], ctx.signal);
        ctx.state.files = plans.filter((p) => p.after !== null).map((p) => p.path);
        ctx.note(changed ? `wrote ${ctx.state.files.length} file(s); backup set ${ctx.state.sets[ctx.input.services]}` : 'files already in place');
      },
      verify: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.services, ctx.signal);
        const check = await verifyFromHost(session, ctx.input.gheHost, ctx.input.port, { partialChain: needsPartialChain(ctx.state.pems!), signal: ctx.signal });
        ctx.state.verified = check.ok;
        ctx.state.detail = check.detail;
        if (!check.ok) throw new DrydockError('COMMAND_FAILED', `${ctx.input.services} still does not trust ${ctx.input.gheHost}: ${check.detail}`);
        ctx.note(`TLS to ${ctx.input.gheHost}:${ctx.input.port} verifies: ${check.detail}`);
      },
    },
    {
      name: 'install-nomad',
      title: 'Push the same CA files to every Nomad client',
      check: async (ctx) => !ctx.input.nomadClients || ctx.services.inventory.withRole('nomad').length === 0,
      apply: async (ctx) => {
        ctx.state.nomad = [];
        // Every client is tried; one unreachable client must not leave the others untrusted.
        for (const host of ctx.services.inventory.withRole('nomad')) {
          try {
            const session = await ctx.services.pool.session(host.name, ctx.signal);
            const plans = await planCaFiles(session, ctx.input.gheHost, ctx.state.pems!);
            if (!ctx.state.sets[host.name]) {
              ctx.state.sets[host.name] = caSetName();
              ctx.checkpoint();
            }
            await installCaFiles(session, plans, ctx.state.sets[host.name], ctx.signal);
            // Builds clone from GHE on the clients: prove the client itself now verifies it.
            const check = await verifyFromHost(session, ctx.input.gheHost, ctx.input.port, { partialChain: needsPartialChain(ctx.state.pems!), signal: ctx.signal });
            ctx.state.nomad.push(check.ok ? { host: host.name, ok: true } : { host: host.name, ok: false, error: `installed, but TLS to ${ctx.input.gheHost} does not verify: ${check.detail}` });
          } catch (err) {
            ctx.state.nomad.push({ host: host.name, ok: false, error: (err as Error).message.split('\n')[0] });
          }
        }
        const failed = ctx.state.nomad.filter((n) => !n.ok);
        if (failed.length) throw new DrydockError('COMMAND_FAILED', `Not installed on ${failed.map((f) => `${f.host} (${f.error})`).join('; ')}. Resume the run once they are reachable.`);
        ctx.note(`${ctx.state.nomad.length} Nomad client(s) updated`);
      },
    },
  ],
  result: (state: TrustState) => ({ files: state.files ?? [], verified: !!state.verified, nomadClients: state.nomad }),
});
