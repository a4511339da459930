/**
 * Hosts: the inventory every operation works on. Add a host, confirm its key,
 * give it session credentials, read its facts. A changed host key takes over
 * the page for that host: the warning shows, its facts do not.
 */
import { useEffect, useState } from 'react';
import type { HostView } from '../../../shared/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { NoticeLine } from '../../components/notice-line';
import { PageHeading } from '../../components/page-heading';
import { useFacts } from '../../store/facts-store';
import { useHosts } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { AddHostForm } from './add-host-form';
import { ConnectionPanel } from './connection-panel';
import { CredentialsDialog } from './credentials-dialog';
import { EditHostDialog } from './edit-host-dialog';
import { HostKeyDialog } from './host-key-dialog';
import { FactsPanel } from './facts-panel';
import { HostTable } from './host-table';
import { KeyChangedAlert } from './key-changed-alert';
import { TrustDialog } from './trust-dialog';

type PendingDialog =
  | { kind: 'credentials'; host: HostView }
  | { kind: 'edit'; host: HostView }
  | { kind: 'key'; host: HostView }
  | { kind: 'remove'; name: string }
  | { kind: 'forget-key'; name: string }
  | null;

export function HostsPage() {
  const { hosts, loaded, loadError, keyChanged, load, remove, forgetKey } = useHosts();
  const fetchFacts = useFacts((s) => s.fetch);
  const forgetFacts = useFacts((s) => s.forget);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<PendingDialog>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const showFacts = (name: string) => {
    setSelected(name);
    void fetchFacts(name);
  };

  const changedNames = Object.keys(keyChanged);
  const facts = selected && !(selected in keyChanged) && hosts.some((h) => h.name === selected) ? selected : null;

  return (
    <>
      <PageHeading title="Hosts">
        The machines Drydock works on: the Services machine, Nomad clients, the hot spare. Confirm each host&rsquo;s key once; Drydock refuses to
        talk to a host whose key later changes.
      </PageHeading>

      <NoticeLine />

      {changedNames.map((name) => (
        <KeyChangedAlert
          key={name}
          name={name}
          host={hosts.find((h) => h.name === name)}
          change={keyChanged[name]}
          onForgetKey={() => setDialog({ kind: 'forget-key', name })}
          onRemove={() => setDialog({ kind: 'remove', name })}
        />
      ))}

      <section aria-labelledby="inventory-heading" className="section">
        <h2 id="inventory-heading">Inventory</h2>
        {loadError && <ErrorMessage error={loadError} prefix="Could not list the hosts." />}
        {loaded && !loadError && hosts.length === 0 && <p className="empty">No hosts yet. Start with the Services machine: add it below.</p>}
        {!loaded && <p className="muted">Loading hosts…</p>}
        {hosts.length > 0 && (
          <HostTable
            onFacts={showFacts}
            onCredentials={(host) => setDialog({ kind: 'credentials', host })}
            onRemove={(name) => setDialog({ kind: 'remove', name })}
            onEdit={(host) => setDialog({ kind: 'edit', host })}
            onShowKey={(host) => setDialog({ kind: 'key', host })}
          />
        )}
      </section>

      <ConnectionPanel
        onCredentials={(name) => {
          const host = hosts.find((h) => h.name === name);
          if (host) setDialog({ kind: 'credentials', host });
        }}
      />

      {facts && (
        <FactsPanel
          name={facts}
          onCredentials={() => {
            const host = hosts.find((h) => h.name === facts);
            if (host) setDialog({ kind: 'credentials', host });
          }}
        />
      )}

      <section aria-labelledby="add-host-heading" className="section">
        <h2 id="add-host-heading">Add a host</h2>
        <AddHostForm labelledBy="add-host-heading" />
      </section>

      <TrustDialog />
      {dialog?.kind === 'credentials' && <CredentialsDialog host={hosts.find((h) => h.name === dialog.host.name) ?? dialog.host} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && (
        <EditHostDialog
          host={dialog.host}
          onClose={() => {
            forgetFacts(dialog.host.name);
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'key' && <HostKeyDialog host={dialog.host} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${dialog.name}?`}
          confirmLabel="Remove host"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await remove(dialog.name);
            forgetFacts(dialog.name);
            if (selected === dialog.name) setSelected(null);
            useNotice.getState().show('info', `Removed ${dialog.name} from the inventory.`);
          }}
        >
          <p>
            Drydock forgets how to reach <strong>{dialog.name}</strong>. Nothing on the host itself changes, and the audit log keeps what was done on
            it.
          </p>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'forget-key' && (
        <ConfirmDialog
          title={`Forget the trusted key of ${dialog.name}?`}
          confirmLabel="Forget the old key"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await forgetKey(dialog.name);
            forgetFacts(dialog.name);
            useNotice.getState().show('info', `Forgot the old key of ${dialog.name}. Use Trust… to confirm its new key.`);
          }}
        >
          <p>
            Do this only if you know why the key changed (the host was rebuilt, or its keys were regenerated) and you have read the new fingerprint
            on its console. Afterwards <strong>{dialog.name}</strong> is untrusted until you confirm its new key.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
