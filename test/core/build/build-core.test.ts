import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tables } from "../../helpers/markdown.js";
import {
  assembleIndex,
  archTag,
  baseImages,
  buildinfoPath,
  candidateTags,
  checkApprovedBases,
  compareComponents,
  computeLabels,
  missingBaseArches,
  archImageDigest,
  parseApkInstalled,
  parseArchDigests,
  parseDpkgStatus,
  parsePrNumber,
  parseRpmQuery,
  pinFrom,
  recordArtifactManifest,
  referrersTag,
  serializeRecord,
  EMPTY_CONFIG,
} from "../../../src/core/build/index.js";
import { parseDockerfile } from "../../../src/core/dockerfile/index.js";
import { packageComparison } from "../../../src/core/report/job-summary/index.js";
import { createHash } from "node:crypto";

const FIX = join(import.meta.dirname, "../../fixtures/build");
const read = (p: string) => readFileSync(join(FIX, p), "utf8");
const SHA = "0123456789abcdef0123456789abcdef01234567";
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe("candidate tags", () => {
  it("names a PR build pr-<N>-<sha7> and sha-<sha>", () => {
    expect(candidateTags(SHA, 42)).toEqual(["pr-42-0123456", `sha-${SHA}`]);
    expect(candidateTags(SHA)).toEqual([`sha-${SHA}`]);
    expect(candidateTags(SHA, 42, true)).toEqual([`scratch-${SHA}`]);
    expect(archTag(SHA, "aarch64")).toBe(`sha-${SHA}-aarch64`);
  });
  it("refuses short SHAs and bad PR numbers", () => {
    expect(() => candidateTags("0123456")).toThrow(/full commit SHA/);
    expect(() => candidateTags(SHA, 0)).toThrow(/pull request number/);
    expect(() => parsePrNumber("12; rm -rf /")).toThrow(/pull request number/);
    expect(parsePrNumber("")).toBeUndefined();
    expect(parsePrNumber("7")).toBe(7);
  });
});

