import { Option } from "commander";
import type { CommandDefinition } from "./types.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const inspectCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("inspect")
      .description("show an image or index in a registry or an OCI layout: platforms, digests, sizes, referrers")
      .argument("<ref>", "host/repo:tag, host/repo@sha256:..., oci:PATH[:TAG] or oci-archive:FILE[:TAG]")
      .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback hosts always are; repeatable)", collect, [])
      .action(async (ref: string, opts: { format: "text" | "json"; insecure: string[] }) => {
        const { runInspect } = await import("../inspect-impl.js");
        setExit(await runInspect({ ref, format: opts.format, insecure: opts.insecure }, io));
      });
  },
};
