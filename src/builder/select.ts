import { FlibsError } from "../core/errors.js";
import { BuildahBuilder, type BuildahOptions } from "./buildah.js";
import { BuildxBuilder } from "./buildx.js";
import { onPath, works } from "./exec.js";
import type { Builder } from "./types.js";

export type BuilderChoice = "auto" | "buildah" | "buildx";

export function parseBuilderChoice(text: string | undefined): BuilderChoice {
  const t = (text ?? "").trim() || "auto";
  if (t === "auto" || t === "buildah" || t === "buildx") return t;
  throw new FlibsError("usage", `builder must be auto, buildah or buildx, got ${JSON.stringify(t)}`);
}

/**
 * The default probe: buildah is found by a look on PATH (running `buildah --version` cost a process start,
 * ~30 ms, on every build); docker buildx is a plugin, so only running `docker buildx version` tells.
 */
const defaultProbe = (cmd: string, args: string[]) => (cmd === "docker" ? works(cmd, args) : onPath(cmd));

/** `auto`: buildah when it is installed, else docker buildx when `docker buildx version` works. */
export async function selectBuilder(
  choice: BuilderChoice,
  options: BuildahOptions = {},
  probe: (cmd: string, args: string[]) => Promise<boolean> = defaultProbe,
): Promise<Builder> {
  if (choice === "buildah") return new BuildahBuilder(options);
  if (choice === "buildx") return new BuildxBuilder();
  if (await probe(options.bin ?? "buildah", ["--version"])) return new BuildahBuilder(options);
  if (await probe("docker", ["buildx", "version"])) return new BuildxBuilder();
  throw new FlibsError("build", "no builder found: install buildah (or Docker with buildx) on the runner");
}
