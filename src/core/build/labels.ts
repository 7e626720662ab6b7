import type { Arch } from "../platform.js";

export interface LabelInputs {
  /** Image name (`name` label, OCI title default), e.g. `fedora/httpd`. */
  name: string;
  /** `com.redhat.component`; default: the last path part of `name`. */
  component?: string;
  version: string;
  release: string;
  arch: Arch;
  /** Source repository URL, e.g. `https://github.com/my-org/httpd`. */
  source: string;
  revision: string;
  /** Commit time, seconds since the epoch: the only clock a reproducible build may read. */
  sourceDateEpoch: number;
  title?: string;
  description?: string;
}

export function epochToIso(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * The labels flibs injects: the OCI annotation keys and the ones OSBS set (vcs-ref, vcs-type, build-date,
 * architecture, release, com.redhat.component). Every value derives from the commit, so two builds of one commit
 * carry identical labels. Sorted by key, so the argv (and the image config) never depend on insertion order.
 */
export function computeLabels(i: LabelInputs): Record<string, string> {
  const created = epochToIso(i.sourceDateEpoch);
  const labels: Record<string, string> = {
    "org.opencontainers.image.source": i.source,
    "org.opencontainers.image.revision": i.revision,
    "org.opencontainers.image.created": created,
    "org.opencontainers.image.version": i.version,
    "org.opencontainers.image.title": i.title ?? i.name,
    "vcs-ref": i.revision,
    "vcs-type": "git",
    "vcs-url": i.source,
    "build-date": created,
    architecture: i.arch,
    name: i.name,
    version: i.version,
    release: i.release,
    "com.redhat.component": i.component ?? i.name.split("/").pop()!,
  };
  if (i.description !== undefined) labels["org.opencontainers.image.description"] = i.description;
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Where the Dockerfile that was built is embedded in the image, as OSBS did. */
export function buildinfoPath(name: string, version: string, release: string): string {
  return `/root/buildinfo/Dockerfile-${name.replace(/\//g, "-")}-${version}-${release}`;
}
