import type { Descriptor } from "../core/oci/manifest.js";
import type { ImageReference, RepositoryRef } from "../core/oci/reference.js";
import type { BlobData, BlobStream, FetchedManifest, PushBlobResult, VerifiedBlob } from "./client.js";

/**
 * Where images are read from by digest or tag: a registry (`RegistryClient`, many repositories, named by
 * `repo`) or an OCI image layout on disk (`OciLayout`, one repository: it ignores `repo`). Publishing,
 * inspecting and promoting go through this, so a build written to a layout is the same bytes as a push.
 */
export interface ImageSource {
  getManifest(ref: ImageReference): Promise<FetchedManifest>;
  getBlob(repo: RepositoryRef, digest: string): Promise<Uint8Array>;
  getBlobStream(repo: RepositoryRef, digest: string, size?: number): Promise<BlobStream>;
  openBlob(repo: RepositoryRef, digest: string, size?: number): Promise<VerifiedBlob>;
  /** Manifests whose `subject` is `digest`, filtered by `artifactType` when given. */
  getReferrers(repo: RepositoryRef, digest: string, artifactType?: string): Promise<Descriptor[]>;
}

/** An `ImageSource` that can also be written: what `publish` writes an index and its build record to. */
export interface ImageStore extends ImageSource {
  putManifest(repo: RepositoryRef, tagOrDigest: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  pushBlob(repo: RepositoryRef, digest: string, data: BlobData, size: number): Promise<PushBlobResult>;
  /** Writes a manifest whose `subject` is `subjectDigest` so that `getReferrers(subjectDigest)` finds it; returns its digest. */
  putReferrer(repo: RepositoryRef, subjectDigest: string, bytes: Uint8Array, mediaType: string): Promise<string>;
}
