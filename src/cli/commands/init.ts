import type { InitOptions } from "../build/init.js";
import type { CommandDefinition } from "./types.js";

export const initCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("init")
      .description("write the flibs caller workflows (build, promote) and a container.yaml starter into a container repo")
      .argument("[dir]", "the container repo", ".")
      .option("--flibs-repo <owner/name>", "the repository holding flibs' reusable workflows", "my-org/flibs")
      .option("--ref <tag|sha>", "the flibs release the workflows run, pinned to its commit", "v1")
      .option("--server <url>", "where --flibs-repo lives, to resolve --ref (GitHub Enterprise Server: its URL)", "https://github.com")
      .option("--image <path>", "image path under the registries (default: the directory's name)")
      .option("--force", "overwrite files that exist")
      .action(async (dir: string, opts: Omit<InitOptions, "dir">) => {
        const { runInit } = await import("../build/init.js");
        setExit(await runInit({ dir, ...opts }, io));
      });
  },
};
