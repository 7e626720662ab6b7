/**
 * Writing an image into an OCI layout (`flibs build` without `--push`): buildah gets `oci:PATH:TAG` as its
 * destination, not `docker://oci:...`, and compresses as for a registry; docker buildx refuses, saying why.
 * A fake buildah records its argv (the real one is exercised in test/cli/first-run.test.ts).
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildahBuilder, BuildxBuilder, buildahBudArgs, type BuildSpec } from "../../src/builder/index.js";
import { isLayoutDestination, transportReference } from "../../src/builder/destination.js";

const spec: BuildSpec = {
  arch: "x86_64",
  contextDir: "ctx",
  dockerfile: "work/Dockerfile",
  labels: {},
  buildArgs: {},
  sourceDateEpoch: 1_700_000_000,
  buildContexts: {},
  destination: "oci:/tmp/out/app:sha-1-x86_64",
  insecure: false,
};

let dir: string;
let bin: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flibs-fake-buildah-"));
  bin = join(dir, "buildah");
  // Records each call; `push --digestfile F` writes a digest there, as buildah does.
  await writeFile(
    bin,
    `#!/bin/sh\necho "$@" >> ${join(dir, "calls")}\nwhile [ $# -gt 0 ]; do [ "$1" = "--digestfile" ] && printf 'sha256:%064d' 0 > "$2"; shift; done\n`,
  );
  await chmod(bin, 0o755);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a build into an OCI layout", () => {
  it("names the layout as containers/image does, and a registry under docker://", () => {
    expect(isLayoutDestination(spec.destination)).toBe(true);
    expect(transportReference(spec.destination)).toBe("oci:/tmp/out/app:sha-1-x86_64");
    expect(transportReference("registry.example.com/a/b:t")).toBe("docker://registry.example.com/a/b:t");
  });

  it("asks buildah bud to compress the layers only when it writes a layout (a registry push always does)", () => {
    expect(buildahBudArgs(spec, {}, transportReference(spec.destination))).toContain("--disable-compression=false");
    expect(buildahBudArgs({ ...spec, destination: "registry.example.com/a/b:t" }, {}, "x")).not.toContain("--disable-compression=false");
  });

  it("gives buildah the layout reference, whether it commits there or pushes a local image", async () => {
    const builder = new BuildahBuilder({ bin });
    expect(await builder.buildAndPush({ ...spec, localImage: false })).toEqual({ handle: "oci:/tmp/out/app:sha-1-x86_64" });
    const pushed = await builder.buildAndPush({ ...spec, localImage: true });
    expect(pushed.digest).toBe(`sha256:${"0".repeat(64)}`);
    const calls = (await readFile(join(dir, "calls"), "utf8")).trim().split("\n");
    expect(calls[0]).toMatch(/^bud .* -t oci:\/tmp\/out\/app:sha-1-x86_64 ctx$/);
    expect(calls.find((c) => c.startsWith("push "))).toMatch(/ localhost\/flibs-build-x86_64-[0-9a-f]+ oci:\/tmp\/out\/app:sha-1-x86_64$/);
    expect(calls.join("\n")).not.toContain("docker://");
  });

  it("is refused by docker buildx with the way out", async () => {
    await expect(new BuildxBuilder("/nonexistent/docker").buildAndPush(spec)).rejects.toThrow(
      /buildx cannot add an image to an OCI layout.*--builder buildah.*--push/,
    );
  });
});
