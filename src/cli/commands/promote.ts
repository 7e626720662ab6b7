import type { CommandDefinition } from "./types.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const promoteCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("promote")
      .description(
        "copy an image index by digest (from a registry or an OCI layout) to a repository (blobs mounted or streamed), verify it, then tag it",
      )
      .argument("<source>", "host/repo:tag, host/repo@sha256:..., oci:PATH[:TAG] or oci-archive:FILE[:TAG]")
      .argument("<destination>", "host/repo")
      .option("-t, --tag <tag>", "also write this tag (repeatable; a full version like 1.2.3 is immutable)", collect, [])
      .option("--git-tag <tag>", "release git tag (v1.2.3): writes 1.2.3, 1.2, 1, latest by the promotion policy")
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback hosts always are; repeatable)", collect, [])
      .option("--concurrency <n>", "blob transfers at once", "6")
      .option("--no-referrers", "do not carry referrers (build record, signatures)")
      .option("-q, --quiet", "print only the result line (DESTINATION@DIGEST)")
      .option("--json", "print one JSON document (the promotion report) instead of the table")
      .action(
        async (
          source: string,
          destination: string,
          opts: {
            tag: string[];
            gitTag?: string;
            insecure: string[];
            concurrency: string;
            referrers: boolean;
            quiet?: boolean;
            json?: boolean;
          },
        ) => {
          const { runPromote } = await import("../promote-impl.js");
          setExit(await runPromote({ source, destination, ...opts }, io));
        },
      );
  },
};
