/**
 * The Proxy form's values and their checks. The checks are the engine's own
 * (shared/proxy/input.ts), so the form shows, as the admin types, exactly
 * the sentence the engine or the CLI would refuse the value with.
 */
import { proxyIssues, type ProxyRequest } from '../../../shared/proxy/input';
import { splitNoProxy } from '../../../shared/proxy/no-proxy';

export interface ProxyFormValues {
  proxy: string;
  httpsProxy: string;
  proxyUser: string;
  proxyPassword: string;
  /** Commas, spaces or one per line. */
  noProxy: string;
  aws: boolean;
  /** Fetched through the proxy from every host after apply. */
  verifyUrl: string;
}

export type ProxyFormField = keyof ProxyFormValues;
export type ProxyFormErrors = Partial<Record<ProxyFormField, string>>;

export const EMPTY_PROXY_FORM: ProxyFormValues = { proxy: '', httpsProxy: '', proxyUser: '', proxyPassword: '', noProxy: '', aws: false, verifyUrl: '' };

/** Form text → the request the engine takes; blanks are "not given". */
export function toProxyRequest(v: ProxyFormValues): ProxyRequest {
  return {
    proxy: v.proxy.trim(),
    ...(v.httpsProxy.trim() ? { httpsProxy: v.httpsProxy.trim() } : {}),
    ...(v.proxyUser ? { proxyUser: v.proxyUser } : {}),
    ...(v.proxyPassword ? { proxyPassword: v.proxyPassword } : {}),
    noProxy: splitNoProxy(v.noProxy),
    aws: v.aws,
  };
}

const VERIFY_URL = /^https?:\/\/[A-Za-z0-9._~%:@/?&=+,;[\]!*()-]+$/;

/** Each field's first problem. */
export function validateProxyForm(v: ProxyFormValues): ProxyFormErrors {
  const errors: ProxyFormErrors = {};
  for (const issue of proxyIssues(toProxyRequest(v))) {
    const field = issue.path[0] as ProxyFormField;
    errors[field] ??= issue.message;
  }
  if (v.verifyUrl.trim() && !VERIFY_URL.test(v.verifyUrl.trim())) errors.verifyUrl = 'Check URL: an http:// or https:// URL without spaces or quotes';
  return errors;
}

/** The engine's INVALID_INPUT details (paths like `settings.proxy` or `noProxy.2`) as field errors. */
export function proxyErrorsFromDetails(details: Record<string, unknown> | undefined): ProxyFormErrors {
  const errors: ProxyFormErrors = {};
  const fields = Array.isArray(details?.fields) ? (details.fields as { path?: unknown; message?: unknown }[]) : [];
  for (const f of fields) {
    const path = Array.isArray(f.path) ? f.path.map(String).filter((p) => p !== 'settings') : [];
    const field = path[0] as ProxyFormField | undefined;
    if (field && field in EMPTY_PROXY_FORM && typeof f.message === 'string') errors[field] ??= f.message;
  }
  return errors;
}
