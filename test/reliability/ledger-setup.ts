/**
 * vitest global setup: starts every run with an empty reliability ledger and prints its table of cases
 * tried / held / lost when the run ends (when any reliability test ran).
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LEDGER } from "./ledger.js";

export default function ledgerSetup(): () => void {
  rmSync(LEDGER, { force: true });
  return () => {
    if (!existsSync(LEDGER)) return;
    const script = fileURLToPath(new URL("../../scripts/reliability-table.js", import.meta.url));
    const r = spawnSync(process.execPath, [script, LEDGER], { encoding: "utf8" });
    process.stdout.write(`\nReliability (cases tried / held / lost):\n${r.stdout}`);
  };
}
