/** Rate and time left of one transfer, over a sliding window of the last few seconds. */
const WINDOW_MS = 5000;

export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];
  private readonly started = Date.now();

  constructor(private readonly from: number) {
    this.samples.push({ t: this.started, bytes: from });
  }

  add(bytes: number, now = Date.now()): void {
    this.samples.push({ t: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1].t > WINDOW_MS) this.samples.shift();
  }

  /** Bytes per second over the window. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? (last.bytes - first.bytes) / dt : 0;
  }

  /** Bytes per second since the start. */
  average(now = Date.now()): number {
    const last = this.samples[this.samples.length - 1];
    const dt = (now - this.started) / 1000;
    return dt > 0 ? (last.bytes - this.from) / dt : 0;
  }

  /** Seconds left at the current rate (null until there is a rate). */
  eta(total: number): number | null {
    const rate = this.rate();
    if (rate <= 0) return null;
    return Math.max(0, Math.round(((total - this.samples[this.samples.length - 1].bytes) / rate) * 10) / 10);
  }
}
