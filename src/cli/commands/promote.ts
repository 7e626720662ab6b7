import type { CommandDefinition } from "./types.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const promoteCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("promote")
      .description("copy an image index by digest to another repository (blobs mounted or streamed), verify it, then tag it")
      .argument("<source>", "host/repo:tag or host/repo@sha256:...")
      .argument("<destination>", "host/repo")
      .option("-t, --tag <tag>", "also write this tag (repeatable; a full version like 1.2.3 is immutable)", collect, [])
      .option("--git-tag <tag>", "release git tag (v1.2.3): writes 1.2.3, 1.2, 1, latest by the promotion policy")
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback hosts always are; repeatable)", collect, [])
      .option("--concurrency <n>", "blob transfers at once", "6")
      .option("--no-referrers", "do not carry referrers (build record, signatures)")
      .action(
        async (
          source: string,
          destination: string,
          opts: { tag: string[]; gitTag?: string; insecure: string[]; concurrency: string; referrers: boolean },
        ) => {
          const { runPromote } = await import("../promote-impl.js");
          setExit(await runPromote({ source, destination, ...opts }, io));
        },
      );
  },
};
