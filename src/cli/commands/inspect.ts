import { Option } from "commander";
import type { CommandDefinition } from "./types.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const inspectCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("inspect")
      .description("show an image or index in a registry: platforms, digests, sizes")
      .argument("<ref>", "image reference: host/repo:tag or host/repo@sha256:...")
      .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback hosts always are; repeatable)", collect, [])
      .action(async (ref: string, opts: { format: "text" | "json"; insecure: string[] }) => {
        const { runInspect } = await import("../inspect-impl.js");
        setExit(await runInspect({ ref, format: opts.format, insecure: opts.insecure }, io));
      });
  },
};
