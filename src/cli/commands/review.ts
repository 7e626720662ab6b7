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
      .action(async (dir: string, opts: { format: "text" | "json" | "sarif"; policy?: string }) => {
        const { runReview } = await import("../review/run.js");
        setExit(await runReview({ dir, format: opts.format, policy: opts.policy }, io));
      });
  },
};
