/**
 * The certificate operations, for the registry (so their runbooks can be
 * resumed by name). Not certbot: its prompt lives in one SSH session of the
 * process that started it, so an interrupted certbot run is started again.
 */
import type { AnyOperation } from '../operation';
import { installCertificate } from './install';
import { trustInternalCa } from './trust-ca';
import { trustGhe } from './trust-ghe';

export const CERT_OPERATIONS: AnyOperation[] = [trustGhe, trustInternalCa, installCertificate];
