import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { PACKAGE_DB_PATHS, parseApkInstalled, parseDpkgStatus, parseRpmQuery, rpmQueryArgs, type PackageSet } from "../core/build/index.js";
import type { ImageManifest } from "../core/oci/manifest.js";
import type { RepositoryRef } from "../core/oci/reference.js";
import type { RegistryClient } from "../registry/index.js";
import { run, works } from "./exec.js";
import { filesFromLayers } from "./tar.js";

export interface ImagePackages {
  db: "dpkg" | "apk" | "rpm" | "none";
  packages?: PackageSet;
  note?: string;
}

async function layerTars(client: RegistryClient, repo: RepositoryRef, m: ImageManifest): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const l of m.layers) {
    const blob = await client.getBlob(repo, l.digest);
    if (/gzip/.test(l.mediaType)) out.push(gunzipSync(blob));
    else if (/zstd/.test(l.mediaType)) throw new Error(`zstd layers are not read yet (${l.digest})`);
    else out.push(blob);
  }
  return out;
}

/**
 * Reads an image's installed packages from the registry (the publish job has no local images): the layers are
 * applied in order and the package database found in the result is parsed. rpm's database is queried with
 * `rpm --root` on a copy, when rpm is installed.
 */
export async function readImagePackages(client: RegistryClient, repo: RepositoryRef, m: ImageManifest): Promise<ImagePackages> {
  const tars = await layerTars(client, repo, m);
  const rpmDirs = PACKAGE_DB_PATHS.rpm.map((p) => `${p}/`);
  const files = filesFromLayers(tars, [PACKAGE_DB_PATHS.dpkg, PACKAGE_DB_PATHS.apk, ...rpmDirs]);
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
