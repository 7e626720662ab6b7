/**
 * An OCI distribution-spec client (over node:http, see transport.ts). Manifests keep their raw bytes and exact media type
 * (a digest must survive), every manifest GET is verified against its digest, blobs stream.
 */
import { FlibsError } from "../core/errors.js";
import { isValidDigest, referrersFallbackTag } from "../core/oci/digest.js";
import { MANIFEST_ACCEPT, MEDIA_TYPES, isManifestMediaType } from "../core/oci/media-types.js";
import { parseManifest, referrersIndex, type Descriptor, type Manifest } from "../core/oci/manifest.js";
import { formatRepository, referenceTarget, type ImageReference, type RepositoryRef } from "../core/oci/reference.js";
import { pipeline } from "node:stream";
import type { Readable } from "node:stream";
import { digestLike, sha256Digest, verifyChunks, verifyingTransform } from "./digest-stream.js";
import type { ImageStore } from "./store.js";
import { Transport, registryMessage, scope, type RegistryResponse, type TransferStats, type TransportOptions } from "./transport.js";

export type RegistryClientOptions = TransportOptions;

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  /** Exactly the bytes the registry sent. */
  bytes: Uint8Array;
  json: unknown;
  manifest: Manifest;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface BlobStream {
  /** Verified while read: errors at the end if the bytes do not match the digest and size. */
  stream: ReadableStream<Uint8Array>;
  size: number;
}

export type PushBlobResult = "exists" | "uploaded";

/** Blob content from `openBlob`: chunks already checked against the digest as they are read. */
export interface VerifiedBlob {
  /** A Node stream (also an async iterable) that errors at its end on a digest or size mismatch. */
  chunks: Readable;
  size: number;
  verified: true;
  cancel(): Promise<void>;
}

export type BlobData = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | VerifiedBlob;

function isVerifiedBlob(d: BlobData): d is VerifiedBlob {
  return typeof d === "object" && "verified" in d && d.verified;
}

