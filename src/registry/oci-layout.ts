/**
 * An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) behind the same interface
 * as the registry client, so `publish` writes an index and its build record here exactly as it pushes
 * them, and `inspect` and `promote` read it. Every blob is written to a temporary file in the layout's
 * root, checked against its digest, then renamed into place: a blob file is whole or absent.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream";
import { FlibsError } from "../core/errors.js";
import { isValidDigest, referrersFallbackTag } from "../core/oci/digest.js";
import {
  LAYOUT_REF_NAME,
  OCI_LAYOUT_FILE,
  layoutEntryFor,
  layoutIndexJson,
  parseLayoutIndex,
  withReferrer,
  withTag,
  withoutTag,
  type LayoutIndex,
} from "../core/oci/layout.js";
import { parseManifest, type Descriptor } from "../core/oci/manifest.js";
import { isManifestMediaType } from "../core/oci/media-types.js";
import type { ImageReference, RepositoryRef } from "../core/oci/reference.js";
import type { BlobData, BlobStream, FetchedManifest, PushBlobResult, VerifiedBlob } from "./client.js";
import { sha256Digest, verifyChunks, verifyingTransform } from "./digest-stream.js";
import type { ImageStore } from "./store.js";

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class OciLayout implements ImageStore {
  readonly dir: string;
  /** index.json is read-modify-written: updates from this process go one after another. */
  private indexQueue: Promise<unknown> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Opens an existing layout; a directory without `oci-layout` is refused. */
  static async open(dir: string): Promise<OciLayout> {
    const layout = new OciLayout(dir);
    const marker = await readFile(join(layout.dir, "oci-layout"), "utf8").catch(() => undefined);
    if (marker === undefined) throw new FlibsError("not-found", `${dir} is not an OCI image layout (no oci-layout file)`);
    return layout;
  }

  /**
   * Opens the layout at `dir`, creating the directory, `oci-layout`, `index.json` and `blobs/` as needed. A
   * directory that holds other files and no `oci-layout` is refused: a layout is never spread over them.
   */
  static async create(dir: string): Promise<OciLayout> {
    const layout = new OciLayout(dir);
    const marker = await readFile(join(layout.dir, "oci-layout"), "utf8").catch(() => undefined);
    if (marker === undefined && (await readdir(layout.dir).catch(() => [])).length > 0) {
      throw new FlibsError("usage", `${dir} is a directory with files in it but not an OCI image layout: name an empty or new directory`);
    }
    await mkdir(join(layout.dir, "blobs", "sha256"), { recursive: true });
    if (marker === undefined) await writeFile(join(layout.dir, "oci-layout"), OCI_LAYOUT_FILE);
    if (!(await exists(join(layout.dir, "index.json")))) await layout.writeIndex({ manifests: [] });
    return layout;
  }

  /** The reference buildah and skopeo take for an image of this layout. */
  transportReference(tag: string): string {
    return `oci:${this.dir}:${tag}`;
  }

  blobPath(digest: string): string {
    if (!isValidDigest(digest)) throw new FlibsError("usage", `"${digest}" is not a valid digest`);
    const colon = digest.indexOf(":");
    return join(this.dir, "blobs", digest.slice(0, colon), digest.slice(colon + 1));
  }

  async readIndex(): Promise<LayoutIndex> {
    let text: string;
    try {
      text = await readFile(join(this.dir, "index.json"), "utf8");
    } catch {
      throw new FlibsError("not-found", `${this.dir} has no index.json`);
    }
    return parseLayoutIndex(text);
  }

  private async writeIndex(index: LayoutIndex): Promise<void> {
    const tmp = join(this.dir, `.index-${randomBytes(6).toString("hex")}.json`);
    await writeFile(tmp, layoutIndexJson(index));
    await rename(tmp, join(this.dir, "index.json"));
  }

  /** Applies `change` to index.json, after any update this process started before. */
  private updateIndex(change: (index: LayoutIndex) => LayoutIndex): Promise<void> {
    const next = this.indexQueue.then(async () => this.writeIndex(change(await this.readIndex())));
    this.indexQueue = next.catch(() => undefined);
    return next;
  }

  /** The descriptor `tag` names (or the layout's only image). */
  async resolve(tag?: string): Promise<Descriptor> {
    return layoutEntryFor(await this.readIndex(), tag);
  }

  async untag(tag: string): Promise<void> {
    await this.updateIndex((i) => withoutTag(i, tag));
  }

  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const listed = ref.digest ? undefined : await this.resolve(ref.tag);
    const digest = ref.digest ?? listed!.digest;
    const name = `manifest ${digest}`;
    const info = await stat(this.blobPath(digest)).catch(() => undefined);
    if (!info) throw new FlibsError("not-found", `${name} not found in the layout ${this.dir}`);
    if (info.size > MAX_MANIFEST_BYTES) throw new FlibsError("registry", `${name} is larger than 4 MiB`);
    const bytes = new Uint8Array(await readFile(this.blobPath(digest)));
    if (sha256Digest(bytes) !== digest) throw new FlibsError("digest-mismatch", `${name}: the layout's file does not hash to its name`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new FlibsError("registry", `${name} is not JSON`);
    }
    const manifest = parseManifest(json, listed?.mediaType);
    const mediaType = listed && isManifestMediaType(listed.mediaType) ? listed.mediaType : manifest.mediaType;
    return { digest, mediaType, bytes, json, manifest };
  }

  async headBlob(_repo: RepositoryRef, digest: string): Promise<{ size: number } | undefined> {
    const info = await stat(this.blobPath(digest)).catch(() => undefined);
    return info ? { size: info.size } : undefined;
  }

  async openBlob(_repo: RepositoryRef, digest: string, size?: number): Promise<VerifiedBlob> {
    const path = this.blobPath(digest);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new FlibsError("not-found", `blob ${digest} not found in the layout ${this.dir}`);
    const length = size ?? info.size;
    const chunks = pipeline(createReadStream(path), verifyingTransform(digest, length, `blob ${digest} of ${this.dir}`), () => {});
    return {
      chunks,
      size: length,
      verified: true,
      cancel: () => {
        chunks.destroy();
        return Promise.resolve();
      },
    };
  }

  async getBlob(repo: RepositoryRef, digest: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of (await this.openBlob(repo, digest)).chunks) parts.push(c as Uint8Array);
    return Buffer.concat(parts);
  }

  async getBlobStream(repo: RepositoryRef, digest: string, size?: number): Promise<BlobStream> {
    const blob = await this.openBlob(repo, digest, size);
    return { stream: ReadableStream.from(blob.chunks), size: blob.size };
  }

  async pushBlob(repo: RepositoryRef, digest: string, data: BlobData, size: number): Promise<PushBlobResult> {
    const have = await this.headBlob(repo, digest);
    if (have?.size === size) {
      if (data instanceof ReadableStream) await data.cancel();
      else if (isVerified(data)) await data.cancel();
      return "exists";
    }
    await this.writeBlob(digest, data, size);
    return "uploaded";
  }

  private async writeBlob(digest: string, data: BlobData, size: number): Promise<void> {
    const path = this.blobPath(digest);
    await mkdir(join(path, ".."), { recursive: true });
    const tmp = join(this.dir, `.blob-${randomBytes(6).toString("hex")}`);
    const what = `blob ${digest}`;
    try {
      if (data instanceof Uint8Array) {
        if (sha256Digest(data) !== digest) throw new FlibsError("digest-mismatch", `${what}: the bytes given do not hash to ${digest}`);
        if (data.byteLength !== size) throw new FlibsError("digest-mismatch", `${what}: ${data.byteLength} bytes given, ${size} announced`);
        await writeFile(tmp, data);
      } else {
        const source: AsyncIterable<Uint8Array> = isVerified(data)
          ? (data.chunks as AsyncIterable<Uint8Array>)
          : (data as AsyncIterable<Uint8Array>);
        const checked = isVerified(data) ? source : verifyChunks(source, digest, size, what);
        const file = await open(tmp, "w");
        try {
          for await (const chunk of checked) await file.write(chunk);
        } finally {
          await file.close();
        }
      }
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async putManifest(repo: RepositoryRef, tagOrDigest: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const byDigest = isValidDigest(tagOrDigest);
    if (byDigest && tagOrDigest !== digest)
      throw new FlibsError("digest-mismatch", `refusing to write manifest as ${tagOrDigest}: its bytes hash to ${digest}`);
    await this.pushBlob(repo, digest, bytes, bytes.byteLength);
    if (!byDigest) await this.updateIndex((i) => withTag(i, tagOrDigest, { mediaType, digest, size: bytes.byteLength }));
    return digest;
  }

  async putReferrer(repo: RepositoryRef, _subjectDigest: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    await this.pushBlob(repo, digest, bytes, bytes.byteLength);
    const m = parseManifest(JSON.parse(new TextDecoder().decode(bytes)), mediaType);
    const artifactType = m.artifactType ?? (m.kind === "manifest" ? m.config.mediaType : undefined);
    await this.updateIndex((i) =>
      withReferrer(i, { mediaType, digest, size: bytes.byteLength, ...(artifactType ? { artifactType } : {}) }),
    );
    return digest;
  }

  /**
   * Referrers of `digest`: untagged manifests of index.json whose `subject` it is (as flibs and oras write
   * them), and the entries of a `sha256-<hex>` referrers index (the tag fallback other tools write).
   */
  async getReferrers(_repo: RepositoryRef, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const index = await this.readIndex();
    const found = new Map<string, Descriptor>();
    for (const entry of index.manifests) {
      if (entry.digest === digest || entry.annotations?.[LAYOUT_REF_NAME] !== undefined || !isManifestMediaType(entry.mediaType)) continue;
      const m = await this.getManifest({ registry: "", repository: "", digest: entry.digest }).catch(() => undefined);
      if (m?.manifest.subject?.digest !== digest) continue;
      const type = m.manifest.artifactType ?? (m.manifest.kind === "manifest" ? m.manifest.config.mediaType : undefined);
      found.set(entry.digest, {
        mediaType: m.mediaType,
        digest: entry.digest,
        size: m.bytes.byteLength,
        ...(type ? { artifactType: type } : {}),
        ...(m.manifest.annotations ? { annotations: m.manifest.annotations } : {}),
      });
    }
    const fallback = index.manifests.find((e) => e.annotations?.[LAYOUT_REF_NAME] === referrersFallbackTag(digest));
    if (fallback) {
      const m = await this.getManifest({ registry: "", repository: "", digest: fallback.digest });
      if (m.manifest.kind === "index") for (const d of m.manifest.manifests) if (!found.has(d.digest)) found.set(d.digest, d);
    }
    const all = [...found.values()];
    return artifactType ? all.filter((d) => d.artifactType === artifactType) : all;
  }
}

function isVerified(d: BlobData): d is VerifiedBlob {
  return typeof d === "object" && "verified" in d && d.verified;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** The files of a layout, relative to its root, in a fixed order: `oci-layout`, `index.json`, then the blobs by name. */
export async function layoutFiles(layout: OciLayout): Promise<string[]> {
  const out = ["oci-layout", "index.json"];
  for (const alg of (await readdir(join(layout.dir, "blobs"))).sort()) {
    for (const hex of (await readdir(join(layout.dir, "blobs", alg))).sort()) out.push(`blobs/${alg}/${hex}`);
  }
  return out;
}
