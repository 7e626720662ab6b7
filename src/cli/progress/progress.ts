import type { CliIo } from "../io.js";
import { StatusBoard } from "./status-board.js";

/** How a long command reports: redrawn status on a terminal, plain lines in a log, nothing, or one JSON document. */
export type OutputMode = "tty" | "plain" | "quiet" | "json";

export function outputMode(o: { quiet?: boolean; json?: boolean; verbose?: boolean }, io: CliIo): OutputMode {
  if (o.json) return "json";
  if (o.quiet) return "quiet";
  // The builder's own output (--verbose) scrolls: redrawing above it would tear both.
  return io.isTTY && !o.verbose && io.env.TERM !== "dumb" ? "tty" : "plain";
}

/**
 * Progress on stderr, one line per `key` (its text says what it is about). `status` is transient (a terminal shows it in place; a log does not get it), `event`
 * is a step worth a line in a log, `log` a line for a log only (a terminal sums it up in a status line
 * instead), `note` (warnings, failures) is always printed.
 */
export interface Progress {
  readonly mode: OutputMode;
  status(key: string, text: string, active?: boolean): void;
  event(key: string, text: string, active?: boolean): void;
  log(line: string): void;
  remove(key: string): void;
  note(line: string): void;
  close(): void;
}

export function createProgress(mode: OutputMode, io: CliIo): Progress {
  if (mode === "tty") {
    // A pseudo-terminal without a size reports 0 columns.
    const board = new StatusBoard((s) => io.stderr(s), io.columns || 80);
    return {
      mode,
      status: (key, text, active) => board.set(key, text, active),
      event: (key, text, active) => board.set(key, text, active),
      log: () => undefined,
      remove: (key) => board.delete(key),
      note: (line) => board.print(line),
      close: () => board.close(),
    };
  }
  const plain = mode === "plain";
  return {
    mode,
    status: () => undefined,
    event: (_key, text) => {
      if (plain) io.stderr(`${text}\n`);
    },
    log: (line) => {
      if (plain) io.stderr(`${line}\n`);
    },
    remove: () => undefined,
    note: (line) => io.stderr(`${line}\n`),
    close: () => undefined,
  };
}
