/** Every operation by name, so a runbook on disk can be resumed by any front end. */
import type { AnyOperation } from './operation';
import { hostFacts } from './health/host-facts';
import { customize } from './proxy/customize-operation';
import { proxyApply } from './proxy/apply-operation';
import { proxyRollback } from './proxy/rollback-operation';
import { proxyRestart } from './proxy/restart-operation';
import { CERT_OPERATIONS } from './certs/operations';
import { backupRun } from './backup/run-operation';
import { backupPrune } from './backup/prune-operation';
import { settingsApply } from './console/settings-operation';
import { restoreOperation } from './restore/operation';

export const OPERATIONS: AnyOperation[] = [hostFacts, proxyApply, proxyRollback, proxyRestart, customize, ...CERT_OPERATIONS, backupRun, backupPrune, settingsApply, restoreOperation];
