import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "ignore-comment",
  severity: "warning",
  title: "`# flibs-ignore` comments name a rule and a reason",
  doc:
    "`# flibs-ignore RULE-ID reason` on the line above an instruction suppresses that rule's findings on " +
    "that instruction (several ids may be joined with commas). The reason is required, so a reviewer can " +
    "judge the exception: a comment without one, with an unknown rule id, or with no instruction after it " +
    "suppresses nothing and is reported. Rules the organisation's policy lists in `not_ignorable` (by default " +
    "base-image-registry, required-labels, no-gpgcheck and curl-pipe-shell) cannot be waived by a repository.",
  fix: "Name the rule and say why, on the line right above the instruction: `# flibs-ignore RULE-ID reason`. Remove a comment whose rule no longer reports anything there.",
  example: {
    file: "Dockerfile",
    bad: "# flibs-ignore user-missing\nFROM registry.fedoraproject.org/fedora:41\n",
    good: "# flibs-ignore user-missing systemd runs as PID 1 and needs root\nFROM registry.fedoraproject.org/fedora:41\n",
  },
  check: ({ dockerfile, ruleIds, policy }) => {
    const hits: RuleHit[] = [];
    for (const ig of dockerfile.ignores) {
      const at = { line: ig.line, column: ig.column };
      if (ig.rules.length === 0) hits.push({ ...at, message: "`# flibs-ignore` names no rule: write `# flibs-ignore RULE-ID reason`" });
      else if (ig.reason === "")
        hits.push({ ...at, message: `\`# flibs-ignore ${ig.rules.join(",")}\` gives no reason, so it suppresses nothing` });
      for (const id of ig.rules) if (!ruleIds.has(id)) hits.push({ ...at, message: `\`# flibs-ignore\` names unknown rule \`${id}\`` });
      for (const id of ig.rules) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a policy object not parsed by the schema may lack fields
        if (ruleIds.has(id) && policy.not_ignorable?.includes(id))
          hits.push({
            ...at,
            message: `\`# flibs-ignore ${id}\` suppresses nothing: the organisation's policy does not let a repository waive ${id} (ask for the exception in the policy instead)`,
          });
      }
      if (!ig.target && ig.rules.length > 0) hits.push({ ...at, message: "`# flibs-ignore` has no instruction after it" });
    }
    return hits;
  },
};
