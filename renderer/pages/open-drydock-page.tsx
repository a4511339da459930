/**
 * Browser mode without a session the engine accepts: no console that looks
 * usable but cannot do anything, only how to open Drydock properly.
 */
export function OpenDrydockPage({ refused }: { refused: boolean }) {
  return (
    <main id="main" className="open-drydock">
      <h1>Open Drydock from the address it printed</h1>
      {refused ? (
        <p>
          Drydock&rsquo;s engine did not accept this page&rsquo;s session token. Each start of <code>drydock serve</code> makes a new one, so this
          page is probably from an earlier start.
        </p>
      ) : (
        <p>This page was opened without its session token, so it cannot reach Drydock&rsquo;s engine.</p>
      )}
      <ol>
        <li>
          On this machine, look at the terminal where <code>drydock serve</code> runs, or start it there.
        </li>
        <li>
          Open the full address it prints, <code>http://127.0.0.1:PORT/?token=…</code>, in this browser. The token leaves the address bar once the
          page has loaded.
        </li>
      </ol>
      <p className="muted">With the desktop app installed, start Drydock from there instead: it needs no address.</p>
    </main>
  );
}
