/** oci-archive files: flibs writes what skopeo reads (reproducibly), and reads what skopeo writes. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractLayoutArchive, writeLayoutArchive } from "../../src/registry/oci-archive.js";
import { OciLayout } from "../../src/registry/oci-layout.js";
import { sha256Digest } from "../../src/registry/digest-stream.js";
import { writeOciLayout, type WrittenLayout } from "../helpers/registry.js";

const exec = promisify(execFile);
let work: string;
let source: WrittenLayout;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flibs-archive-"));
  source = await writeOciLayout(join(work, "layout"), { layersPerPlatform: 2, layerSize: 30_000 });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("oci-archive", () => {
  it("writes an archive skopeo reads, the same bytes every time", async () => {
    const layout = await OciLayout.open(source.dir);
    const a = join(work, "a.tar");
    const b = join(work, "b.tar");
    await writeLayoutArchive(layout, a, 1_700_000_000);
    await writeLayoutArchive(layout, b, 1_700_000_000);
    expect(sha256Digest(await readFile(a))).toBe(sha256Digest(await readFile(b)));
    const { stdout } = await exec("skopeo", ["inspect", "--raw", `oci-archive:${a}:latest`]);
    expect(sha256Digest(new TextEncoder().encode(stdout))).toBe(source.indexDigest);
    const { stdout: list } = await exec("tar", ["--utc", "-tvf", a]);
    const lines = list.trim().split("\n");
    expect(lines.slice(0, 4).map((l) => l.split(" ").pop())).toEqual(["oci-layout", "index.json", "blobs/", "blobs/sha256/"]);
    for (const l of lines) expect(l).toMatch(/^[-d]rw[-x]r-[-x]r-[-x] 0\/0 .* 2023-11-14 22:13 /);
    // And back: extracted, it is the same layout.
    const back = await extractLayoutArchive(a, join(work, "back"));
    expect((await back.getManifest({ registry: "", repository: "", tag: "latest" })).digest).toBe(source.indexDigest);
  });

  it("reads an archive skopeo wrote", async () => {
    const file = join(work, "skopeo.tar");
    await exec("skopeo", [
      "--insecure-policy",
      "copy",
      "--all",
      "--preserve-digests",
      `oci:${source.dir}:latest`,
      `oci-archive:${file}:v1`,
    ]);
    const layout = await extractLayoutArchive(file, join(work, "from-skopeo"));
    const root = await layout.getManifest({ registry: "", repository: "", tag: "v1" });
    expect(root.digest).toBe(source.indexDigest);
    const layer = source.manifests[0]!.layers[1]!;
    expect(sha256Digest(await layout.getBlob({ registry: "", repository: "" }, layer.digest))).toBe(layer.digest);
  });

  it("refuses an archive holding anything but a layout's files", async () => {
    const dir = join(work, "evil-src");
    await mkdir(join(dir, "etc"), { recursive: true });
    await writeFile(join(dir, "oci-layout"), `{"imageLayoutVersion":"1.0.0"}`);
    await writeFile(join(dir, "etc", "passwd"), "root::0:0::/:/bin/sh\n");
    await exec("tar", ["-cf", join(work, "evil.tar"), "-C", dir, "oci-layout", "etc/passwd"]);
    await expect(extractLayoutArchive(join(work, "evil.tar"), join(work, "evil"))).rejects.toThrow(
      /"etc\/passwd", which is not part of an OCI image layout/,
    );
    await expect(extractLayoutArchive(join(work, "missing.tar"), join(work, "m"))).rejects.toThrow(/cannot read the archive/);
  });
});
