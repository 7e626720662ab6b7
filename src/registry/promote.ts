/**
 * The promotion engine: copies an index (or single manifest) by digest, with its child manifests, every
 * blob and its referrers, from a source repository to a destination repository, then writes the tags.
 *
 * - Inside one registry blobs are mounted (no bytes through flibs); between registries they stream with
 *   constant memory, verified while streaming, a bounded number at a time.
 * - Idempotent: a manifest already at the destination (by digest) is skipped with everything under it;
 *   a blob already there is skipped. A re-run after a crash finishes the job.
 * - Tags are written last, after the destination digest was verified, so no tag ever points at
 *   something partial, and read back after; a release tag on another digest refuses the promotion
 *   before anything is copied.
 */
import { FlibsError } from "../core/errors.js";
import { manifestBlobs, type Descriptor, type Manifest } from "../core/oci/manifest.js";
import { formatReference, formatRepository, type ImageReference, type RepositoryRef } from "../core/oci/reference.js";
import { decideTagWrites, type PlannedTag, type TagWrite } from "../core/promote/tags.js";
import type { PromotionReport } from "../core/promote/report.js";
import { pipeline, Transform } from "node:stream";
import type { FetchedManifest, RegistryClient, VerifiedBlob } from "./client.js";
import { Pool } from "./pool.js";
import { sha256Digest } from "./digest-stream.js";
import type { ImageSource } from "./store.js";

/** What a promotion is doing, for a progress display: one event per blob start and end, and bytes as they stream. */
export type PromoteEvent =
  | { kind: "blob-start"; digest: string; size: number }
  | { kind: "blob-bytes"; digest: string; size: number; bytes: number }
  | { kind: "blob-done"; digest: string; size: number; how: "mounted" | "streamed" | "skipped" }
  | { kind: "manifest-done"; digest: string; mediaType: string; how: "copied" | "skipped"; referrer: boolean };

export interface PromoteOptions {
  source: ImageReference;
  destination: RepositoryRef;
  tags: PlannedTag[];
  /** Blob transfers at once (default 6). */
  concurrency?: number;
  /** Carry referrers (build record, signatures, attestations) of every copied manifest (default true). */
  referrers?: boolean;
  /** Attempts per blob copy when a transfer breaks mid-way (default 3). */
  blobAttempts?: number;
  /** First pause before a blob copy is retried, doubled each time (default 400 ms). */
  blobRetryDelayMs?: number;
  onProgress?: (line: string) => void;
  onEvent?: (e: PromoteEvent) => void;
  /** Called once the manifests, blobs and referrers are copied: what follows verifies the copy and writes the tags. */
  onTags?: () => void;
  /** Read the source from this store (an OCI layout) instead of `client`; `name` is how the report shows it. */
  from?: { store: ImageSource; name: string };
}

const FATAL = new Set(["auth", "not-found", "usage", "refused"]);

