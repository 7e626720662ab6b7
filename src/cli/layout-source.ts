import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { formatLayoutReference, type LayoutReference } from "../core/oci/layout.js";
import type { Descriptor } from "../core/oci/manifest.js";
import type { ImageReference } from "../core/oci/reference.js";
import { extractLayoutArchive } from "../registry/oci-archive.js";
import { OciLayout } from "../registry/oci-layout.js";

export interface OpenedLayout {
  layout: OciLayout;
  /** The image the reference names (its tag, or the layout's only image). */
  root: Descriptor;
  /** What to pass where an image reference is taken: the layout ignores the repository, the digest pins. */
  ref: ImageReference;
  /** The reference as shown to the user, with the tag that was resolved. */
  name: string;
  close(): Promise<void>;
}

/** Opens `oci:PATH[:TAG]` (or extracts `oci-archive:FILE[:TAG]` to a temporary directory) and resolves its image. */
export async function openLayoutReference(ref: LayoutReference, cwd: string): Promise<OpenedLayout> {
  const scratch = ref.kind === "oci-archive" ? await mkdtemp(join(tmpdir(), "flibs-oci-archive-")) : undefined;
  try {
    const layout = scratch ? await extractLayoutArchive(resolve(cwd, ref.path), scratch) : await OciLayout.open(resolve(cwd, ref.path));
    const root = await layout.resolve(ref.tag);
    const tag = ref.tag ?? root.annotations?.["org.opencontainers.image.ref.name"];
    return {
      layout,
      root,
      ref: { registry: "oci", repository: "layout", digest: root.digest },
      name: formatLayoutReference({ ...ref, ...(tag !== undefined ? { tag } : {}) }),
      close: async () => {
        if (scratch) await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw e;
  }
}