describe("labels", () => {
  const base = {
    name: "fedora/httpd",
    version: "2.4",
    release: "1",
    arch: "aarch64" as const,
    source: "https://github.com/my-org/httpd",
    revision: SHA,
    sourceDateEpoch: 1_700_000_000,
  };
  it("sets OCI and OSBS labels from the commit only", () => {
    const l = computeLabels(base);
    expect(l["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:20Z");
    expect(l["build-date"]).toBe("2023-11-14T22:13:20Z");
    expect(l["vcs-ref"]).toBe(SHA);
    expect(l["vcs-type"]).toBe("git");
    expect(l.architecture).toBe("aarch64");
    expect(l["com.redhat.component"]).toBe("httpd");
    expect(l["org.opencontainers.image.title"]).toBe("fedora/httpd");
    expect(Object.keys(l)).toEqual([...Object.keys(l)].sort());
    expect(computeLabels(base)).toEqual(l);
  });
  it("embeds the Dockerfile where OSBS did", () => {
    expect(buildinfoPath("fedora/httpd", "2.4", "1")).toBe("/root/buildinfo/Dockerfile-fedora-httpd-2.4-1");
  });
});

describe("FROM pinning", () => {
  const text = read("Dockerfile.multistage");
  it("lists external bases after ARG substitution and checks policy", () => {
    const bases = baseImages(parseDockerfile(text));
    expect(bases.map((b) => b.ref)).toEqual(["registry.fedoraproject.org/fedora:40", "quay.io/fedora/fedora-minimal:40"]);
    expect(() => checkApprovedBases(bases, ["registry.fedoraproject.org", "quay.io/fedora"])).not.toThrow();
    expect(() => checkApprovedBases(bases, ["registry.fedoraproject.org"])).toThrow(
      /quay.io\/fedora\/fedora-minimal:40 not from an approved/,
    );
  });
  it("rewrites each FROM to a digest, keeping flags, stage names and other lines", () => {
    const digests = new Map([
      ["registry.fedoraproject.org/fedora:40", D("a")],
      ["quay.io/fedora/fedora-minimal:40", D("b")],
    ]);
    const out = pinFrom(text, digests).split("\n");
    expect(out[1]).toBe(`FROM --platform=$BUILDPLATFORM registry.fedoraproject.org/fedora@${D("a")} AS builder`);
    expect(out[4]).toBe(`FROM quay.io/fedora/fedora-minimal@${D("b")}`);
    expect(out.filter((_, i) => i !== 1 && i !== 4)).toEqual(text.split("\n").filter((_, i) => i !== 1 && i !== 4));
  });
  it("pins a stage to the target arch's image, but a --platform stage to the index", () => {
    const digests = new Map([
      ["registry.fedoraproject.org/fedora:40", D("a")],
      ["quay.io/fedora/fedora-minimal:40", D("b")],
    ]);
    const perArch = new Map([
      ["registry.fedoraproject.org/fedora:40", D("c")],
      ["quay.io/fedora/fedora-minimal:40", D("d")],
    ]);
    const out = pinFrom(text, digests, {}, perArch).split("\n");
    expect(out[1]).toBe(`FROM --platform=$BUILDPLATFORM registry.fedoraproject.org/fedora@${D("a")} AS builder`);
    expect(out[4]).toBe(`FROM quay.io/fedora/fedora-minimal@${D("d")}`);
    const idx = {
      manifests: [
        { digest: D("1"), platform: { os: "linux", architecture: "amd64" } },
        { digest: D("2"), platform: { os: "linux", architecture: "arm64" } },
      ],
    };
    expect(archImageDigest(idx, "aarch64")).toBe(D("2"));
    expect(archImageDigest(idx, "s390x")).toBeUndefined();
  });
  it("treats COPY --from=<image> and RUN --mount=from=<image> as base images: listed, checked against policy, pinned", () => {
    const t = [
      "FROM registry.fedoraproject.org/fedora:41 AS build",
      "RUN true",
      "FROM registry.fedoraproject.org/fedora-minimal:41",
      "COPY --from=build /out /out",
      "COPY --chown=1001 --from=quay.io/fedora/tools:41 /usr/bin/tool /usr/bin/",
      "RUN --mount=type=bind,from=docker.io/library/busybox:1.36,source=/bin/busybox,target=/b /b true",
      "RUN --mount=type=cache,target=/var/cache/libdnf5 echo --from=docker.io/evil/not-a-flag:1",
      "",
    ].join("\n");
    const bases = baseImages(parseDockerfile(t));
    // A stage (`build`) is no image; a `--from` inside the command is the command's own.
    expect(bases.map((b) => b.ref)).toEqual([
      "registry.fedoraproject.org/fedora:41",
      "registry.fedoraproject.org/fedora-minimal:41",
      "quay.io/fedora/tools:41",
      "docker.io/library/busybox:1.36",
    ]);
    expect(() => checkApprovedBases(bases, ["registry.fedoraproject.org", "quay.io/fedora"])).toThrow(
      /docker.io\/library\/busybox:1.36 not from an approved/,
    );
    const digests = new Map(bases.map((b, i) => [b.ref, D(String(i + 1))]));
    const out = pinFrom(t, digests).split("\n");
    expect(out[3]).toBe("COPY --from=build /out /out");
    expect(out[4]).toBe(`COPY --chown=1001 --from=quay.io/fedora/tools@${D("3")} /usr/bin/tool /usr/bin/`);
    expect(out[5]).toBe(`RUN --mount=type=bind,from=docker.io/library/busybox@${D("4")},source=/bin/busybox,target=/b /b true`);
    expect(out[6]).toBe(t.split("\n")[6]);
  });
  it("follows build args and refuses an unresolved FROM", () => {
    const t = "ARG TAG\nFROM registry.fedoraproject.org/fedora:${TAG}\n";
    expect(() => baseImages(parseDockerfile(t))).toThrow(/\$TAG with no value/);
    const bases = baseImages(parseDockerfile(t, "Dockerfile", { buildArgs: { TAG: "41" } }));
    expect(bases[0]!.ref).toBe("registry.fedoraproject.org/fedora:41");
    expect(pinFrom(t, new Map([[bases[0]!.ref, D("c")]]), { TAG: "41" })).toBe(
      `ARG TAG\nFROM registry.fedoraproject.org/fedora@${D("c")}\n`,
    );
  });
  it("says which planned arch a multi-arch base lacks", () => {
    const idx = { manifests: [{ platform: { os: "linux", architecture: "amd64" } }, { platform: { os: "linux", architecture: "arm64" } }] };
    expect(missingBaseArches(idx, ["x86_64", "aarch64"])).toEqual([]);
    expect(missingBaseArches(idx, ["x86_64", "aarch64", "s390x"])).toEqual(["s390x"]);
    expect(missingBaseArches({}, ["x86_64", "aarch64"], "x86_64")).toEqual(["aarch64"]);
  });
});

describe("index assembly", () => {
  const amd = { arch: "x86_64" as const, digest: D("1"), manifestSize: 500, mediaType: "application/vnd.oci.image.manifest.v1+json" };
  const arm = { arch: "aarch64" as const, digest: D("2"), manifestSize: 501, mediaType: "application/vnd.oci.image.manifest.v1+json" };
  it("orders entries by the fixed arch order whatever order the jobs finished in", () => {
    const a = assembleIndex([arm, amd]);
    const b = assembleIndex([amd, arm]);
    expect(a.bytes).toBe(b.bytes);
    expect(a.index.manifests.map((m) => m.platform?.architecture)).toEqual(["amd64", "arm64"]);
  });
  it("refuses duplicates, bad digests and an empty set", () => {
    expect(() => assembleIndex([amd, amd])).toThrow(/given twice/);
    expect(() => assembleIndex([{ ...amd, digest: "sha256:xyz" }])).toThrow(/not a sha256 digest/);
    expect(() => assembleIndex([])).toThrow(/no per-arch images/);
  });
  it("parses the digests input with clear errors", () => {
    expect([...parseArchDigests(JSON.stringify({ aarch64: D("2"), x86_64: D("1") }))]).toEqual([
      ["aarch64", D("2")],
      ["x86_64", D("1")],
    ]);
    expect(() => parseArchDigests("{")).toThrow(/JSON object/);
    expect(() => parseArchDigests("[]")).toThrow(/JSON object/);
    expect(() => parseArchDigests(JSON.stringify({ arm64: D("1") }))).toThrow(/unknown arch "arm64"/);
    expect(() => parseArchDigests("{}")).toThrow(/empty/);
  });
});

describe("package databases and drift", () => {
  it("reads installed packages from dpkg status, skipping removed ones", () => {
    const p = parseDpkgStatus(read("dpkg/status-x86_64"));
    expect([...p]).toEqual([
      ["busybox-static", "1:1.35.0-4+deb12u1+b1"],
      ["libc6", "2.36-9+deb12u13"],
      ["tzdata", "2025b-0+deb12u1"],
    ]);
  });
  it("reads rpm query output and the apk db", () => {
    expect([...parseRpmQuery(read("rpm-qa.txt"))]).toEqual([
      ["bash", "5.2.26-3.fc40"],
      ["openssl-libs", "1:3.2.1-2.fc40"],
    ]);
    expect([...parseApkInstalled(read("apk-installed"))]).toEqual([
      ["musl", "1.2.5-r0"],
      ["busybox", "1.36.1-r29"],
    ]);
  });
  it("reports packages whose version differs between arches, not arch-only ones", () => {
    const x = parseDpkgStatus(read("dpkg/status-x86_64"));
    const a = parseDpkgStatus(read("dpkg/status-aarch64"));
    a.set("grub-efi-arm64", "2.06-13");
    const drift = compareComponents(
      new Map([
        ["aarch64", a],
        ["x86_64", x],
      ]),
    );
    expect(drift).toEqual([{ name: "libc6", versions: { x86_64: "2.36-9+deb12u13", aarch64: "2.36-9+deb12u10" } }]);
    // Was pinned as the entities written (`2.36&#45;9&#43;...`); a hyphen or plus mid-text needs none, so as rendered:
    const readArch = (arch: "x86_64" | "aarch64") => ({ arch, digest: D("1"), size: 1, packages: { db: "dpkg" as const, count: 2 } });
    expect(tables(packageComparison([readArch("x86_64"), readArch("aarch64")], drift, "warn").join("\n\n"))[0]![1]).toEqual([
      "libc6",
      "2.36-9+deb12u13",
      "2.36-9+deb12u10",
    ]);
    expect(
      compareComponents(
        new Map([
          ["x86_64", x],
          ["aarch64", x],
        ]),
      ),
    ).toEqual([]);
  });
});

describe("build record", () => {
  it("is canonical and points at the index as its subject", () => {
    const rec = serializeRecord({
      schema: "flibs.build-record/v1",
      image: "demo",
      indexDigest: D("9"),
      commit: SHA,
      labels: {},
      arches: { aarch64: { digest: D("2"), size: 2, packages: { z: "1", a: "2" } }, x86_64: { digest: D("1"), size: 1 } },
      componentDrift: [],
      driftPolicy: "warn",
    });
    const parsed = JSON.parse(rec);
    expect(Object.keys(parsed.arches)).toEqual(["x86_64", "aarch64"]);
    expect(Object.keys(parsed.arches.aarch64.packages)).toEqual(["a", "z"]);
    const m = JSON.parse(
      recordArtifactManifest(
        { digest: D("3"), size: 10 },
        { mediaType: "application/vnd.oci.image.index.v1+json", digest: D("9"), size: 300 },
        "2023-11-14T22:13:20Z",
      ),
    );
    expect(m.subject).toEqual({ mediaType: "application/vnd.oci.image.index.v1+json", digest: D("9"), size: 300 });
    expect(m.artifactType).toBe("application/vnd.flibs.build-record.v1+json");
    expect(referrersTag(D("9"))).toBe(`sha256-${"9".repeat(64)}`);
    expect(`sha256:${createHash("sha256").update("{}").digest("hex")}`).toBe(EMPTY_CONFIG.digest);
  });
});
