import fc from "fast-check";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BuildahBuilder,
  BuildxBuilder,
  buildahBudArgs,
  buildahEnv,
  buildahGlobalArgs,
  buildahUsernsArgs,
  type BuildahOptions,
  buildxArgs,
  rootUserns,
  buildxTestArgs,
  filesFromLayers,
  LayeredFiles,
  onPath,
  parseBuilderChoice,
  selectBuilder,
  TopDownFiles,
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
    expect(pairs("--isolation")).toEqual(["oci"]);
    expect(pairs("--label")).toEqual(["vcs-ref=abc", "architecture=aarch64"]);
    expect(pairs("--build-arg")).toEqual(["FOO=bar", "SOURCE_DATE_EPOCH=1700000000"]);
    expect(pairs("--build-context")).toEqual(["flibs-buildinfo=work/buildinfo"]);
    expect(argv).toContain("--tls-verify=true");
    expect(argv).toContain("--identity-label=false");
    expect(argv.slice(-5)).toEqual(["-f", "work/Dockerfile", "-t", "localhost/x", "ctx"]);
    expect(buildahBudArgs({ ...spec, insecure: true, authFile: "a.json" }, {}, "x")).toEqual(
      expect.arrayContaining(["--tls-verify=false", "--authfile", "a.json"]),
    );
  });

  it("isolates RUN steps with an OCI runtime by default, and chroot only when asked", () => {
    const isolation = (o: Parameters<typeof buildahBudArgs>[1]) => {
      const argv = buildahBudArgs(spec, o, "x");
      return argv[argv.indexOf("--isolation") + 1];
    };
    expect(isolation({})).toBe("oci");
    expect(isolation({ isolation: "chroot" })).toBe("chroot");
  });

  it("maps container root to an unprivileged host id when the Action runs as root; rootless buildah maps by itself", () => {
    const map = "0:1000000000:65536";
    expect(rootUserns("oci", 0)).toEqual({ hostId: 1_000_000_000 });
    expect(rootUserns("oci", 1001)).toBeUndefined();
    expect(rootUserns("chroot", 0)).toBeUndefined();
    expect(buildahUsernsArgs({ userns: rootUserns("oci", 0) })).toEqual(["--userns-uid-map", map, "--userns-gid-map", map]);
    expect(buildahUsernsArgs({ userns: { hostId: 200_000 } })).toEqual([
      "--userns-uid-map",
      "0:200000:65536",
      "--userns-gid-map",
      "0:200000:65536",
    ]);
    expect(buildahUsernsArgs({})).toEqual([]);
    expect(buildahUsernsArgs({ isolation: "chroot", userns: { hostId: 200_000 } })).toEqual([]);
    const argv = buildahBudArgs(spec, { userns: { hostId: 200_000 } }, "x");
    expect(argv.slice(argv.indexOf("bud"), argv.indexOf("bud") + 7)).toEqual([
      "bud",
      "--isolation",
      "oci",
      "--userns-uid-map",
      "0:200000:65536",
      "--userns-gid-map",
      "0:200000:65536",
    ]);
  });

  it("keeps a mapped build's storage on vfs, whatever driver was asked for: overlay would commit host ids (test/builder/userns.test.ts)", () => {
    const driver = (o: BuildahOptions) => {
      const argv = buildahGlobalArgs(o);
      return argv.includes("--storage-driver") ? argv[argv.indexOf("--storage-driver") + 1] : undefined;
    };
    expect(driver({ userns: rootUserns("oci", 0) })).toBe("vfs");
    expect(driver({ userns: { hostId: 200_000 }, storageDriver: "overlay" })).toBe("vfs");
    expect(driver({ storageDriver: "overlay" })).toBe("overlay");
    expect(driver({ isolation: "chroot", userns: { hostId: 200_000 }, storageDriver: "overlay" })).toBe("overlay");
    expect(driver({})).toBeUndefined();
  });

  it("passes buildah what it and the runner need of the environment, and no job secret", () => {
    const env = buildahEnv(
      {
        PATH: "/usr/bin",
        HOME: "/home/runner",
        TMPDIR: "/tmp",
        CONTAINERS_STORAGE_CONF: "/etc/s.conf",
        https_proxy: "http://proxy:3128",
        NO_PROXY: "localhost",
        RUNNER_TRACKING_ID: "github_1",
        INPUT_PASSWORD: "secret",
        GITHUB_TOKEN: "ghs_x",
        ACTIONS_RUNTIME_TOKEN: "t",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
        AWS_SECRET_ACCESS_KEY: "k",
      },
      { tmpdir: "/runner/_temp/flibs-job-1/tmp" },
    );
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/runner",
      TMPDIR: "/runner/_temp/flibs-job-1/tmp",
      CONTAINERS_STORAGE_CONF: "/etc/s.conf",
      https_proxy: "http://proxy:3128",
      NO_PROXY: "localhost",
      RUNNER_TRACKING_ID: "github_1",
    });
  });
});

