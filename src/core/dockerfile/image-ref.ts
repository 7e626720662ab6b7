/** An image reference split the way registries read it; Docker Hub short names are expanded. */
export interface ImageName {
  /** Registry host, e.g. `registry.fedoraproject.org`, `docker.io`. */
  registry: string;
  /** Repository path, e.g. `fedora`, `library/fedora`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses `host[:port]/path[:tag][@digest]`; `fedora` means `docker.io/library/fedora`, as Docker reads it. */
export function parseImageName(ref: string): ImageName | undefined {
  const m = /^([^@\s]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@([A-Za-z0-9_+.-]+:[A-Fa-f0-9]{32,}))?$/.exec(ref);
  if (!m) return undefined;
  const name = m[1]!;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  let registry = hasHost ? first : "docker.io";
  let repository = hasHost ? name.slice(slash + 1) : name;
  if (registry === "index.docker.io") registry = "docker.io";
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  if (!repository || !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    return undefined;
  }
  return { registry, repository, tag: m[2], digest: m[3] };
}

/** Whether `image` lies under `prefix`: a host (`quay.io`) or a host/namespace (`quay.io/fedora`). */
export function imageUnder(image: ImageName, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, "").toLowerCase();
  const full = `${image.registry}/${image.repository}`.toLowerCase();
  const normalized = p === "index.docker.io" ? "docker.io" : p;
  return full === normalized || full.startsWith(`${normalized}/`);
}
