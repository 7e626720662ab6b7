import { finalStageIndexes } from "../stages.js";
import { cleansCache, installsPackages, mountsCache, packageManagerCalls } from "../package-manager.js";
import { simpleCommands } from "../shell.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "dnf-clean-all",
  severity: "warning",
  title: "Clean the package cache in the same RUN",
  doc:
    "A RUN (or ONBUILD RUN) that installs or upgrades packages with dnf, dnf5, yum or microdnf leaves " +
    "repository metadata and downloaded packages in the layer unless, after the last install, the same RUN " +
    "runs `dnf clean all` or removes the cache (`/var/cache/libdnf5` for dnf5 on Fedora 41 and later, " +
    "`/var/cache/dnf` for dnf 4, `/var/cache/yum`), or mounts it with `--mount=type=cache` or " +
    "`type=tmpfs`. A clean before the install cleans nothing, and a later RUN cannot shrink an earlier " +
    "layer. Only stages that end up in the final image are checked: a builder stage's cache is thrown away " +
    "with it.",
  fix:
    "End the RUN that installs with `&& dnf clean all` (or `microdnf clean all`, `yum clean all`), or give it " +
    "a cache mount, `RUN --mount=type=cache,target=/var/cache/libdnf5 dnf -y install ...`, which also " +
    "speeds up rebuilds.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd\nRUN dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd && dnf clean all\n",
  },
  peer: {
    rules: ["DL3040", "DL3032"],
    differences: [
      "Builder stages are not checked: their cache never reaches the image (DL3040 checks every stage).",
      "`update`, `distro-sync`, `downgrade`, `builddep`, `group install` and `module install` download " +
        "packages like `install` and are checked too (DL3040 knows install, in, upgrade, up, upgrade-minimal, " +
        "up-min, reinstall and rei).",
      "A cache mount on `/var/cache/dnf` or `/var/cache/yum` counts as well as one on `/var/cache/libdnf5`: " +
        "dnf 4 (CentOS Stream, RHEL, Fedora 40 and older) keeps its cache there (DL3040 accepts libdnf5 only).",
      "Only removing a package cache counts as cleaning (DL3040 and DL3032 accept any `rm -rf`).",
    ],
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    const kept = finalStageIndexes(dockerfile);
    for (const run of dockerfile.runs) {
      if (!kept.has(run.instruction.stage) || run.flags.some(mountsCache)) continue;
      const install = packageManagerCalls(run.text).filter(installsPackages).at(-1);
      if (!install) continue;
      if (simpleCommands(run.text).some((cmd, i) => i > install.index && cleansCache(cmd))) continue;
      hits.push({
        ...run.positionAt(install.words[0]?.offset ?? 0),
        message: `\`${install.tool} ${install.subcommand}\` without \`${install.tool} clean all\` after it in the same RUN leaves the package cache in the image`,
      });
    }
    return hits;
  },
};
