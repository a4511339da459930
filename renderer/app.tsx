/**
 * The console's frame: the sections in a sidebar, the open section in
 * <main>. Sidebar links are real links (Tab reaches each one; Up/Down,
 * Home/End move between them) and the open one is marked aria-current.
 */
import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { RunIndicator } from './components/run-indicator';
import { AuditPage } from './pages/audit/audit-page';
import { HealthPage } from './pages/health/health-page';
import { ConsolePage } from './pages/console/console-page';
import { HostsPage } from './pages/hosts/hosts-page';
import { NotBuiltPage } from './pages/not-built-page';
import { InstallWizard } from './wizards/install/install-wizard';
import { CertificatesWizard } from './wizards/certs/certs-wizard';
import { ProxyWizard } from './wizards/proxy/proxy-wizard';
import { BackupWizard } from './wizards/backup/backup-wizard';
import { RestoreWizard } from './wizards/restore/restore-wizard';
import { unfinishedRecoveryRun } from './wizards/restore/recovery-runs';
import { useRuns } from './store/runs-store';
import { SECTIONS, type Section } from './sections';
import { useApp } from './store/app-store';
import { useNavigation } from './store/navigation-store';

export function App() {
  const section = useNavigation((s) => s.section);
  const mainRef = useRef<HTMLElement>(null);
  const current = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0];
  useLandOnRecovery();

  const skipToMain = (event: MouseEvent) => {
    event.preventDefault();
    mainRef.current?.focus();
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <Sidebar />
      <main id="main" ref={mainRef} tabIndex={-1} className="content">
        <RunIndicator />
        <Page section={current} />
      </main>
    </div>
  );
}

/**
 * Opening the app while a recovery run is unfinished (running, or stopped
 * and resumable) lands on it: on the worst night of the year the admin
 * comes back to the restore, not to the host list. Once, at start-up.
 */
let landed = false;
function useLandOnRecovery() {
  const loaded = useRuns((s) => s.loaded);
  const runs = useRuns((s) => s.runs);
  const go = useNavigation((s) => s.go);
  useEffect(() => {
    if (!loaded || landed) return;
    landed = true;
    if (unfinishedRecoveryRun(runs) && useNavigation.getState().section !== 'restore') go('restore');
  }, [loaded, runs, go]);
}

function Page({ section }: { section: Section }) {
  if (section.id === 'hosts') return <HostsPage />;
  if (section.id === 'audit') return <AuditPage />;
  if (section.id === 'certificates') return <CertificatesWizard />;
  if (section.id === 'proxy') return <ProxyWizard />;
  if (section.id === 'backup') return <BackupWizard />;
  if (section.id === 'restore') return <RestoreWizard />;
  if (section.id === 'health') return <HealthPage />;
  if (section.id === 'console') return <ConsolePage />;
  if (section.id === 'install') return <InstallWizard />;
  return <NotBuiltPage section={section} />;
}

function Sidebar() {
  const section = useNavigation((s) => s.section);
  const go = useNavigation((s) => s.go);
  const listRef = useRef<HTMLUListElement>(null);

  const moveFocus = (event: KeyboardEvent<HTMLAnchorElement>) => {
    const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('a') ?? [])];
    const index = links.indexOf(event.currentTarget);
    const target =
      event.key === 'ArrowDown' ? links[(index + 1) % links.length]
      : event.key === 'ArrowUp' ? links[(index - 1 + links.length) % links.length]
      : event.key === 'Home' ? links[0]
      : event.key === 'End' ? links[links.length - 1]
      : undefined;
    if (target) {
      event.preventDefault();
      target.focus();
    }
  };

  return (
    <div className="shell__side">
      <nav className="sidebar" aria-label="Sections">
        <p className="sidebar__brand">
          Drydock <span className="sidebar__tagline">CircleCI Server 2.x</span>
        </p>
        <ul ref={listRef} className="sidebar__list">
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a
                href={`#${s.id}`}
                className="sidebar__link"
                aria-current={s.id === section ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  go(s.id);
                }}
                onKeyDown={moveFocus}
              >
                {s.title}
                {s.planned && <span className="sidebar__soon">not built</span>}
              </a>
            </li>
          ))}
        </ul>
        <EngineStatus />
      </nav>
    </div>
  );
}

function EngineStatus() {
  const { info, error, load } = useApp();
  useEffect(() => {
    void load();
  }, [load]);
  if (error) return <p className="sidebar__footer text-danger">Engine not reachable: {error.message}</p>;
  if (!info) return null;
  return (
    <p className="sidebar__footer" title={`Data folder: ${info.home}`}>
      Version {info.version}
      <br />
      {info.transport === 'http' ? 'Browser mode' : 'Desktop app'}
    </p>
  );
}
