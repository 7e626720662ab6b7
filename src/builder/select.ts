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

/**
 * buildah with `--isolation oci` runs RUN steps through an OCI runtime; without one it fails on the first
 * RUN with "exec: no command". Said before the build, with the fix.
 */
async function checkOciRuntime(
  options: BuildahOptions,
  probe: (cmd: string, args: string[]) => Promise<boolean>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if ((options.isolation ?? "oci") !== "oci" || env.BUILDAH_RUNTIME) return;
  for (const runtime of ["runc", "crun"]) if (await probe(runtime, ["--version"])) return;
  throw new FlibsError(
    "build",
    "buildah needs an OCI runtime to isolate RUN steps, and this runner has none: install runc (`apt-get install runc`, `dnf install runc`), or, on ephemeral runners only, set the policy's build.isolation: chroot",
  );
}

/** `auto`: buildah when it is installed, else docker buildx when `docker buildx version` works. */
export async function selectBuilder(
  choice: BuilderChoice,
  options: BuildahOptions = {},
  probe: (cmd: string, args: string[]) => Promise<boolean> = defaultProbe,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Builder> {
  if (choice === "buildx") return new BuildxBuilder();
  if (choice === "buildah" || (await probe(options.bin ?? "buildah", ["--version"]))) {
    await checkOciRuntime(options, probe, env);
    return new BuildahBuilder(options);
  }
  if (await probe("docker", ["buildx", "version"])) return new BuildxBuilder();
  throw new FlibsError("build", "no builder found: install buildah (or Docker with buildx) on the runner");
}
