import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlibsError, isFlibsError } from "../core/errors.js";
import { archToPlatformString, type Arch } from "../core/platform.js";
import type { ImageTest } from "../core/config/index.js";
import { isLayoutDestination } from "./destination.js";
import { exitCodeOf, run } from "./exec.js";
import { judgeTest, testArgv } from "./tests.js";
import type { BuildSpec, Builder, BuiltImage, TestOutcome } from "./types.js";

/**
 * `docker buildx build` argv: BuildKit reads SOURCE_DATE_EPOCH as a build arg and `rewrite-timestamp=true`
 * resets file times in the layers, which is what buildah's `--timestamp` does. Pushes in the same step
 * (buildx's docker-container driver keeps no local image) and writes the digest to a metadata file.
 */
export function buildxArgs(spec: BuildSpec, metadataFile: string): string[] {
  return [
    "buildx",
    "build",
    "--platform",
    archToPlatformString(spec.arch),
    "--provenance=false",
    "--sbom=false",
    ...Object.entries(spec.buildContexts).flatMap(([k, v]) => ["--build-context", `${k}=${v}`]),
    ...Object.entries(spec.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    "--build-arg",
    `SOURCE_DATE_EPOCH=${spec.sourceDateEpoch}`,
    ...Object.entries(spec.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    "--output",
    `type=image,name=${spec.destination},push=true,oci-mediatypes=true,rewrite-timestamp=true${spec.insecure ? ",registry.insecure=true" : ""}`,
    "--metadata-file",
    metadataFile,
    "-f",
    spec.dockerfile,
    spec.contextDir,
  ];
}

export function buildxTestArgs(image: BuiltImage, arch: Arch, test: ImageTest): string[] {
  return [
    "run",
    "--rm",
    "--platform",
    archToPlatformString(arch),
    "--entrypoint",
    testArgv(test)[0]!,
    image.handle,
    ...testArgv(test).slice(1),
  ];
}

/** Chosen when buildah is absent and `docker buildx version` works. Only its argv is tested here (no Docker engine). */
export class BuildxBuilder implements Builder {
  readonly name = "buildx" as const;
  constructor(private readonly bin = "docker") {}

  async buildAndPush(spec: BuildSpec): Promise<BuiltImage> {
    if (isLayoutDestination(spec.destination)) {
      throw new FlibsError(
        "build",
        "docker buildx cannot add an image to an OCI layout flibs writes: build with buildah (--builder buildah) or --push to a registry",
      );
    }
    const dir = await mkdtemp(join(tmpdir(), "flibs-buildx-"));
    try {
      const meta = join(dir, "metadata.json");
      const env = {
        ...process.env,
        SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch),
        ...(spec.authFile ? { DOCKER_CONFIG: join(spec.authFile, "..") } : {}),
      };
      await run(this.bin, buildxArgs(spec, meta), { onOutput: spec.onOutput, env });
      const digest = (JSON.parse(await readFile(meta, "utf8")) as Record<string, unknown>)["containerimage.digest"];
      if (typeof digest !== "string") throw new FlibsError("build", "docker buildx wrote no image digest");
      return { digest, handle: `${spec.destination.replace(/:[^:/]+$/, "")}@${digest}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async runTest(image: BuiltImage, arch: Arch, test: ImageTest): Promise<TestOutcome> {
    try {
      const r = await run(this.bin, buildxTestArgs(image, arch, test));
      return { name: test.name, passed: judgeTest(test, true, r.stdout), output: r.stdout + r.stderr, exitCode: 0 };
    } catch (e) {
      if (!isFlibsError(e)) throw e;
      const exitCode = exitCodeOf(e);
      return { name: test.name, passed: false, output: e.message, ...(exitCode !== undefined ? { exitCode } : {}) };
    }
  }

  async cleanup(): Promise<void> {
    // buildx pushed straight to the registry and kept no local image: there is nothing to remove.
  }
}