export async function promote(client: RegistryClient, options: PromoteOptions): Promise<PromotionReport> {
  const { source, destination } = options;
  const dest = formatRepository(destination);
  const src: ImageSource = options.from?.store ?? client;
  const sameRegistry = !options.from && source.registry === destination.registry;
  const event = options.onEvent ?? (() => {});
  const pool = new Pool(options.concurrency ?? 6);
  client.transport.allowTransfers(options.concurrency ?? 6);
  const attempts = options.blobAttempts ?? 3;
  const blobRetryDelayMs = options.blobRetryDelayMs ?? 400;
  const requestsBefore = client.stats.requests;
  const progress = options.onProgress ?? (() => {});
  const srcRepo: RepositoryRef = { registry: source.registry, repository: source.repository };

  const headTags = async (): Promise<Map<string, string | undefined>> => {
    const current = new Map<string, string | undefined>();
    await Promise.all(
      options.tags.map(async (t) => current.set(t.tag, (await client.headManifest({ ...destination, tag: t.tag }))?.digest)),
    );
    return current;
  };
  // Where the destination's tags point does not depend on the source: ask while the source is read.
  const tagsNow = quiet(headTags());
  const root = await src.getManifest(source);
  const digest = root.digest;

  const decideTags = (current: Map<string, string | undefined>): TagWrite[] => {
    const decided = decideTagWrites(options.tags, current, digest, dest);
    if (!decided.ok) throw decided.error;
    return decided.value;
  };

  const fetched = new Map<string, Promise<FetchedManifest>>([[digest, Promise.resolve(root)]]);
  const fetchChild = (d: Descriptor): Promise<FetchedManifest> => {
    let p = fetched.get(d.digest);
    if (!p) {
      p = quiet(src.getManifest({ ...srcRepo, digest: d.digest }));
      fetched.set(d.digest, p);
    }
    return p;
  };
  const destHeads = new Map<string, Promise<boolean>>();
  const existsAtDest = (d: string): Promise<boolean> => {
    let p = destHeads.get(d);
    if (!p) {
      p = quiet(client.headManifest({ ...destination, digest: d }).then((h) => h !== undefined));
      destHeads.set(d, p);
    }
    return p;
  };

  // Reads that cannot change anything run together; nothing is written before the tag check passes,
  // so a refused promotion leaves the destination as it was.
  const childDescs = root.manifest.kind === "index" ? root.manifest.manifests : [];
  void existsAtDest(digest);
  for (const d of childDescs) {
    void fetchChild(d);
    void existsAtDest(d.digest);
  }
  const subjects = [digest, ...childDescs.map((d) => d.digest)];
  // The root first: its answer tells whether the source has the referrers API; the children then ask once each.
  const discovered =
    options.referrers === false
      ? undefined
      : quiet(
          src
            .getReferrers(srcRepo, digest)
            .then(async (forRoot) => [forRoot, ...(await Promise.all(subjects.slice(1).map((s) => src.getReferrers(srcRepo, s))))]),
        );
  decideTags(await tagsNow);

  const report: PromotionReport = {
    source: options.from?.name ?? formatReference(source),
    destination: dest,
    digest,
    mediaType: root.mediaType,
    manifests: { copied: 0, skipped: 0 },
    blobs: { mounted: 0, streamed: 0, skipped: 0, bytesStreamed: 0 },
    referrers: { copied: 0, skipped: 0 },
    tags: [],
    requests: 0,
  };
  const blobsDone = new Map<string, Promise<void>>();
  // After the first failure no new transfer starts (those in flight finish or fail on their own).
  let failed: { error: unknown } | undefined;
  const copyBlob = (d: Descriptor): Promise<void> => {
    let p = blobsDone.get(d.digest);
    if (!p) {
      p = pool.run(async () => {
        if (failed) throw failed.error;
        try {
          event({ kind: "blob-start", digest: d.digest, size: d.size });
          event({ kind: "blob-done", digest: d.digest, size: d.size, how: await copyOneBlob(d) });
        } catch (e) {
          failed ??= { error: e };
          throw e;
        }
      });
      blobsDone.set(d.digest, p);
    }
    return p;
  };

  const copyOneBlob = async (d: Descriptor): Promise<"mounted" | "streamed" | "skipped"> => {
    // Within a registry a mount answers for a blob already there too: one request, no HEAD first.
    if (sameRegistry && source.repository !== destination.repository) {
      if (await client.mountBlob(destination, d.digest, source.repository)) {
        report.blobs.mounted++;
        return "mounted";
      }
    }
    if (await client.headBlob(destination, d.digest)) {
      report.blobs.skipped++;
      return "skipped";
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const opened = await src.openBlob(srcRepo, d.digest, d.size);
        const blob = options.onEvent
          ? counted(opened, (bytes) => event({ kind: "blob-bytes", digest: d.digest, size: d.size, bytes }))
          : opened;
        await client.uploadBlob(destination, d.digest, blob, d.size);
        report.blobs.streamed++;
        report.blobs.bytesStreamed += d.size;
        return "streamed";
      } catch (e) {
        if ((e instanceof FlibsError && FATAL.has(e.code)) || attempt >= attempts) throw e;
        progress(`retrying blob ${d.digest} (attempt ${attempt + 1}/${attempts}): ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, blobRetryDelayMs * 2 ** (attempt - 1)));
      }
    }
  };

  const manifestsDone = new Map<string, Promise<void>>();

  /** Copies one manifest (children and blobs first, then the manifest itself, by digest). */
  const copyManifest = (m: FetchedManifest, isReferrer = false): Promise<void> => {
    let p = manifestsDone.get(m.digest);
    if (!p) {
      p = (async () => {
        if (await existsAtDest(m.digest)) {
          if (isReferrer) report.referrers.skipped++;
          else report.manifests.skipped++;
          event({ kind: "manifest-done", digest: m.digest, mediaType: m.mediaType, how: "skipped", referrer: isReferrer });
        } else {
          await copyContents(m.manifest);
          await client.putManifest(destination, m.digest, m.bytes, m.mediaType);
          if (isReferrer) report.referrers.copied++;
          else report.manifests.copied++;
          event({ kind: "manifest-done", digest: m.digest, mediaType: m.mediaType, how: "copied", referrer: isReferrer });
        }
      })();
      manifestsDone.set(m.digest, p);
    }
    return p;
  };

  const copyContents = async (m: Manifest): Promise<void> => {
    if (m.kind === "index") {
      await Promise.all(m.manifests.map(async (d) => copyManifest(await fetchChild(d))));
    } else {
      await Promise.all(manifestBlobs(m).map(copyBlob));
    }
  };

  await copyManifest(root);

  // Verify: the destination serves exactly the source bytes under the source digest (read back while
  // the tags are re-checked, in case another promotion wrote one meanwhile).
  const verify = quiet(
    client.getManifest({ ...destination, digest }).then((landed) => {
      if (sha256Digest(landed.bytes) !== sha256Digest(root.bytes)) {
        throw new FlibsError("digest-mismatch", `${dest}@${digest} does not hold the source's bytes after the copy`);
      }
    }),
  );

  if (discovered) {
    const seen = new Set<string>();
    const carry = async (subject: string, found: Descriptor[], depth: number): Promise<void> => {
      const fresh = found.filter((r) => !seen.has(r.digest) && seen.add(r.digest));
      if (fresh.length === 0) return;
      await Promise.all(fresh.map(async (r) => copyManifest(await fetchChild(r), true)));
      // One update of the subject's fallback index for all of them (no lost update between parallel writers).
      await client.ensureReferrers(destination, subject, fresh);
      if (depth < 2) await Promise.all(fresh.map(async (r) => carry(r.digest, await src.getReferrers(srcRepo, r.digest), depth + 1)));
    };
    const lists = await discovered;
    await Promise.all(lists.map((found, i) => carry(subjects[i]!, found, 1)));
  }

  // Tags last.
  options.onTags?.();
  const recheck = quiet(headTags().then(decideTags));
  await verify;
  const writes = await recheck;
  const put = (w: TagWrite): Promise<unknown> =>
    w.action === "unchanged" ? Promise.resolve() : client.putManifest(destination, w.tag, root.bytes, root.mediaType);
  // Release tags first (they are the record), then the floating ones together.
  for (const w of writes.filter((x) => x.kind === "immutable")) await put(w);
  await Promise.all(writes.filter((x) => x.kind === "floating").map(put));
  // Read the written tags back: a registry that answered 201 without storing (or a proxy that lost the
  // write) must not get a success report. A floating tag may have moved on since (another promotion);
  // gone it may not be, and a release tag points at this digest.
  const written = writes.filter((w) => w.action !== "unchanged");
  if (written.length > 0) {
    const landed = await headTags();
    for (const w of written) {
      const now = landed.get(w.tag);
      if (now === undefined || (w.kind === "immutable" && now !== digest)) {
        throw new FlibsError(
          "registry",
          `tag ${w.tag} of ${dest} was written but reads back as ${now ?? "absent"}, not ${digest}; run the promotion again`,
        );
      }
    }
  }
  report.tags = writes;
  report.requests = client.stats.requests - requestsBefore;
  return report;
}

/** The same verified blob, reporting the bytes read so far (every 1 MiB and at the end). */
function counted(blob: VerifiedBlob, onBytes: (n: number) => void): VerifiedBlob {
  let bytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes - reported >= 1 << 20 || bytes === blob.size) {
        reported = bytes;
        onBytes(bytes);
      }
      done(null, chunk);
    },
  });
  const chunks = pipeline(blob.chunks, counter, () => {});
  return {
    ...blob,
    chunks,
    cancel: () => {
      chunks.destroy();
      return Promise.resolve();
    },
  };
}

/** Marks a promise as handled (its rejection surfaces where it is awaited, never as an unhandled one). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
