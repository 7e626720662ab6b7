/**
 * The reliability suite's ledger: every area records how many cases it tried, how many held (the guarantee
 * was kept) and how many lost (a guarantee broken: a forbidden dispatch, data lost, a crash, an escaped throw).
 * Lines are appended to `reliability-results.jsonl` at the project root (one per test that ran), and
 * `scripts/reliability-table.js` prints them as the table of cases tried / held / lost.
 */
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const LEDGER = fileURLToPath(new URL("../../reliability-results.jsonl", import.meta.url));

export interface LedgerLine {
  /** The guarantee's area, as in README's "Guarantees" (e.g. "webhook abuse", "registry faults"). */
  area: string;
  /** What was tried, in a few words (e.g. "503 with Retry-After on manifest PUT"). */
  what: string;
  tried: number;
  held: number;
  lost: number;
}

export function record(line: LedgerLine): void {
  if (line.held + line.lost !== line.tried) {
    throw new Error(`ledger line for ${line.area} / ${line.what}: held ${line.held} + lost ${line.lost} != tried ${line.tried}`);
  }
  appendFileSync(LEDGER, `${JSON.stringify({ ...line, at: new Date().toISOString() })}\n`);
}

/** Runs `cases`, counting each as held when `check` returns true and lost otherwise, and records the tally. */
export async function tally<T>(
  area: string,
  what: string,
  cases: Iterable<T>,
  check: (c: T) => boolean | Promise<boolean>,
): Promise<{ tried: number; held: number; lost: T[] }> {
  let tried = 0;
  const lost: T[] = [];
  for (const c of cases) {
    tried++;
    if (!(await check(c))) lost.push(c);
  }
  record({ area, what, tried, held: tried - lost.length, lost: lost.length });
  return { tried, held: tried - lost.length, lost };
}
