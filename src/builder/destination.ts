/**
 * Where a builder writes an image: a registry (`host/repo:tag`) or an OCI image layout on disk
 * (`oci:/abs/path:tag`, which `flibs build` without `--push` uses). containers/image names both.
 */
export function isLayoutDestination(destination: string): boolean {
  return destination.startsWith("oci:");
}

/** The destination as buildah and skopeo take it: a layout as it is, a registry reference under `docker://`. */
export function transportReference(destination: string): string {
  return isLayoutDestination(destination) ? destination : `docker://${destination}`;
}