// There is no Docker engine on the test machines: the buildx backend is checked by the argv it would run.
describe("docker buildx backend (argv only)", () => {
  it("pushes one platform with SOURCE_DATE_EPOCH, rewritten timestamps and a metadata file for the digest", () => {
    const argv = buildxArgs(spec, "meta.json");
    expect(argv.slice(0, 4)).toEqual(["buildx", "build", "--platform", "linux/arm64"]);
    expect(argv).toEqual(
      expect.arrayContaining(["--provenance=false", "--metadata-file", "meta.json", "--build-arg", "SOURCE_DATE_EPOCH=1700000000"]),
    );
    expect(argv).toContain(
      "type=image,name=registry.example.com/cand/app:sha-x-aarch64,push=true,oci-mediatypes=true,rewrite-timestamp=true",
    );
    expect(argv).toEqual(expect.arrayContaining(["--build-context", "flibs-buildinfo=work/buildinfo", "--label", "vcs-ref=abc"]));
    expect(buildxArgs({ ...spec, insecure: true }, "m").find((a) => a.startsWith("type=image"))).toMatch(/,registry.insecure=true$/);
  });
  it("runs a test in the pushed image for the arch", () => {
    expect(buildxTestArgs({ digest: "sha256:1", handle: "r/app@sha256:1" }, "aarch64", { name: "t", command: "echo hi" })).toEqual([
      "run",
      "--rm",
      "--platform",
      "linux/arm64",
      "--entrypoint",
      "/bin/sh",
      "r/app@sha256:1",
      "-c",
      "echo hi",
    ]);
  });
});

describe("backend choice", () => {
  it("auto takes buildah when it runs, buildx when only `docker buildx version` works, and says what to install otherwise", async () => {
    const has = (ok: string[]) => async (cmd: string, args: string[]) => ok.includes([cmd, ...args].join(" "));
    expect((await selectBuilder("auto", {}, has(["buildah --version", "runc --version", "docker buildx version"]))).name).toBe("buildah");
    expect(await selectBuilder("auto", {}, has(["docker buildx version"]))).toBeInstanceOf(BuildxBuilder);
    await expect(selectBuilder("auto", {}, has([]))).rejects.toThrow(/install buildah \(or Docker with buildx\)/);
    expect((await selectBuilder("auto", { isolation: "chroot" }, has(["buildah --version"]))).name).toBe("buildah");
    expect(await selectBuilder("buildx")).toBeInstanceOf(BuildxBuilder);
    expect(parseBuilderChoice("")).toBe("auto");
    expect(() => parseBuilderChoice("kaniko")).toThrow(/auto, buildah or buildx/);
  });
  it("buildah with oci isolation needs an OCI runtime: without runc or crun it says what to install before building", async () => {
    const has = (ok: string[]) => async (cmd: string, args: string[]) => ok.includes([cmd, ...args].join(" "));
    await expect(selectBuilder("buildah", {}, has(["buildah --version"]), {})).rejects.toThrow(/install runc .*build\.isolation: chroot/);
    await expect(selectBuilder("auto", { isolation: "oci" }, has(["buildah --version"]), {})).rejects.toThrow(/OCI runtime/);
    expect((await selectBuilder("buildah", {}, has(["crun --version"]), {})).name).toBe("buildah");
    expect((await selectBuilder("buildah", {}, has([]), { BUILDAH_RUNTIME: "/opt/runsc" })).name).toBe("buildah");
    expect((await selectBuilder("buildah", { isolation: "chroot" }, has([]), {})).name).toBe("buildah");
  });
  it("auto finds the real buildah on this machine", async () => {
    expect(await selectBuilder("auto")).toBeInstanceOf(BuildahBuilder);
  });
  it("finds buildah by a look on PATH, without running it: executables only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flibs-path-"));
    try {
      await writeFile(join(dir, "tool"), "#!/bin/sh\nexit 1\n");
      await writeFile(join(dir, "plain-file"), "");
      await chmod(join(dir, "tool"), 0o755);
      expect(await onPath("tool", `/nonexistent:${dir}`)).toBe(true);
      expect(await onPath("plain-file", dir)).toBe(false);
      expect(await onPath("absent", dir)).toBe(false);
      expect(await onPath(join(dir, "tool"), "")).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
    const l1 = tar([
      ["var/lib/dpkg/status", "one"],
      ["etc/a", "a"],
      ["var/lib/rpm/rpmdb.sqlite", "db"],
    ]);
    const l2 = tar([
      ["./var/lib/dpkg/status", "two"],
      ["etc/.wh.a", ""],
    ]);
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
    const layer = tar([
      ["big/unwanted", "u".repeat(5000)],
      ["././@LongLink", long, "L"],
      [long.slice(0, 100), body],
      ["lib/apk/db/installed", "P:musl\nV:1\n"],
    ]);
    const whole = filesFromLayers([layer], [long, "lib/apk/db/installed"]);
    expect(Buffer.from(whole.get(long)!).toString()).toBe(body);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      const acc = new LayeredFiles([long, "lib/apk/db/installed"]);
      const scanner = acc.layer();
      for (let i = 0; i < layer.length; i += size) scanner.push(layer.subarray(i, i + size));
      expect([...acc.files].map(([k, v]) => [k, Buffer.from(v).toString()])).toEqual(
        [...whole].map(([k, v]) => [k, Buffer.from(v).toString()]),
      );
      expect(acc.files.has("big/unwanted")).toBe(false);
    }
  });
});

