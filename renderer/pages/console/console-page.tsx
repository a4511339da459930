/** Console: the management console through the tunnel, and its settings set from here. */
import { PageHeading } from '../../components/page-heading';
import { SettingsPanel } from './settings-panel';
import { TunnelPanel } from './tunnel-panel';

export function ConsolePage() {
  return (
    <>
      <PageHeading title="Console">
        Replicated’s management console (port 8800) through an SSH tunnel, and the settings the guide sends you there for: metrics, artifacts, VM
        preallocation and usage statistics.
      </PageHeading>
      <TunnelPanel />
      <SettingsPanel />
    </>
  );
}
