/** Every operation by name, so a runbook on disk can be resumed by any front end. */
import type { AnyOperation } from './operation';
import { hostFacts } from './health/host-facts';
import { CERT_OPERATIONS } from './certs/operations';

export const OPERATIONS: AnyOperation[] = [hostFacts, ...CERT_OPERATIONS];
