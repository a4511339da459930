/**
 * The console's sections, in the order an admin meets them: inventory first,
 * then the guide's operations, then the record of what was done. Sections
 * not built yet carry one sentence of what they will do, shown as-is.
 */
import { isRecoveryOperation } from './wizards/restore/recovery-runs';

export const SECTION_IDS = ['hosts', 'install', 'certificates', 'proxy', 'console', 'backup', 'restore', 'health', 'audit'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface Section {
  id: SectionId;
  title: string;
  /** Set while the section is a placeholder: what it will do, in one sentence. */
  planned?: string;
}

export const SECTIONS: readonly Section[] = [
  { id: 'hosts', title: 'Hosts' },
  { id: 'install', title: 'Install' },
  { id: 'certificates', title: 'Certificates' },
  { id: 'proxy', title: 'Proxy' },
  { id: 'console', title: 'Console' },
  { id: 'backup', title: 'Backup' },
  { id: 'restore', title: 'Restore' },
  { id: 'health', title: 'Health' },
  { id: 'audit', title: 'Audit' },
];

export function isSectionId(value: string): value is SectionId {
  return (SECTION_IDS as readonly string[]).includes(value);
}

/** Where each operation's wizard lives, for "Show in Proxy" from the running-operation bar. */
const OPERATION_SECTIONS: Record<string, SectionId> = {
  'proxy-apply': 'proxy',
  'proxy-rollback': 'proxy',
  customize: 'proxy',
  certbot: 'certificates',
  'install-certificate': 'certificates',
  'trust-ghe': 'certificates',
  'host-facts': 'hosts',
  'install-preflight': 'install',
};

export function sectionOfOperation(operation: string): SectionId | undefined {
  return OPERATION_SECTIONS[operation] ?? (isRecoveryOperation(operation) ? 'restore' : undefined);
}
