/**
 * A few status lines on a terminal, redrawn in place (cursor up, clear, rewrite) at most every
 * `intervalMs`, so a long build or promotion shows where each arch or blob is without scrolling a line per
 * update. Lines are cut to the terminal's width: a wrapped line would break the count of lines to go up.
 */
export interface BoardLine {
  text: string;
  /** Shown with the seconds since it became active. */
  since?: number;
}

const ESC = "\x1b[";

export class StatusBoard {
  private readonly lines = new Map<string, BoardLine>();
  private drawn = 0;
  private dirty = false;
  private lastSecond = -1;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly write: (s: string) => void,
    private readonly columns = 80,
    intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = intervalMs > 0 ? setInterval(() => this.tick(), intervalMs) : undefined;
    this.timer?.unref();
  }

  /** Sets (or adds, at the bottom) the line under `key`. */
  set(key: string, text: string, active = false): void {
    const old = this.lines.get(key);
    const since = active ? (old?.since ?? this.now()) : undefined;
    this.lines.set(key, since === undefined ? { text } : { text, since });
    this.dirty = true;
  }

  delete(key: string): void {
    if (this.lines.delete(key)) this.dirty = true;
  }

  /** A line that stays, printed above the board. */
  print(line: string): void {
    this.write(`${this.up()}${ESC}J${line}\n`);
    this.drawn = 0;
    this.dirty = true;
    this.render();
  }

  /** Draws now if anything changed (or a second passed for an active line). */
  tick(): void {
    const second = Math.floor(this.now() / 1000);
    const clock = second !== this.lastSecond && [...this.lines.values()].some((l) => l.since !== undefined);
    if (this.dirty || clock) this.render();
  }

  render(): void {
    this.lastSecond = Math.floor(this.now() / 1000);
    const width = Math.max(20, this.columns - 1);
    const out = [...this.lines.values()].map((l) => {
      const text = l.since !== undefined ? `${l.text} (${Math.floor((this.now() - l.since) / 1000)} s)` : l.text;
      return `${ESC}2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}\n`;
    });
    this.write(`${this.up()}${out.join("")}${out.length < this.drawn ? `${ESC}J` : ""}`);
    this.drawn = out.length;
    this.dirty = false;
  }

  /** Draws the final state and stops; the lines stay on the screen. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.dirty || this.drawn === 0) this.render();
  }

  private up(): string {
    return this.drawn > 0 ? `${ESC}${this.drawn}A\r` : "\r";
  }
}
