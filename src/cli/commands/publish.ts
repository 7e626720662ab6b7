import type { PublishCliOptions } from "../build/publish.js";
import type { CommandDefinition } from "./types.js";

const collect = (v: string, prev: string[]) => [...prev, v];

export const publishCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("publish")
      .description("assemble the image index from per-arch images already pushed, attach the build record, print its digest")
      .argument("[dir]", "the container repo (for the commit and its tree)", ".")
      .requiredOption("--push <ref>", "HOST/REPO:TAG the index is pushed to")
      .requiredOption("--platforms <arches>", "comma-separated arches, e.g. x86_64,aarch64")
      .option("--sha <sha>", "the commit the per-arch images were built from (default: the checkout's HEAD)")
      .option("--digest <arch=digest>", "an arch's image digest instead of its tag sha-<sha>-<arch> (repeatable)", collect, [])
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback always is; repeatable)", collect, [])
      .option("--fail-on-drift", "exit 1 when a package version differs between arches")
      .action(async (dir: string, opts: Omit<PublishCliOptions, "dir">) => {
        const { runPublish } = await import("../build/publish.js");
        setExit(await runPublish({ dir, ...opts }, io));
      });
  },
};
