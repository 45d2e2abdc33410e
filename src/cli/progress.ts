/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in pipes or logs). */
export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: ProgressSink = process.stderr,
    enabled = true,
  ) {
    this.enabled = enabled && Boolean(out.isTTY) && total > 1;
  }

  tick(name = ''): void {
    this.done++;
    if (!this.enabled) return;
    const now = Date.now();
    if (this.done < this.total && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    this.draw(name);
  }

  private draw(name: string): void {
    const cols = Math.max(40, this.out.columns || 80);
    const width = Math.max(10, Math.min(30, cols - 50));
    const frac = this.total ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : 0;
    let line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} ${Math.round(frac * 100)}%`;
    if (this.done < this.total) line += ` eta ${eta.toFixed(0)}s`;
    const room = cols - line.length - 2;
    if (name && room > 5) line += ` ${name.length > room ? '…' + name.slice(-(room - 1)) : name}`;
    this.out.write(`\r\x1b[2K${line}`);
  }

  /** clears the line so the results start on a clean one */
  finish(): void {
    if (this.enabled) this.out.write('\r\x1b[2K');
  }
}
