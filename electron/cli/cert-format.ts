/** How certificates read in a terminal: the facts an admin confirms, one per line. */
import { KEY_TYPES, type Bundle, type CertificateInfo, type KeyType } from '../../shared/channels/certs';
import { CliExit, EXIT, usage, type CliContext } from './context';

export function certLines(cert: CertificateInfo, index?: number): string[] {
  const head = index === undefined ? '' : `[${index + 1}] `;
  return [
    `${head}subject  ${cert.subject}`,
    `    issuer   ${cert.issuer}${cert.selfSigned ? ' (self-signed)' : ''}`,
    `    valid    ${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)} (${cert.daysLeft} days left)`,
    ...(cert.sans.length ? [`    names    ${cert.sans.join(', ')}`] : []),
    `    key      ${cert.keyType}${cert.isCA ? ', CA' : ''}`,
    `    sha256   ${cert.sha256}`,
  ];
}

export function renewalReminder(bundle: Bundle): string {
  const leaf = bundle.chain[0];
  const manual = bundle.source === 'certbot' ? 'Manual certificates do not renew themselves: ' : '';
  return `${manual}${bundle.hostname} expires ${leaf.notAfter.slice(0, 10)} (${leaf.daysLeft} days); renew before ${bundle.renewBy.slice(0, 10)}.`;
}

/**
 * The CLI's rule for anything that changes a host: --yes, or a "yes" typed
 * on a terminal; with neither, exit 3 before anything is done.
 */
export async function confirmHostChange(ctx: CliContext, yes: boolean | undefined, question: string, rerun: string): Promise<void> {
  if (yes) return;
  if (!ctx.isTTY) throw new CliExit(EXIT.needsConfirmation, `Needs confirmation: nothing was changed. Re-run with --yes (${rerun}).`);
  const answer = (await ctx.ask(`${question} Type yes to continue: `)).trim().toLowerCase();
  if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not confirmed: nothing was changed.');
}

/** A secret from the environment, else typed without echo on a terminal. */
export async function secret(ctx: CliContext, envName: string, prompt: string): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  if (!ctx.isTTY) throw new CliExit(EXIT.usage, `${prompt}: set ${envName} (no terminal to ask on)`);
  return askHidden(`${prompt}: `);
}

function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let value = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliExit(EXIT.failed, 'Interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function keyType(value: string | undefined): KeyType | undefined {
  if (value === undefined) return undefined;
  if (!(KEY_TYPES as readonly string[]).includes(value)) usage(`--key: one of ${KEY_TYPES.join(', ')}`);
  return value as KeyType;
}

export function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) usage(`${name}: a whole number`);
  return Number(value);
}

