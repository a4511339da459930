/**
 * `drydock backup schedule`: the systemd timer and service for a backup
 * profile, and a crontab line where cron can express the interval. The timer
 * uses OnCalendar= with Persistent=true, so a run missed while the machine
 * was off happens at the next boot; that needs an interval that divides the
 * day (or whole days), which is what this accepts.
 */
export interface Interval {
  minutes: number;
  text: string;
}

export function parseInterval(text: string): Interval {
  const m = /^(\d+)\s*(m|min|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`--every: a duration such as 15m, 6h, 1d or 1w, not "${text}"`);
  const n = Number(m[1]);
  const minutes = n * { m: 1, min: 1, h: 60, d: 1440, w: 10080 }[m[2] as 'm' | 'min' | 'h' | 'd' | 'w'];
  const ok = minutes > 0 && (minutes < 60 ? 60 % minutes === 0 : minutes < 1440 ? minutes % 60 === 0 && 1440 % minutes === 0 : minutes % 1440 === 0);
  if (!ok) throw new Error(`--every ${text}: the timer repeats from midnight, so use minutes dividing an hour (5m, 15m, 30m), hours dividing a day (1h, 2h, 3h, 4h, 6h, 8h, 12h) or whole days (1d, 7d, 1w)`);
  return { minutes, text: text.trim() };
}

export function onCalendar(i: Interval): string {
  if (i.minutes < 60) return `*-*-* *:00/${i.minutes}:00`;
  if (i.minutes < 1440) return `*-*-* 00/${i.minutes / 60}:00:00`;
  const days = i.minutes / 1440;
  if (days === 1) return '*-*-* 00:00:00';
  if (days === 7) return 'Mon *-*-* 00:00:00';
  return `*-*-01/${days} 00:00:00`;
}

/** Null when cron cannot say it (a step of days restarts every month). */
export function cronSpec(i: Interval): string | null {
  if (i.minutes < 60) return `*/${i.minutes} * * * *`;
  if (i.minutes < 1440) return `0 */${i.minutes / 60} * * *`;
  if (i.minutes === 1440) return '0 0 * * *';
  if (i.minutes === 10080) return '0 0 * * 1';
  return null;
}

export interface ScheduleFiles {
  unitName: string;
  service: string;
  timer: string;
  crontab: string | null;
  note: string;
}

function systemdQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A headless Drydock job on a timer: the backup's by default; restore's drill and refresh-spare use the same files. */
export interface ScheduledJob {
  /** Unit name without suffix, e.g. drydock-restore-drill-spare1. */
  unitName: string;
  /** "backup (profile prod)", "DR drill (spare spare1)". */
  what: string;
  /** Arguments after `drydock`, ending with --yes. */
  args: string[];
  /** Log file name in DRYDOCK_HOME for the cron line. */
  log: string;
}

export function scheduleFiles(profile: string, i: Interval, drydock: string, home: string, job?: ScheduledJob): ScheduleFiles {
  const j: ScheduledJob = job ?? { unitName: `drydock-backup-${profile}`, what: `backup (profile ${profile})`, args: ['backup', 'run', '--profile', profile, '--yes'], log: 'backup-cron.log' };
  const unitName = j.unitName;
  const cmd = [systemdQuote(drydock), ...j.args.map(systemdQuote)].join(' ');
  const service = [
    '[Unit]',
    `Description=Drydock ${j.what}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `Environment=DRYDOCK_HOME=${systemdQuote(home)}`,
    `ExecStart=${cmd}`,
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=Drydock ${j.what} every ${i.text}`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar(i)}`,
    'Persistent=true',
    'RandomizedDelaySec=60',
    `Unit=${unitName}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  const spec = cronSpec(i);
  const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const crontab = spec ? `${spec} DRYDOCK_HOME=${shq(home)} ${shq(drydock)} ${j.args.map((a) => (/^(--?[a-z-]+|backup|restore|run|refresh-spare)$/.test(a) ? a : shq(a))).join(' ')} >>${shq(home + '/' + j.log)} 2>&1` : null;
  const note = `Install: save the units as ~/.config/systemd/user/${unitName}.{service,timer} (or /etc/systemd/system/), then systemctl [--user] daemon-reload && systemctl [--user] enable --now ${unitName}.timer. Credentials must be available to the job (an AWS profile in ~/.aws, or the environment set in the service).`;
  return { unitName, service, timer, crontab, note };
}
