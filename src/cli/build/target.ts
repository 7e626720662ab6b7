import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { archTag } from "../../core/build/index.js";
import type { ContainerConfig } from "../../core/config/index.js";
import { FlibsError } from "../../core/errors.js";
import { formatLayoutReference, parseLayoutReference, type LayoutReference } from "../../core/oci/layout.js";
import { parseReference, type RepositoryRef } from "../../core/oci/reference.js";
import type { Arch } from "../../core/platform.js";
import { OciLayout, type ImageStore, type RegistryClient } from "../../registry/index.js";
import { writeLayoutArchive } from "../../registry/oci-archive.js";

/** Where `flibs build` puts its result: a registry (`--push`) or an OCI layout on disk (the default). */
export interface BuildTarget {
  /** What the result line names, before `@<digest>`: `HOST/REPO:TAG` or `oci:PATH:TAG`. */
  reference: string;
  kind: "registry" | "oci" | "oci-archive";
  /** The layout directory or archive file written, absolute. */
  path?: string;
  store: ImageStore;
  repository: RepositoryRef;
  tag: string;
  /** Set when the images are written into a layout instead of pushed. */
  layout?: OciLayout;
  /** What the build record names as the image (default `REGISTRY/REPOSITORY`). */
  recordImage?: string;
  /** After the index is written: a layout drops the per-arch tags (the index holds them); an archive is written. */
  finish(sha: string, arches: readonly Arch[], commitTime: number): Promise<void>;
  /** Removes what the target kept only while it was written (an archive's staging layout). */
  cleanup(): Promise<void>;
}

export const DEFAULT_OUTPUT_DIR = "flibs-out";
export const DEFAULT_LAYOUT_TAG = "latest";

/** The image's name: `container.yaml`'s `image`, else the repo directory's name made a valid path. */
export function imageName(config: ContainerConfig, dir: string): string {
  if (config.image) return config.image;
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  if (!name)
    throw new FlibsError(
      "usage",
      `cannot make an image name from the directory ${JSON.stringify(basename(dir))}: set image: in container.yaml`,
    );
  return name;
}

export async function openTarget(
  o: { push?: string; output?: string },
  ctx: { cwd: string; dir: string; config: ContainerConfig; client: RegistryClient },
): Promise<BuildTarget> {
  if (o.push !== undefined && o.output !== undefined)
    throw new FlibsError("usage", "give --push (a registry) or --output (a layout on disk), not both");
  if (o.push !== undefined) {
    const dest = parseReference(o.push);
    if (!dest.tag || dest.digest) throw new FlibsError("usage", "--push must be HOST/REPO:TAG");
    return {
      reference: `${dest.registry}/${dest.repository}:${dest.tag}`,
      kind: "registry",
      store: ctx.client,
      repository: { registry: dest.registry, repository: dest.repository },
      tag: dest.tag,
      finish: () => Promise.resolve(),
      cleanup: () => Promise.resolve(),
    };
  }
  const name = imageName(ctx.config, ctx.dir);
  const given = o.output ?? `oci:${DEFAULT_OUTPUT_DIR}/${name}`;
  const ref = parseLayoutReference(given);
  if (!ref) throw new FlibsError("usage", `--output must be oci:PATH[:TAG] or oci-archive:FILE[:TAG], got ${JSON.stringify(given)}`);
  const shown: LayoutReference = { ...ref, tag: ref.tag ?? DEFAULT_LAYOUT_TAG };
  const tag = shown.tag!;
  const staging = ref.kind === "oci-archive" ? await mkdtemp(join(tmpdir(), "flibs-archive-")) : undefined;
  const layout = await OciLayout.create(staging ?? resolve(ctx.cwd, ref.path));
  return {
    reference: formatLayoutReference(shown),
    kind: ref.kind,
    path: resolve(ctx.cwd, ref.path),
    store: layout,
    // A layout is one repository and ignores this; its path names the image (the `name` label's default).
    repository: { registry: "oci", repository: name },
    tag,
    layout,
    recordImage: formatLayoutReference({ kind: ref.kind, path: ref.path }),
    async finish(sha, arches, commitTime) {
      for (const arch of arches) await layout.untag(archTag(sha, arch));
      if (ref.kind === "oci-archive") await writeLayoutArchive(layout, resolve(ctx.cwd, ref.path), commitTime);
    },
    async cleanup() {
      if (staging) await rm(staging, { recursive: true, force: true });
    },
  };
}
