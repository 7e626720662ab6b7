import type { BuildCliOptions } from "../build/build.js";
import type { CommandDefinition } from "./types.js";

const collect = (v: string, prev: string[]) => [...prev, v];

export const buildCommand: CommandDefinition = {
  register(program, io, setExit) {
    program
      .command("build")
      .description(
        "build a container repo's HEAD for each arch (foreign arches through qemu) into one index with its build record, written to an OCI layout or pushed",
      )
      .argument("[dir]", "the container repo (a Git checkout)", ".")
      .option("-o, --output <ref>", "write the result to oci:PATH[:TAG] or oci-archive:FILE[:TAG] (default oci:flibs-out/<image>:latest)")
      .option("--push <ref>", "push instead, to HOST/REPO:TAG (per-arch images get tags sha-<sha>-<arch>)")
      .option("--platforms <arches>", "comma-separated arches (default: what container.yaml and the policy plan)")
      .option("-p, --policy <file>", "organisation policy file (the org's .github/flibs.yml)")
      .option("--allow-base <prefix>", "also accept FROM images under this registry prefix (repeatable)", collect, [])
      .option("--insecure <host>", "reach this registry over plain HTTP (loopback always is; repeatable)", collect, [])
      .option("--builder <name>", "auto, buildah or buildx", "auto")
      .option("--no-test", "skip container.yaml's image tests")
      .option("-v, --verbose", "show the builder's output")
      .option("-q, --quiet", "print only the result line (REFERENCE@DIGEST)")
      .option("--json", "print one JSON document (arches, digests, index, record) instead of the table")
      .option("--root <dir>", "buildah storage root (as buildah's --root)")
      .option("--runroot <dir>", "buildah run root (as buildah's --runroot)")
      .option("--storage-driver <name>", "buildah storage driver, e.g. vfs or overlay")
      .action(async (dir: string, opts: Omit<BuildCliOptions, "dir">) => {
        const { runBuild } = await import("../build/build.js");
        setExit(await runBuild({ dir, ...opts }, io));
      });
  },
};
