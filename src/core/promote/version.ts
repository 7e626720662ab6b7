/** Semantic versions as release git tags carry them (`v1.2.3`, `1.2.3-rc.1`, `v2.0.0+build.5`). */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** `rc.1` for `1.3.0-rc.1`; absent for a release. */
  prerelease?: string;
  build?: string;
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseVersion(tag: string): Version | undefined {
  const m = SEMVER.exec(tag.trim().replace(/^refs\/tags\//, ""));
  if (!m) return undefined;
  const v: Version = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  if (m[4] !== undefined) v.prerelease = m[4];
  if (m[5] !== undefined) v.build = m[5];
  if (![v.major, v.minor, v.patch].every(Number.isSafeInteger)) return undefined;
  return v;
}

/** SemVer precedence (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  const pa = a.prerelease.split(".");
  const pb = b.prerelease.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The image tag for a version: `1.2.3`, `1.3.0-rc.1`; build metadata joins with `_` (`+` is not allowed in tags). */
export function versionTag(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ""}${v.build ? `_${v.build}` : ""}`;
}
