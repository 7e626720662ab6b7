import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { FlibsError } from "../core/errors.js";
import { PACKAGE_DB_PATHS, parseApkInstalled, parseDpkgStatus, parseRpmQuery, rpmQueryArgs, type PackageSet } from "../core/build/index.js";
import type { ImageManifest } from "../core/oci/manifest.js";
import type { RepositoryRef } from "../core/oci/reference.js";
import type { ImageSource } from "../registry/index.js";
import { run, works } from "./exec.js";
import { TopDownFiles } from "./tar.js";

export interface ImagePackages {
  db: "dpkg" | "apk" | "rpm" | "none";
  packages?: PackageSet;
  note?: string;
}

/**
 * Streams each layer through gunzip into the tar scanner, topmost layer first, until `enough` says the files
 * found settle the question: the base image's layers (the bulk of the bytes) are mostly never fetched.
 * Memory stays at the size of the files kept.
 */
async function scanLayers(
  client: ImageSource,
  repo: RepositoryRef,
  m: ImageManifest,
  wanted: readonly string[],
  enough: (files: ReadonlyMap<string, Uint8Array>) => boolean,
): Promise<Map<string, Uint8Array>> {
  const acc = new TopDownFiles(wanted);
  for (const l of [...m.layers].reverse()) {
    if (enough(acc.files)) break;
    if (l.mediaType.includes("zstd")) throw new FlibsError("build", `layer ${l.digest} is zstd-compressed, which flibs cannot read yet`);
    const scanner = acc.layer();
    const { stream } = await client.getBlobStream(repo, l.digest, l.size);
    const source = Readable.fromWeb(stream);
    const tar = l.mediaType.includes("gzip") ? source.pipe(createGunzip()) : source;
    for await (const chunk of tar) scanner.push(chunk as Uint8Array);
  }
  return acc.files;
}

/**
 * Reads an image's installed packages from the registry (the publish job has no local images): the layers are
 * applied in order and the package database found in the result is parsed. rpm's database is queried with
 * `rpm --root` on a copy, when rpm is installed.
 */
export async function readImagePackages(client: ImageSource, repo: RepositoryRef, m: ImageManifest): Promise<ImagePackages> {
  const rpmDirs = PACKAGE_DB_PATHS.rpm.map((p) => `${p}/`);
  let files: Map<string, Uint8Array>;
  try {
    // dpkg's status file, once found, decides (it is looked for first below), whatever lower layers hold.
    files = await scanLayers(client, repo, m, [PACKAGE_DB_PATHS.dpkg, PACKAGE_DB_PATHS.apk, ...rpmDirs], (f) =>
      f.has(PACKAGE_DB_PATHS.dpkg),
    );
  } catch (e) {
    if (e instanceof FlibsError && e.code === "build") return { db: "none", note: e.message };
    throw e;
  }
  const text = (p: string) => Buffer.from(files.get(p)!).toString("utf8");
  if (files.has(PACKAGE_DB_PATHS.dpkg)) return { db: "dpkg", packages: parseDpkgStatus(text(PACKAGE_DB_PATHS.dpkg)) };
  if (files.has(PACKAGE_DB_PATHS.apk)) return { db: "apk", packages: parseApkInstalled(text(PACKAGE_DB_PATHS.apk)) };
  const rpmFiles = [...files.keys()].filter((k) => rpmDirs.some((d) => k.startsWith(d)));
  if (rpmFiles.length > 0) {
    if (!(await works("rpm", ["--version"]))) return { db: "rpm", note: "rpm database found, but rpm is not installed on this runner" };
    const root = await mkdtemp(join(tmpdir(), "flibs-rpmdb-"));
    try {
      for (const f of rpmFiles) {
        await mkdir(dirname(join(root, f)), { recursive: true });
        await writeFile(join(root, f), files.get(f)!);
      }
      const { stdout } = await run("rpm", rpmQueryArgs(root));
      return { db: "rpm", packages: parseRpmQuery(stdout) };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return { db: "none", note: "no package database (dpkg, apk or rpm) in the image" };
}
