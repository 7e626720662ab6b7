import { finalStageIndexes } from "../stages.js";
import { installsPackages, packageManagerCalls, simpleCommands, basename } from "../shell.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "dnf-clean-all",
  severity: "warning",
  title: "Clean the package cache in the same RUN",
  doc:
    "A RUN that installs packages with dnf, yum or microdnf leaves repository metadata and downloaded " +
    "packages in the layer unless the same RUN ends with `dnf clean all` (or removes `/var/cache/dnf` or " +
    "`/var/cache/yum`, or mounts the cache with `--mount=type=cache`). A later RUN cannot shrink an " +
    "earlier layer. Only stages that end up in the final image are checked: a builder stage's cache is " +
    "thrown away with it.",
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    const kept = finalStageIndexes(dockerfile);
    for (const run of dockerfile.runs) {
      if (!kept.has(run.instruction.stage)) continue;
      if (/--mount=\S*type=cache/.test(run.instruction.args)) continue;
      const calls = packageManagerCalls(run.text);
      const install = calls.find(installsPackages);
      if (!install) continue;
      const cleaned =
        calls.some((c) => c.subcommand === "clean" && c.argument === "all") ||
        simpleCommands(run.text).some(
          (c) => basename(c.words[0]?.value ?? "") === "rm" && c.words.some((w) => /^\/var\/cache\/(dnf|yum|libdnf5)\b/.test(w.value)),
        );
      if (cleaned) continue;
      hits.push({
        ...run.positionAt(install.words[0]?.offset ?? 0),
        message: `\`${install.tool} ${install.subcommand}\` without \`${install.tool} clean all\` in the same RUN leaves the package cache in the image`,
      });
    }
    return hits;
  },
};
