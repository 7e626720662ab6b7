import { copyArgs, isLocalArchive, isUrl } from "../copy-args.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "add-local-file",
  severity: "warning",
  title: "Use COPY for local files",
  doc:
    "`ADD` of a local file that is not a tar archive does the same as `COPY` but hides a second meaning " +
    "(archives are unpacked, URLs fetched). Use `COPY`, which says exactly what happens; keep `ADD` for " +
    "local tar archives that are meant to be unpacked.",
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const ins of dockerfile.instructions) {
      if (ins.keyword !== "ADD") continue;
      const { sources } = copyArgs(ins);
      const plain = sources.filter((s) => !isUrl(s.value) && !isLocalArchive(s.value) && !s.value.startsWith("<<"));
      if (plain.length > 0 && plain.length === sources.filter((s) => !isUrl(s.value)).length) {
        hits.push({ line: ins.line, column: ins.column, message: `ADD of local ${plain.map((s) => `\`${s.value}\``).join(", ")}: use COPY` });
      }
    }
    return hits;
  },
};
