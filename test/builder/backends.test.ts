import { describe, expect, it } from "vitest";
import {
  BuildahBuilder,
  BuildxBuilder,
  buildahBudArgs,
  buildxArgs,
  buildxTestArgs,
  filesFromLayers,
  LayeredFiles,
  parseBuilderChoice,
  selectBuilder,
  type BuildSpec,
} from "../../src/builder/index.js";

const spec: BuildSpec = {
  arch: "aarch64",
  contextDir: "ctx",
  dockerfile: "work/Dockerfile",
  labels: { "vcs-ref": "abc", architecture: "aarch64" },
  buildArgs: { FOO: "bar" },
  sourceDateEpoch: 1_700_000_000,
  buildContexts: { "flibs-buildinfo": "work/buildinfo" },
  destination: "registry.example.com/cand/app:sha-x-aarch64",
  insecure: false,
};

describe("buildah backend", () => {
  it("builds one platform with a fixed timestamp, labels, build args and the buildinfo context", () => {
    const argv = buildahBudArgs(spec, { root: "r", runroot: "rr", storageDriver: "vfs" }, "localhost/x");
    expect(argv.slice(0, 7)).toEqual(["--root", "r", "--runroot", "rr", "--storage-driver", "vfs", "bud"]);
    const pairs = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(pairs("--platform")).toEqual(["linux/arm64"]);
    expect(pairs("--timestamp")).toEqual(["1700000000"]);
    expect(pairs("--isolation")).toEqual(["chroot"]);
    expect(pairs("--label")).toEqual(["vcs-ref=abc", "architecture=aarch64"]);
    expect(pairs("--build-arg")).toEqual(["FOO=bar", "SOURCE_DATE_EPOCH=1700000000"]);
    expect(pairs("--build-context")).toEqual(["flibs-buildinfo=work/buildinfo"]);
    expect(argv).toContain("--tls-verify=true");
    expect(argv).toContain("--identity-label=false");
    expect(argv.slice(-5)).toEqual(["-f", "work/Dockerfile", "-t", "localhost/x", "ctx"]);
    expect(buildahBudArgs({ ...spec, insecure: true, authFile: "a.json" }, {}, "x")).toEqual(expect.arrayContaining(["--tls-verify=false", "--authfile", "a.json"]));
  });
});

// There is no Docker engine on the test machines: the buildx backend is checked by the argv it would run.
describe("docker buildx backend (argv only)", () => {
  it("pushes one platform with SOURCE_DATE_EPOCH, rewritten timestamps and a metadata file for the digest", () => {
    const argv = buildxArgs(spec, "meta.json");
    expect(argv.slice(0, 4)).toEqual(["buildx", "build", "--platform", "linux/arm64"]);
    expect(argv).toEqual(expect.arrayContaining(["--provenance=false", "--metadata-file", "meta.json", "--build-arg", "SOURCE_DATE_EPOCH=1700000000"]));
    expect(argv).toContain("type=image,name=registry.example.com/cand/app:sha-x-aarch64,push=true,oci-mediatypes=true,rewrite-timestamp=true");
    expect(argv).toEqual(expect.arrayContaining(["--build-context", "flibs-buildinfo=work/buildinfo", "--label", "vcs-ref=abc"]));
    expect(buildxArgs({ ...spec, insecure: true }, "m").find((a) => a.startsWith("type=image"))).toMatch(/,registry.insecure=true$/);
  });
  it("runs a test in the pushed image for the arch", () => {
    expect(buildxTestArgs({ digest: "sha256:1", handle: "r/app@sha256:1" }, "aarch64", { name: "t", command: "echo hi" })).toEqual([
      "run", "--rm", "--platform", "linux/arm64", "--entrypoint", "/bin/sh", "r/app@sha256:1", "-c", "echo hi",
    ]);
  });
});

describe("backend choice", () => {
  it("auto takes buildah when it runs, buildx when only `docker buildx version` works, and says what to install otherwise", async () => {
    const has = (ok: string[]) => async (cmd: string, args: string[]) => ok.includes([cmd, ...args].join(" "));
    expect((await selectBuilder("auto", {}, has(["buildah --version", "docker buildx version"]))).name).toBe("buildah");
    expect((await selectBuilder("auto", {}, has(["docker buildx version"])))).toBeInstanceOf(BuildxBuilder);
    await expect(selectBuilder("auto", {}, has([]))).rejects.toThrow(/install buildah \(or Docker with buildx\)/);
    expect(await selectBuilder("buildx")).toBeInstanceOf(BuildxBuilder);
    expect(parseBuilderChoice("")).toBe("auto");
    expect(() => parseBuilderChoice("kaniko")).toThrow(/auto, buildah or buildx/);
  });
  it("auto finds the real buildah on this machine", async () => {
    expect(await selectBuilder("auto")).toBeInstanceOf(BuildahBuilder);
  });
});

function tar(entries: Array<[string, string] | [string, string, string]>): Uint8Array {
  const blocks: Buffer[] = [];
  for (const [name, body, flag = "0"] of entries) {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0);
    h.write("0000644\0", 100);
    h.write(Buffer.byteLength(body).toString(8).padStart(11, "0") + "\0", 124);
    h.write(flag, 156);
    h.write("ustar\0", 257);
    blocks.push(h, Buffer.from(body), Buffer.alloc((512 - (Buffer.byteLength(body) % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

describe("files from layers", () => {
  it("takes the last layer's copy, honours whiteouts and opaque dirs, and reads dirs by prefix", () => {
    const l1 = tar([["var/lib/dpkg/status", "one"], ["etc/a", "a"], ["var/lib/rpm/rpmdb.sqlite", "db"]]);
    const l2 = tar([["./var/lib/dpkg/status", "two"], ["etc/.wh.a", ""]]);
    const files = filesFromLayers([l1, l2], ["var/lib/dpkg/status", "etc/a", "var/lib/rpm/"]);
    expect(Buffer.from(files.get("var/lib/dpkg/status")!).toString()).toBe("two");
    expect(files.has("etc/a")).toBe(false);
    expect([...files.keys()]).toContain("var/lib/rpm/rpmdb.sqlite");
    const l3 = tar([["var/lib/rpm/.wh..wh..opq", ""]]);
    expect([...filesFromLayers([l1, l3], ["var/lib/rpm/"]).keys()]).toEqual([]);
  });
  it("streams: any chunking gives the same files, GNU long names included, unwanted content never kept", () => {
    const long = `usr/share/${"x".repeat(120)}/status`;
    const body = "p".repeat(1500);
    const layer = tar([["big/unwanted", "u".repeat(5000)], ["././@LongLink", long, "L"], [long.slice(0, 100), body], ["lib/apk/db/installed", "P:musl\nV:1\n"]]);
    const whole = filesFromLayers([layer], [long, "lib/apk/db/installed"]);
    expect(Buffer.from(whole.get(long)!).toString()).toBe(body);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      const acc = new LayeredFiles([long, "lib/apk/db/installed"]);
      const scanner = acc.layer();
      for (let i = 0; i < layer.length; i += size) scanner.push(layer.subarray(i, i + size));
      expect([...acc.files].map(([k, v]) => [k, Buffer.from(v).toString()])).toEqual([...whole].map(([k, v]) => [k, Buffer.from(v).toString()]));
      expect(acc.files.has("big/unwanted")).toBe(false);
    }
  });
});
