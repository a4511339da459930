/**
 * The Add host form's values and how they become a host. Validation is the
 * engine's own HostSchema, so the form cannot accept what the engine would
 * refuse; the engine's INVALID_INPUT answer maps onto the same fields.
 */
import { HostSchema, inventoryChecks, type Host, type HostEdit, type HostRole } from '../../../shared/hosts';
import type { RequestOf } from '../../../shared/contract';

export interface HostFormValues {
  name: string;
  address: string;
  port: string;
  user: string;
  role: HostRole;
  keyPath: string;
  jump: string;
}

export type HostField = keyof HostFormValues;
export type FieldErrors = Partial<Record<HostField, string>>;

export const EMPTY_HOST_FORM: HostFormValues = { name: '', address: '', port: '22', user: '', role: 'services', keyPath: '', jump: '' };

const FIELDS = Object.keys(EMPTY_HOST_FORM) as HostField[];
/** What `hosts:add` accepts: the host and nothing more. */
const HostRequestSchema = HostSchema.strict();

/** Form text → the request `hosts:add` takes; blanks become "not given". */
export function toHostRequest(values: HostFormValues): RequestOf<'hosts:add'> {
  const port = values.port.trim();
  return {
    name: values.name.trim(),
    address: values.address.trim(),
    // An empty port means the default (22); anything not all digits is left
    // as NaN so the schema's port rule reports it.
    port: port === '' ? undefined : /^\d+$/.test(port) ? Number(port) : Number.NaN,
    user: values.user.trim(),
    role: values.role,
    keyPath: values.keyPath.trim() || undefined,
    jump: values.jump || undefined,
  };
}

/**
 * Every field's first problem, by the engine's rules and the inventory's
 * (a name already taken, a second Services machine). `editing` names the
 * host being edited: its own name and role are not a clash with itself.
 */
export function validateHost(values: HostFormValues, inventory: readonly Host[] = [], editing?: string): FieldErrors {
  const result = HostRequestSchema.safeParse(toHostRequest(values));
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if (!editing && inventory.some((h) => h.name === name)) errors.name = `A host named ${name} is already in the inventory`;
  const { roleError } = inventoryChecks(inventory, { name: editing ?? name, address: values.address.trim(), port: Number(values.port) || 22, role: values.role });
  if (roleError) errors.role = roleError;
  for (const issue of result.success ? [] : result.error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && isHostField(field) && !errors[field]) {
      errors[field] = field === 'port' && issue.code === 'invalid_type' ? 'Must be a number from 1 to 65535' : besideField(issue.message);
    }
  }
  return errors;
}

/** The engine's INVALID_INPUT details (`fields[].path/message`) as field errors. */
export function fieldErrorsFromDetails(details: Record<string, unknown> | undefined): FieldErrors {
  const errors: FieldErrors = {};
  const fields = Array.isArray(details?.fields) ? (details.fields as unknown[]) : [];
  for (const f of fields) {
    const { path, message } = (f ?? {}) as { path?: unknown; message?: unknown };
    const field = Array.isArray(path) ? String(path[0]) : undefined;
    if (field && isHostField(field) && typeof message === 'string' && !errors[field]) errors[field] = besideField(message);
  }
  return errors;
}

function isHostField(value: string): value is HostField {
  return (FIELDS as string[]).includes(value);
}

/**
 * The schema words its rules to follow a field name ("name: letters, digits…",
 * as the CLI prints them); beside the field's own label they read as a sentence.
 */
function besideField(message: string): string {
  return /^[^A-Z]/.test(message) ? `Must be ${message}` : message;
}

/** Warnings that do not stop a save: the same address:port under another name. */
export function hostWarnings(values: HostFormValues, inventory: readonly Host[], editing?: string): string[] {
  const address = values.address.trim();
  if (!address) return [];
  return inventoryChecks(inventory, { name: editing ?? values.name.trim(), address, port: Number(values.port.trim() || '22') || 22, role: values.role }).warnings;
}

/** A host as the form shows it, to edit. */
export function formFromHost(host: Host): HostFormValues {
  return { name: host.name, address: host.address, port: String(host.port), user: host.user, role: host.role, keyPath: host.keyPath ?? '', jump: host.jump ?? '' };
}

/** What changed between the host and the form, as `hosts:edit` takes it (blank optional fields clear them). */
export function toHostEdit(host: Host, values: HostFormValues): HostEdit {
  const next = toHostRequest(values);
  const changes: HostEdit = {};
  if (next.address !== host.address) changes.address = next.address;
  if ((next.port ?? 22) !== host.port) changes.port = next.port ?? 22;
  if (next.user !== host.user) changes.user = next.user;
  if (next.role !== host.role) changes.role = next.role;
  if ((next.keyPath ?? null) !== (host.keyPath ?? null)) changes.keyPath = next.keyPath ?? null;
  if ((next.jump ?? null) !== (host.jump ?? null)) changes.jump = next.jump ?? null;
  return changes;
}
