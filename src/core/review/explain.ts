import { RULE_PAGES } from "./engine.js";
import type { RuleDescription, RuleExplanation } from "./types.js";

type Page = RuleDescription & RuleExplanation;

const WIDTH = 80;
/** Findings these rules report cannot be suppressed by a `# flibs-ignore` comment. */
const NOT_IGNORABLE = new Set(["internal", "ignore-comment", "dockerfile-missing", "config-syntax", "config-schema"]);

/** A rule's page as `flibs review --explain RULE` prints it: what, why, how to fix, an example, the peer linter. */
export function explainRule(id: string): string | undefined {
  const page = findRule(id);
  return page ? render(page) : undefined;
}

/** The one-line answer to an unknown rule id: the closest known id, then every known id. */
export function unknownRuleMessage(id: string): string {
  const lower = id.trim().toLowerCase();
  const peer = RULE_PAGES.find((r) => r.peer?.rules.some((p) => p.toLowerCase() === lower));
  const hint = peer ? `hadolint's ${id.trim().toUpperCase()} is flibs' \`${peer.id}\`` : `did you mean \`${closest(lower)}\`?`;
  return `unknown rule \`${id}\` (${hint}); known rules: ${RULE_PAGES.map((r) => r.id).join(", ")}`;
}

function findRule(id: string): Page | undefined {
  const lower = id.trim().toLowerCase();
  return RULE_PAGES.find((r) => r.id === lower);
}

function render(r: Page): string {
  const out = [`${r.id} (${r.severity}): ${r.title}`, "", ...wrap(r.doc, ""), "", "How to fix:", ...wrap(r.fix, "  ")];
  if (r.example) {
    const file = r.example.file === "Dockerfile" ? "" : ` (${r.example.file})`;
    out.push("", `Bad${file}:`, ...block(r.example.bad), "", `Good${file}:`, ...block(r.example.good));
  }
  if (r.peer) {
    out.push(
      "",
      `hadolint: ${r.peer.rules.join(", ")}.${r.peer.differences.length > 0 ? " Where flibs differs, on purpose:" : " Same verdicts."}`,
    );
    for (const d of r.peer.differences) out.push(...wrap(d, "    ").map((l, i) => (i === 0 ? `  - ${l.trimStart()}` : l)));
  }
  out.push("");
  if (!NOT_IGNORABLE.has(r.id))
    out.push(...wrap(`Accept one finding: \`# flibs-ignore ${r.id} <reason>\` on the line above the instruction.`, ""));
  if (r.id !== "internal")
    out.push(...wrap(`Change its severity for an organisation: \`rules: {${r.id}: off|info|warning|error}\` in the policy.`, ""));
  return `${out.join("\n")}\n`;
}

function block(text: string): string[] {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => `    ${l}`);
}

/** Word-wraps a paragraph to WIDTH columns, each line starting with `indent`; a code span is never broken. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const [word] of text.matchAll(/(?:`[^`]*`|\S)+/g)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The known id nearest to `id`: one that contains it, else the one fewest edits away. */
function closest(id: string): string {
  const ids = RULE_PAGES.map((r) => r.id);
  const containing = ids.find((k) => id.length >= 3 && k.includes(id));
  if (containing) return containing;
  let best = ids[0] ?? "";
  let bestDistance = Infinity;
  for (const k of ids) {
    const d = editDistance(id, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
