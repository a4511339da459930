/** How the proxy and customization plans and results read in a terminal. */
import type { ProxyApplyResult, ProxyPlan, RollbackPlan, VerifyResult } from '../../shared/channels/proxy';
import { ROLE_LABELS } from '../../shared/hosts';
import { table } from './format';

export function formatProxyPlan(plan: ProxyPlan): string[] {
  const lines = [`Proxy:        ${plan.httpProxy}`, `HTTPS proxy:  ${plan.httpsProxy}`, '', 'Bypassing the proxy (NO_PROXY):'];
  lines.push(table(plan.noProxy.map((e) => [`  ${e.value}`, e.why])));
  lines.push(`Java http.nonProxyHosts: ${plan.javaNonProxyHosts.join('|')}`, '');
  for (const h of plan.hosts) {
    lines.push(`${h.host} (${ROLE_LABELS[h.role]})`);
    if (h.error) lines.push(`  CANNOT APPLY: ${h.error}`);
    for (const f of h.files) {
      lines.push(`  ${f.action.padEnd(9)} ${f.path}`);
      if (f.diff) lines.push(...f.diff.trimEnd().split('\n').map((l) => `    ${l}`));
    }
    lines.push('');
  }
  for (const h of plan.leftOut) lines.push(`${h.host} (${ROLE_LABELS[h.role]}): ${h.reason}`);
  if (plan.leftOut.length) lines.push('');
  for (const n of plan.notes) lines.push(`note: ${n}`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  if (plan.pendingRestarts.length) lines.push(`Still running the old proxy settings: ${plan.pendingRestarts.join(', ')}; this apply offers those restarts again.`);
  lines.push(plan.changedFiles ? `${plan.changedFiles} file(s) would change.` : 'Nothing to change: every host already holds these settings.');
  const restarts = restartList(plan.restarts);
  if (restarts.length) lines.push(`Restarts: ${restarts.join('; ')}.`);
  return lines;
}

export function restartList(r: { replicated: boolean; docker: string[] }): string[] {
  return [
    ...(r.replicated ? ['Replicated on the Services machine (console and app unavailable for a few minutes)'] : []),
    ...(r.docker.length ? [`Docker on ${r.docker.join(', ')} (builds running there fail)`] : []),
  ];
}

export function formatVerification(url: string, results: VerifyResult[], pendingRestarts: string[] = []): string[] {
  const lines = [`Fetching ${url} from every host as its programs would:`, table([['HOST', 'RESULT', 'WHAT HAPPENED'], ...results.map((r) => [r.host, r.ok ? 'passed' : 'FAILED', r.message])])];
  if (pendingRestarts.length && results.some((r) => r.ok)) {
    lines.push(`Files verified; services still run the old settings: ${pendingRestarts.join(', ')}. Run drydock proxy restart to finish.`);
  }
  return lines;
}

export function formatApplyResult(result: ProxyApplyResult): string[] {
  const lines = [...(result.notice ? [result.notice] : []), `${result.summary}${result.resumed ? ' (resumed the interrupted apply)' : ''}`];
  for (const c of result.changed) lines.push(`  wrote ${c.host}:${c.path}`);
  if (result.pendingRestarts.length) lines.push(`Still to restart: ${result.pendingRestarts.join(', ')}. Run drydock proxy restart when it suits you.`);
  if (result.verifyUrl && result.verification.length) lines.push(...formatVerification(result.verifyUrl, result.verification, result.pendingRestarts));
  else if (!result.verifyUrl) lines.push('Not verified: give --verify-url (the inventory has no GitHub Enterprise host to default to).');
  return lines;
}

export function formatRollbackPlan(plan: RollbackPlan): string[] {
  const lines: string[] = [];
  for (const h of plan.hosts) {
    lines.push(`${h.host} (${ROLE_LABELS[h.role]}): ${h.set ? `backup ${h.set} of ${h.createdAt}` : 'no proxy backup, left as it is'}`);
    for (const f of h.files) lines.push(`  ${f.action.padEnd(8)} ${f.path}${f.changedSinceApply ? '   (changed since the apply: that change is lost)' : ''}`);
  }
  for (const h of plan.hosts) {
    for (const set of h.sets ?? []) {
      if (set.recorded) continue;
      lines.push(`${h.host}: backup set ${set.set} of ${set.createdAt} was NOT made from this laptop; its manifest says:`);
      for (const f of set.files) lines.push(`  ${f.path}  ${f.existed ? `before sha256 ${f.sha256Before}` : 'did not exist'}  after sha256 ${f.sha256After ?? '(removed)'}`);
    }
  }
  if (plan.choices && plan.choices.length > 1) {
    lines.push(`Rolling back to ${plan.to ? `the state before ${plan.to}` : 'the original state (before the first Drydock apply)'}. Backup sets, newest first (choose one with --to SET):`);
    for (const c of plan.choices) lines.push(`  ${c.set}  ${c.createdAt}  ${c.hosts.join(', ')}`);
  }
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  const restarts = restartList(plan.restarts);
  if (restarts.length) lines.push(`Restarts: ${restarts.join('; ')}.`);
  return lines;
}
