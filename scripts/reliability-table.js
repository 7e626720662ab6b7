#!/usr/bin/env node
// Prints the reliability suite's ledger (reliability-results.jsonl, written by test/reliability/ledger.ts)
// as the table of cases tried / held / lost per area. Exit 1 when a case was lost or nothing was recorded.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2] ?? "reliability-results.jsonl";
if (!existsSync(file)) {
  console.log(`reliability: no ledger at ${file} (the reliability suite did not run)`);
  process.exit(1);
}
const lines = readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const areas = new Map();
for (const l of lines) {
  const a = areas.get(l.area) ?? { tried: 0, held: 0, lost: 0, checks: 0 };
  a.tried += l.tried;
  a.held += l.held;
  a.lost += l.lost;
  a.checks += 1;
  areas.set(l.area, a);
}
const rows = [...areas].map(([area, a]) => [area, String(a.checks), String(a.tried), String(a.held), String(a.lost)]);
const total = [...areas.values()].reduce(
  (t, a) => ({ tried: t.tried + a.tried, held: t.held + a.held, lost: t.lost + a.lost, checks: t.checks + a.checks }),
  { tried: 0, held: 0, lost: 0, checks: 0 },
);
rows.push(["total", String(total.checks), String(total.tried), String(total.held), String(total.lost)]);
const head = ["area", "checks", "cases tried", "held", "lost"];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(" | ")} |`;
console.log(fmt(head));
console.log(`| ${width.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`);
for (const r of rows) console.log(fmt(r));
for (const l of lines.filter((l) => l.lost > 0)) console.log(`LOST: ${l.area} / ${l.what}: ${l.lost} of ${l.tried}`);
process.exit(total.lost > 0 || total.tried === 0 ? 1 : 0);
