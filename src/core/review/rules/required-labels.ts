import { finalChain } from "../stages.js";
import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "required-labels",
  severity: "error",
  title: "The image sets the required LABELs",
  doc:
    "Every LABEL in the policy's `required_labels` must be set, with a non-empty value, in the final stage " +
    "(or a stage it is built FROM). The default set is the Fedora container guidelines' required labels: " +
    "`com.redhat.component`, `name`, `version`, `summary` and `maintainer` (`architecture` is added by " +
    "flibs at build time). Labels inherited from the base image do not count: they describe the base.",
  fix: 'Set each missing label, with a value, in the final stage: one `LABEL key="value" ...` instruction can set them all (see the good example).',
  example: {
    file: "Dockerfile",
    bad: 'FROM registry.fedoraproject.org/fedora:41\nLABEL name="demo"\n',
    good: 'FROM registry.fedoraproject.org/fedora:41\nLABEL com.redhat.component="demo-container" name="demo" version="1" summary="A demo" maintainer="Jane <jane@example.com>"\n',
  },
  check: ({ dockerfile, policy }) => {
    const chain = finalChain(dockerfile);
    const final = chain[0];
    if (!final) return [];
    const indexes = new Set(chain.map((s) => s.index));
    const set = new Map<string, string>();
    for (const l of dockerfile.labels) if (indexes.has(l.instruction.stage)) set.set(l.key, l.value);
    const missing = policy.required_labels.filter((k) => !set.has(k));
    const empty = policy.required_labels.filter((k) => set.get(k)?.trim() === "");
    const hits = [];
    if (missing.length > 0) {
      hits.push({
        line: final.instruction.line,
        column: final.instruction.column,
        message: `the final stage does not set required LABEL${missing.length > 1 ? "s" : ""} ${missing.map((k) => `\`${k}\``).join(", ")}`,
      });
    }
    for (const key of empty) {
      const label = [...dockerfile.labels].reverse().find((l) => l.key === key && indexes.has(l.instruction.stage));
      if (label) hits.push({ line: label.line, column: label.column, message: `required LABEL \`${key}\` is empty` });
    }
    return hits;
  },
};