export interface PushBlobOptions {
  /** Upload in PATCH chunks of this many bytes instead of one request. */
  chunkSize?: number;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const manifestPath = (repo: RepositoryRef, ref: string): string => `/v2/${repo.repository}/manifests/${ref}`;
const blobPath = (repo: RepositoryRef, digest: string): string => `/v2/${repo.repository}/blobs/${digest}`;

function notFound(what: string): FlibsError {
  return new FlibsError("not-found", `${what} not found`);
}

/** How often a manifest PUT the registry answered DIGEST_INVALID (for bytes known to match) is sent again. */
const MANIFEST_DIGEST_RETRIES = 2;

function failure(res: RegistryResponse, what: string): FlibsError {
  return new FlibsError("registry", `${what}: HTTP ${res.status} ${registryMessage(res.text())}`.trim(), {
    detail: { status: res.status },
  });
}

function mediaTypeOf(res: RegistryResponse): string {
  return (res.header("content-type") ?? "").split(";")[0]!.trim();
}

/** Resolves an upload Location (relative or absolute, maybe already with a query) and adds params. */
export function uploadUrl(base: string, location: string, params: Record<string, string> = {}): string {
  const u = new URL(location, base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

export class RegistryClient implements ImageStore {
  readonly transport: Transport;
  /** Registries whose referrers API answered "not implemented": go straight to the fallback tag. */
  private readonly noReferrersApi = new Set<string>();

  constructor(options: RegistryClientOptions = {}) {
    this.transport = new Transport(options);
  }

  get stats(): TransferStats {
    return this.transport.stats;
  }

  /** `GET /v2/`: reachable and (after the auth dance) authorised. */
  async ping(registry: string): Promise<void> {
    const res = await this.transport.request(registry, "/v2/", { scopes: [] });
    if (!res.ok) throw failure(res, `${registry} /v2/`);
  }

  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const target = referenceTarget(ref);
    const name = `${formatRepository(ref)}${ref.digest ? `@${ref.digest}` : `:${target}`}`;
    const res = await this.transport.request(ref.registry, manifestPath(ref, target), {
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [scope(ref.repository, "pull")],
      accept: [404],
    });
    if (res.status === 404) throw notFound(`manifest ${name}`);
    if (!res.ok) throw failure(res, `GET manifest ${name}`);
    const bytes = new Uint8Array(res.body);
    if (bytes.byteLength > MAX_MANIFEST_BYTES) throw new FlibsError("registry", `manifest ${name} is larger than 4 MiB`);
    const computed = sha256Digest(bytes);
    const expected = ref.digest ?? res.header("docker-content-digest") ?? undefined;
    // Whatever the algorithm (sha256, sha512): a manifest is never taken for a digest it does not hash to.
    const got = expected && !expected.startsWith("sha256:") ? digestLike(bytes, expected) : computed;
    if (expected && expected !== got) {
      throw new FlibsError("digest-mismatch", `manifest ${name}: body digest ${got} does not match ${expected}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new FlibsError("registry", `manifest ${name} is not JSON`);
    }
    const manifest = parseManifest(json, mediaTypeOf(res));
    const header = mediaTypeOf(res);
    const mediaType = isManifestMediaType(header) ? header : manifest.mediaType;
    return { digest: ref.digest ?? computed, mediaType, bytes, json, manifest };
  }

  /** HEAD a manifest; `undefined` when it does not exist. */
  async headManifest(ref: ImageReference): Promise<ManifestHead | undefined> {
    const target = referenceTarget(ref);
    const res = await this.transport.request(ref.registry, manifestPath(ref, target), {
      method: "HEAD",
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [scope(ref.repository, "pull")],
      accept: [404],
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw failure(res, `HEAD manifest ${formatRepository(ref)}:${target}`);
    const digest = res.header("docker-content-digest") ?? ref.digest;
    if (!digest) {
      // Registries should send Docker-Content-Digest; without it, fetch and hash.
      const m = await this.getManifest(ref);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.byteLength };
    }
    return { digest, mediaType: mediaTypeOf(res), size: Number(res.header("content-length") ?? 0) };
  }

  /** PUTs raw manifest bytes under a tag or digest; returns the digest, checked against the bytes. */
  async putManifest(repo: RepositoryRef, tagOrDigest: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    return (await this.putManifestDetailed(repo, tagOrDigest, bytes, mediaType)).digest;
  }

  private async putManifestDetailed(
    repo: RepositoryRef,
    tagOrDigest: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<{ digest: string; subjectAware: boolean }> {
    const computed = sha256Digest(bytes);
    if (isValidDigest(tagOrDigest) && tagOrDigest !== computed) {
      throw new FlibsError("digest-mismatch", `refusing to PUT manifest as ${tagOrDigest}: its bytes hash to ${computed}`);
    }
    const put = () =>
      this.transport.request(repo.registry, manifestPath(repo, tagOrDigest), {
        method: "PUT",
        headers: { "content-type": mediaType },
        body: bytes,
        scopes: [scope(repo.repository, "pull,push")],
      });
    let res = await put();
    // The bytes were checked against the digest above, so DIGEST_INVALID here is the registry reading a link
    // of a blob another upload is writing at that moment (CNCF distribution's filesystem store): ask again.
    for (let retry = 1; retry <= MANIFEST_DIGEST_RETRIES && res.status === 400 && res.text().includes("DIGEST_INVALID"); retry++) {
      await new Promise((r) => setTimeout(r, 100 * retry));
      res = await put();
    }
    if (res.status !== 201 && res.status !== 200) throw failure(res, `PUT manifest ${formatRepository(repo)}:${tagOrDigest}`);
    const digest = res.header("docker-content-digest") ?? computed;
    if (digest !== computed) {
      throw new FlibsError(
        "digest-mismatch",
        `registry stored manifest ${formatRepository(repo)}:${tagOrDigest} as ${digest}, expected ${computed}`,
      );
    }
    return { digest, subjectAware: res.header("oci-subject") !== undefined };
  }

  /** HEAD a blob; its size, or `undefined` when absent. */
  async headBlob(repo: RepositoryRef, digest: string): Promise<{ size: number } | undefined> {
    const res = await this.transport.request(repo.registry, blobPath(repo, digest), {
      method: "HEAD",
      scopes: [scope(repo.repository, "pull")],
      accept: [404],
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw failure(res, `HEAD blob ${formatRepository(repo)}@${digest}`);
    return { size: Number(res.header("content-length") ?? 0) };
  }

  /** Streams a blob; the stream is verified against `digest` (and `size` if given) as it is read. */
  async getBlobStream(repo: RepositoryRef, digest: string, size?: number): Promise<BlobStream> {
    const blob = await this.openBlob(repo, digest, size);
    return { stream: ReadableStream.from(blob.chunks), size: blob.size };
  }

  /**
   * Opens a blob as a verified stream (erroring at its end on a digest or size mismatch). The cheap path
   * the promotion engine pipes from one registry into another.
   */
  async openBlob(repo: RepositoryRef, digest: string, size?: number): Promise<VerifiedBlob> {
    const res = await this.transport.download(repo.registry, blobPath(repo, digest), [scope(repo.repository, "pull")]);
    if (!res) throw notFound(`blob ${formatRepository(repo)}@${digest}`);
    const length = size ?? Number(res.headers["content-length"] ?? NaN);
    const stats = this.transport.stats;
    const verifier = verifyingTransform(
      digest,
      Number.isFinite(length) ? length : undefined,
      `blob ${formatRepository(repo)}@${digest}`,
      (n) => {
        stats.blobBytesDownloaded += n;
      },
    );
    // A broken download errors the verifier (and so whatever reads it); the callback only marks it handled.
    const chunks = pipeline(res, verifier, () => {});
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
    const chunks: Uint8Array[] = [];
    for await (const c of (await this.openBlob(repo, digest)).chunks) chunks.push(c as Uint8Array);
    return Buffer.concat(chunks);
  }

  /**
   * Mounts a blob from another repository of the same registry (no bytes move). `false` when the registry
   * declined (it then opened an upload, which is cancelled) so the caller can stream instead.
   */
  async mountBlob(repo: RepositoryRef, digest: string, fromRepository: string): Promise<boolean> {
    const q = new URLSearchParams({ mount: digest, from: fromRepository });
    const res = await this.transport.request(repo.registry, `/v2/${repo.repository}/blobs/uploads/?${q.toString()}`, {
      method: "POST",
      scopes: [scope(repo.repository, "pull,push"), scope(fromRepository, "pull")],
    });
    if (res.status === 201) return true;
    if (res.status === 202) {
      await this.cancelUpload(repo, res);
      return false;
    }
    throw failure(res, `mount ${digest} from ${fromRepository} into ${formatRepository(repo)}`);
  }

  private async cancelUpload(repo: RepositoryRef, res: RegistryResponse): Promise<void> {
    const loc = res.header("location");
    if (!loc) return;
    try {
      await this.transport.request(repo.registry, uploadUrl(this.transport.baseUrl(repo.registry), loc), {
        method: "DELETE",
        scopes: [scope(repo.repository, "pull,push")],
        accept: [404],
      });
    } catch {
      /* an abandoned upload is garbage-collected by the registry */
    }
  }

  private async startUpload(repo: RepositoryRef): Promise<string> {
    const res = await this.transport.request(repo.registry, `/v2/${repo.repository}/blobs/uploads/`, {
      method: "POST",
      scopes: [scope(repo.repository, "pull,push")],
    });
    const loc = res.header("location");
    if (res.status !== 202 || !loc) throw failure(res, `start upload to ${formatRepository(repo)}`);
    return uploadUrl(this.transport.baseUrl(repo.registry), loc);
  }

  /**
   * Uploads a blob unless the repository already has it. Bytes go up in one PUT (or PATCH chunks with
   * `chunkSize`); a stream goes up as one streamed PATCH, verified against `digest` and `size` while it
   * is sent, and is committed (PUT ?digest=) only when it matched.
   */
  async pushBlob(
    repo: RepositoryRef,
    digest: string,
    data: BlobData,
    size: number,
    options: PushBlobOptions = {},
  ): Promise<PushBlobResult> {
    if (!isValidDigest(digest)) throw new FlibsError("usage", `"${digest}" is not a valid digest`);
    if (await this.headBlob(repo, digest)) {
      if (data instanceof ReadableStream) await data.cancel();
      else if (isVerifiedBlob(data)) await data.cancel();
      return "exists";
    }
    await this.uploadBlob(repo, digest, data, size, options);
    return "uploaded";
  }

  /** Uploads without the existence check (callers that already did HEAD). */
  async uploadBlob(repo: RepositoryRef, digest: string, data: BlobData, size: number, options: PushBlobOptions = {}): Promise<void> {
    const what = `blob ${formatRepository(repo)}@${digest}`;
    const scopes = [scope(repo.repository, "pull,push")];
    const stats = this.transport.stats;
    let location = await this.startUpload(repo);
    const base = this.transport.baseUrl(repo.registry);
    try {
      if (!(data instanceof Uint8Array)) {
        // An already-verified blob is piped as it is; anything else is hashed on the way out.
        const body = isVerifiedBlob(data)
          ? data.chunks
          : verifyChunks(data as AsyncIterable<Uint8Array>, digest, size, what, (n) => {
              stats.blobBytesUploaded += n;
            });
        // With the size known the body goes with a Content-Length, not chunked (less framing for both sides).
        const length: Record<string, string> = Number.isSafeInteger(size) && size >= 0 ? { "content-length": String(size) } : {};
        const res = await this.transport.request(repo.registry, location, {
          method: "PATCH",
          headers: { "content-type": "application/octet-stream", ...length },
          body,
          scopes,
        });
        if (res.status !== 202) throw failure(res, `upload ${what}`);
        if (isVerifiedBlob(data)) stats.blobBytesUploaded += size;
        location = uploadUrl(base, res.header("location") ?? location);
      } else {
        if (digestLike(data, digest) !== digest) {
          throw new FlibsError("digest-mismatch", `${what}: the bytes given do not hash to ${digest}`);
        }
        if (data.byteLength !== size) throw new FlibsError("digest-mismatch", `${what}: ${data.byteLength} bytes given, ${size} announced`);
        const chunk = options.chunkSize;
        if (chunk && chunk > 0 && data.byteLength > 0) {
          for (let start = 0; start < data.byteLength; start += chunk) {
            const part = data.subarray(start, Math.min(data.byteLength, start + chunk));
            const res = await this.transport.request(repo.registry, location, {
              method: "PATCH",
              headers: {
                "content-type": "application/octet-stream",
                "content-range": `${start}-${start + part.byteLength - 1}`,
                "content-length": String(part.byteLength),
              },
              body: part,
              scopes,
            });
            if (res.status !== 202) throw failure(res, `upload chunk ${start} of ${what}`);
            stats.blobBytesUploaded += part.byteLength;
            location = uploadUrl(base, res.header("location") ?? location);
          }
        } else {
          const res = await this.transport.request(repo.registry, uploadUrl(base, location, { digest }), {
            method: "PUT",
            headers: { "content-type": "application/octet-stream", "content-length": String(data.byteLength) },
            body: data,
            scopes,
          });
          if (res.status !== 201) throw failure(res, `upload ${what}`);
          stats.blobBytesUploaded += data.byteLength;
          return;
        }
      }
      const res = await this.transport.request(repo.registry, uploadUrl(base, location, { digest }), {
        method: "PUT",
        headers: { "content-length": "0" },
        scopes,
      });
      if (res.status !== 201) throw failure(res, `commit ${what}`);
    } catch (e) {
      try {
        await this.transport.request(repo.registry, location, { method: "DELETE", scopes, accept: [404, 400] });
      } catch {
        /* best effort */
      }
      throw e;
    }
  }

  /** All tags of a repository (following `Link` pagination); `[]` when the repository does not exist. */
  async listTags(repo: RepositoryRef): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repo.repository}/tags/list?n=1000`;
    const base = this.transport.baseUrl(repo.registry);
    while (path) {
      const res = await this.transport.request(repo.registry, path, { scopes: [scope(repo.repository, "pull")], accept: [404] });
      if (res.status === 404) {
        return tags;
      }
      if (!res.ok) throw failure(res, `list tags of ${formatRepository(repo)}`);
      const body = JSON.parse(res.text()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = res.header("link");
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next ? uploadUrl(base, next) : undefined;
    }
    return tags;
  }

  /**
   * Manifests whose `subject` is `digest`: the referrers API, or the OCI 1.1 tag-schema fallback
   * (`sha256-<hex>`) on registries without it. Filtered by `artifactType` when given.
   */
  async getReferrers(repo: RepositoryRef, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const api = await this.referrersApi(repo, digest, artifactType);
    const descriptors = api ? api.descriptors : await this.fallbackReferrers(repo, digest);
    return artifactType && !api?.filtered ? descriptors.filter((d) => d.artifactType === artifactType) : descriptors;
  }

  /** The referrers API's answer, or `undefined` when the registry does not implement it. */
  private async referrersApi(
    repo: RepositoryRef,
    digest: string,
    artifactType?: string,
  ): Promise<{ descriptors: Descriptor[]; filtered: boolean } | undefined> {
    if (this.noReferrersApi.has(repo.registry)) return undefined;
    const q = artifactType ? `?${new URLSearchParams({ artifactType }).toString()}` : "";
    const res = await this.transport.request(repo.registry, `/v2/${repo.repository}/referrers/${digest}${q}`, {
      headers: { accept: MEDIA_TYPES.ociIndex },
      scopes: [scope(repo.repository, "pull")],
      accept: [404, 400, 405],
    });
    if (res.ok && mediaTypeOf(res) === MEDIA_TYPES.ociIndex) {
      const m = parseManifest(JSON.parse(res.text()), MEDIA_TYPES.ociIndex);
      const filtered = (res.header("oci-filters-applied") ?? "").split(",").includes("artifactType");
      return { descriptors: m.kind === "index" ? m.manifests : [], filtered };
    }
    // A registry that keeps failing (after the transport's retries) is not one without the API: falling
    // back would read an absent fallback tag as "no referrers" and leave signatures behind unnoticed.
    if (res.status === 429 || res.status >= 500) throw failure(res, `referrers of ${formatRepository(repo)}@${digest}`);
    // The spec answers 200 (an empty index) even for an unknown subject: anything else means no API.
    if (res.status === 404 || res.status === 400 || res.status === 405) this.noReferrersApi.add(repo.registry);
    return undefined;
  }

  /**
   * Makes an already-pushed referrer findable from its subject: nothing to do on a registry with the
   * referrers API (it indexes manifests with a `subject` itself); otherwise the fallback index gets it.
   */
  async ensureReferrers(repo: RepositoryRef, subjectDigest: string, descriptors: Descriptor[]): Promise<void> {
    if (descriptors.length === 0 || (await this.referrersApi(repo, subjectDigest))) return;
    await this.addToFallbackIndex(repo, subjectDigest, ...descriptors);
  }

  private async fallbackReferrers(repo: RepositoryRef, digest: string): Promise<Descriptor[]> {
    try {
      const m = await this.getManifest({ ...repo, tag: referrersFallbackTag(digest) });
      return m.manifest.kind === "index" ? m.manifest.manifests : [];
    } catch (e) {
      if (e instanceof FlibsError && e.code === "not-found") return [];
      throw e;
    }
  }

  /**
   * Pushes a manifest whose `subject` is `subjectDigest` and makes it findable: registries with the
   * referrers API index it themselves (they answer with `OCI-Subject`); for the others the fallback
   * index under tag `sha256-<hex>` gets its descriptor. Returns the manifest's digest.
   */
  async putReferrer(repo: RepositoryRef, subjectDigest: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const { subjectAware } = await this.putManifestDetailed(repo, digest, bytes, mediaType);
    if (subjectAware) return digest;
    const m = parseManifest(JSON.parse(new TextDecoder().decode(bytes)), mediaType);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
    const artifactType = m.artifactType ?? (m.kind === "manifest" ? m.config.mediaType : undefined);
    if (artifactType) descriptor.artifactType = artifactType;
    if (m.annotations) descriptor.annotations = m.annotations;
    await this.addToFallbackIndex(repo, subjectDigest, descriptor);
    return digest;
  }

  /**
   * Adds descriptors to the `sha256-<hex>` fallback index (those present are left alone). Read-modify-write:
   * callers serialise updates of one subject's index.
   */
  async addToFallbackIndex(repo: RepositoryRef, subjectDigest: string, ...descriptors: Descriptor[]): Promise<boolean> {
    const existing = await this.fallbackReferrers(repo, subjectDigest);
    const have = new Set(existing.map((d) => d.digest));
    const added = descriptors.filter((d) => !have.has(d.digest) && have.add(d.digest));
    if (added.length === 0) return false;
    const body = new TextEncoder().encode(JSON.stringify(referrersIndex([...existing, ...added])));
    await this.putManifest(repo, referrersFallbackTag(subjectDigest), body, MEDIA_TYPES.ociIndex);
    return true;
  }
}
