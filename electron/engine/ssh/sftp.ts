/**
 * File transfer over the connection's SFTP channel, with progress, for the
 * offline bundle (gigabytes) as much as for a 200-byte config file.
 */
import type { Client, SFTPWrapper } from 'ssh2';
import { DrydockError } from '../../../shared/errors';

export type Progress = (transferred: number, total: number) => void;

export function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) =>
    client.sftp((err, sftp) => (err ? reject(new DrydockError('CONNECT_FAILED', `SFTP is not available: ${err.message}`)) : resolve(sftp))),
  );
}

function sftpError(err: Error & { code?: number | string }, what: string): DrydockError {
  // SFTP status 2 = no such file, 3 = permission denied.
  if (err.code === 2) return new DrydockError('NOT_FOUND', `${what}: no such file`);
  if (err.code === 3) return new DrydockError('COMMAND_FAILED', `${what}: permission denied`);
  return new DrydockError('COMMAND_FAILED', `${what}: ${err.message}`);
}

export function putFile(sftp: SFTPWrapper, local: string, remote: string, onProgress?: Progress): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.fastPut(local, remote, { step: (transferred, _chunk, total) => onProgress?.(transferred, total) }, (err) =>
      err ? reject(sftpError(err, `upload to ${remote}`)) : resolve(),
    ),
  );
}

export function getFile(sftp: SFTPWrapper, remote: string, local: string, onProgress?: Progress): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.fastGet(remote, local, { step: (transferred, _chunk, total) => onProgress?.(transferred, total) }, (err) =>
      err ? reject(sftpError(err, `download of ${remote}`)) : resolve(),
    ),
  );
}

/** The file's bytes, or null when it does not exist. */
export function readRemote(sftp: SFTPWrapper, remote: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) =>
    sftp.readFile(remote, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
      if (err?.code === 2) return resolve(null);
      if (err) return reject(sftpError(err, `read ${remote}`));
      resolve(data);
    }),
  );
}

export function writeRemote(sftp: SFTPWrapper, remote: string, data: Buffer | string, mode = 0o600): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.writeFile(remote, data, { mode }, (err) => (err ? reject(sftpError(err, `write ${remote}`)) : resolve())),
  );
}
