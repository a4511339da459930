/**
 * Transfer progress of the bundle push the step follows: the engine's
 * `transfer` events for one run, one row per host and file (latest wins).
 */
import { useEffect, useRef, useState } from 'react';
import type { TransferEvent } from '../../../shared/events';
import { onEvent } from '../../api';

export type TransferRow = Omit<TransferEvent, 'type'>;

/** Rows of the run `runId` (none until it is known), in the order they first reported. */
export function useTransfers(runId: string | undefined): TransferRow[] {
  const [rows, setRows] = useState<TransferRow[]>([]);
  const current = useRef(runId);
  useEffect(() => {
    if (current.current !== runId) setRows([]);
    current.current = runId;
  }, [runId]);
  useEffect(
    () =>
      onEvent((event) => {
        if (event.type !== 'transfer' || !current.current || event.runId !== current.current) return;
        const { type: _type, ...row } = event;
        setRows((all) => {
          const i = all.findIndex((r) => r.host === row.host && r.file === row.file);
          return i === -1 ? [...all, row] : all.map((r, j) => (j === i ? row : r));
        });
      }),
    [],
  );
  return rows;
}
