import { Option } from "commander";
import type { CommandDefinition } from "./types.js";

export const reviewCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("review")
      .description("review a container repo's Dockerfile and container.yaml against the review rules")
      .argument("[dir]", "the container repo", ".")
      .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json", "sarif"]).default("text"))
      .option("-p, --policy <file>", "organisation policy file (the org's .github/flibs.yml)")
      .option("--explain <rule>", "print a rule's page (what, why, how to fix, an example) instead of reviewing")
      .action(async (dir: string, opts: { format: "text" | "json" | "sarif"; policy?: string; explain?: string }) => {
        if (opts.explain !== undefined) {
          const { runExplain } = await import("../review/explain.js");
          setExit(runExplain(opts.explain, io));
          return;
        }
        const { runReview } = await import("../review/run.js");
        setExit(await runReview({ dir, format: opts.format, policy: opts.policy }, io));
      });
  },
};
