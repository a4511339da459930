/**
 * UDP 8125 can only be proven open by a datagram that arrives: Drydock starts
 * a short-lived listener on the Services machine for the probe (perl, else
 * python3, both usual on a server), each client sends its own token, and
 * the listener reports what it got. It binds the address the clients send to
 * (else every address), ends when Drydock closes its input or after its time
 * limit, and writes nothing. No tool, or the port already taken: the check
 * says "not checkable", never "passed".
 */
import type { ClientChannel } from 'ssh2';
import type { HostSession } from '../../../ssh/session';
import { quote } from '../../../ssh/quote';

const PERL = [
  'use IO::Socket::INET; use IO::Select; my ($a,$p,$t)=@ARGV; $|=1;',
  'my $s = IO::Socket::INET->new(LocalAddr=>$a, LocalPort=>$p, Proto=>"udp") || IO::Socket::INET->new(LocalPort=>$p, Proto=>"udp");',
  'if (!$s) { print "BINDFAIL $!\\n"; exit 0 } print "READY\\n";',
  'my $sel = IO::Select->new($s, \\*STDIN); my $end = time + $t;',
  'while (time < $end) { for my $h ($sel->can_read(1)) { if ($h == $s) { my $m; $s->recv($m, 512); print "GOT $m" } else { my $b; exit 0 if !sysread(STDIN, $b, 64) } } }',
].join('\n');

const PYTHON = [
  'import select, socket, sys, time',
  'a, p, t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  'try:\n    s.bind((a, p))\nexcept OSError:\n    try:\n        s.bind(("0.0.0.0", p))\n    except OSError as e:\n        print("BINDFAIL", e, flush=True); sys.exit(0)',
  'print("READY", flush=True)',
  'end = time.time() + t',
  'while time.time() < end:',
  '    for h in select.select([s, sys.stdin], [], [], 1)[0]:',
  '        if h is s:\n            m = s.recv(512); sys.stdout.write("GOT " + m.decode(errors="replace")); sys.stdout.flush()',
  '        elif not sys.stdin.buffer.read1(64):\n            sys.exit(0)',
].join('\n');

export function listenerCommand(address: string, port: number, maxSeconds: number): string {
  const args = `${quote(address)} ${port} ${maxSeconds}`;
  return `if command -v perl >/dev/null 2>&1; then exec perl -e ${quote(PERL)} ${args}; elif command -v python3 >/dev/null 2>&1; then exec python3 -c ${quote(PYTHON)} ${args}; else echo NOTOOL; fi`;
}

export interface UdpListener {
  /** Null when listening; else why the check cannot be made. */
  notCheckable: string | null;
  /** Stop listening and return the payload lines received. */
  stop(): Promise<string[]>;
}

export async function startUdpListener(session: HostSession, address: string, port: number, signal?: AbortSignal): Promise<UdpListener> {
  let out = '';
  let channel: ClientChannel | undefined;
  let ready!: (why: string | null) => void;
  const readyOrNot = new Promise<string | null>((r) => (ready = r));
  const finished = session
    .run(listenerCommand(address, port, 120), {
      signal,
      timeoutMs: 130_000,
      onChannel: (ch) => (channel = ch),
      onStdout: (text) => {
        out += text;
        if (/^READY$/m.test(out)) ready(null);
        else if (/^NOTOOL$/m.test(out)) ready('neither perl nor python3 on the Services machine to listen with');
        else if (/^BINDFAIL (.*)$/m.test(out)) ready(`UDP ${port} could not be bound on the Services machine (${/^BINDFAIL (.*)$/m.exec(out)![1]})`);
      },
    })
    .then(
      (r) => ready(r.code === 0 ? 'the listener ended before it was ready' : `the listener failed: ${r.stderr.trim().split('\n').pop()}`),
      (err: Error) => ready(`the listener could not start: ${err.message}`),
    );
  const timer = setTimeout(() => ready('the listener did not start within 15 s'), 15_000);
  const notCheckable = await readyOrNot;
  clearTimeout(timer);
  return {
    notCheckable,
    async stop() {
      channel?.end();
      await Promise.race([finished, new Promise((r) => setTimeout(r, 3000))]);
      channel?.close();
      return [...out.matchAll(/^GOT (.*)$/gm)].map((m) => m[1].trim());
    },
  };
}
