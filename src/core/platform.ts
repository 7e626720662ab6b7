/** Architectures as Fedora names them, in the fixed order flibs uses for check runs and OCI indexes. */
export const ARCHES = ["x86_64", "aarch64", "ppc64le", "s390x"] as const;
export type Arch = (typeof ARCHES)[number];

export interface OciPlatform {
  os: "linux";
  architecture: string;
  variant?: string;
}

const TO_OCI: Record<Arch, OciPlatform> = {
  x86_64: { os: "linux", architecture: "amd64" },
  aarch64: { os: "linux", architecture: "arm64" },
  ppc64le: { os: "linux", architecture: "ppc64le" },
  s390x: { os: "linux", architecture: "s390x" },
};

export function isArch(value: string): value is Arch {
  return (ARCHES as readonly string[]).includes(value);
}

export function archToPlatform(arch: Arch): OciPlatform {
  return { ...TO_OCI[arch] };
}

/** `linux/arm64` style string, as buildah, buildx and skopeo take it. */
export function archToPlatformString(arch: Arch): string {
  const p = TO_OCI[arch];
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

/** Accepts an OCI platform object or a `linux/arm64[/v8]` string; `undefined` when flibs does not build for it. */
export function platformToArch(platform: string | { os?: string; architecture?: string }): Arch | undefined {
  const [os, architecture] = typeof platform === "string" ? platform.split("/") : [platform.os, platform.architecture];
  if (os !== "linux") return undefined;
  return ARCHES.find((a) => TO_OCI[a].architecture === architecture);
}

/** Sort arches into the fixed order of ARCHES (indexes must not depend on which job finished first). */
export function sortArches(arches: Iterable<Arch>): Arch[] {
  const set = new Set(arches);
  return ARCHES.filter((a) => set.has(a));
}