describe("files from layers, read from the top down", () => {
  const read = (layers: Uint8Array[], wanted: string[]) => {
    const acc = new TopDownFiles(wanted);
    for (const l of [...layers].reverse()) acc.layer().push(l);
    return acc.files;
  };
  const text = (m: ReadonlyMap<string, Uint8Array>) => Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString()]).sort());

  it("gives what reading bottom-up gives, for any stack of files, whiteouts and opaque dirs", () => {
    const paths = ["var/lib/dpkg/status", "var/lib/rpm/a", "var/lib/rpm/b", "var/lib/rpm/sub/c", "etc/x", "lib/apk/db/installed"];
    const whiteouts = [
      "var/lib/dpkg/.wh.status",
      "var/lib/.wh.dpkg",
      "var/lib/rpm/.wh..wh..opq",
      "var/lib/rpm/.wh.a",
      "var/lib/.wh.rpm",
      "var/lib/rpm/sub/.wh..wh..opq",
      "lib/apk/db/.wh.installed",
      ".wh..wh..opq",
    ];
    const wanted = ["var/lib/dpkg/status", "lib/apk/db/installed", "var/lib/rpm/"];
    const layer = fc.record({
      outs: fc.subarray(whiteouts),
      files: fc.array(fc.tuple(fc.constantFrom(...paths), fc.string({ maxLength: 3 })), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 5 }), (stack) => {
        // Whiteouts first in each layer, as container tools write them (before the directory's new entries).
        const tars = stack.map((l) => tar([...l.outs.map((w): [string, string] => [w, ""]), ...l.files]));
        expect(text(read(tars, wanted))).toEqual(text(filesFromLayers(tars, wanted)));
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it("a whiteout hides only the layers below its own, and a file over a wanted directory hides what is under it", () => {
    // Same layer: the new status and a whiteout of the old one, in either order.
    const lower = tar([["var/lib/dpkg/status", "old"]]);
    for (const upper of [
      tar([
        ["var/lib/dpkg/status", "new"],
        ["var/lib/dpkg/.wh.status", ""],
      ]),
      tar([
        ["var/lib/dpkg/.wh.status", ""],
        ["var/lib/dpkg/status", "new"],
      ]),
    ]) {
      expect(text(read([lower, upper], ["var/lib/dpkg/status"]))).toEqual({ "var/lib/dpkg/status": "new" });
    }
    expect(text(read([tar([["var/lib/dpkg/status", "old"]]), tar([["var/lib/dpkg", "now a file"]])], ["var/lib/dpkg/status"]))).toEqual({});
    expect(
      text(
        read(
          [
            tar([["var/lib/rpm/a", "1"]]),
            tar([
              [".wh..wh..opq", ""],
              ["etc/x", "y"],
            ]),
          ],
          ["var/lib/rpm/"],
        ),
      ),
    ).toEqual({});
  });

  it("stops where the caller has enough: the lower layers are never read", () => {
    const acc = new TopDownFiles(["var/lib/dpkg/status"]);
    const layers = [tar([["var/lib/dpkg/status", "base"]]), tar([["etc/x", "y"]]), tar([["var/lib/dpkg/status", "top"]])];
    let read = 0;
    for (const l of [...layers].reverse()) {
      if (acc.files.has("var/lib/dpkg/status")) break;
      acc.layer().push(l);
      read++;
    }
    expect(read).toBe(1);
    expect(text(acc.files)).toEqual({ "var/lib/dpkg/status": "top" });
  });
});
