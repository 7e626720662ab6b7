import { isArch, type Arch } from "../platform.js";

/**
 * A build is one head SHA at one attempt. Its id travels through the dispatch input, the workflow's run-name and
 * job names, and every check run's `external_id`, so any App replica can map an event back to it without memory.
 */
export interface BuildId {
  sha: string;
  attempt: number;
  scratch: boolean;
}

export const SUMMARY = "summary" as const;
export type CheckTarget = Arch | typeof SUMMARY;

export function formatBuildId(id: BuildId): string {
  return `${id.sha}.${id.attempt}${id.scratch ? ".scratch" : ""}`;
}

export function parseBuildId(text: string | null | undefined): BuildId | undefined {
  const m = /^([0-9a-f]{40})\.([1-9][0-9]{0,5})(\.scratch)?$/.exec(text ?? "");
  if (!m) return undefined;
  return { sha: m[1]!, attempt: Number(m[2]), scratch: m[3] !== undefined };
}

/** Finds a build id inside a run name or job name such as `flibs build <id>` or `build / build (aarch64) <id>`. */
export function findBuildId(text: string | null | undefined): BuildId | undefined {
  const m = /\b([0-9a-f]{40}\.[1-9][0-9]{0,5}(?:\.scratch)?)\b/.exec(text ?? "");
  return m ? parseBuildId(m[1]) : undefined;
}

export function externalId(id: BuildId, target: CheckTarget): string {
  return `flibs:${formatBuildId(id)}:${target}`;
}

export function parseExternalId(text: string | null | undefined): { id: BuildId; target: CheckTarget } | undefined {
  const m = /^flibs:([^:]+):([a-z0-9_]+)$/.exec(text ?? "");
  if (!m) return undefined;
  const id = parseBuildId(m[1]);
  const target = m[2]!;
  if (!id || !(target === SUMMARY || isArch(target))) return undefined;
  return { id, target };
}

/**
 * The job of build.yml a `workflow_job` name belongs to. GitHub names a job of a reusable workflow
 * `<caller job> / <called job>` (one ` / ` per nesting level), so only the last segment is build.yml's own
 * `build (<arch>) <id>` or `publish <id>`: whatever a user calls the caller's job, the arch stays the same.
 */
export type BuildJob = { kind: "arch"; id: BuildId; arch: Arch } | { kind: "publish"; id: BuildId } | { kind: "prepare"; id: BuildId };

export function parseBuildJobName(name: string | null | undefined): BuildJob | undefined {
  const own = (name ?? "").split(" / ").at(-1) ?? "";
  const arch = /^build \(([a-z0-9_]+)\) (\S+)$/.exec(own);
  if (arch) {
    const id = parseBuildId(arch[2]);
    return id && isArch(arch[1]!) ? { kind: "arch", id, arch: arch[1] } : undefined;
  }
  const other = /^(publish|prepare) (\S+)$/.exec(own);
  const id = other ? parseBuildId(other[2]) : undefined;
  return other && id ? { kind: other[1] as "publish" | "prepare", id } : undefined;
}

export const REVIEW_CHECK = "flibs/review";
export const BUILD_CHECK = "flibs/build";
export const PROMOTE_CHECK = "flibs/promote";
export function archCheckName(arch: Arch): string {
  return `${BUILD_CHECK} (${arch})`;
}
export function archFromCheckName(name: string): Arch | undefined {
  const m = /^flibs\/build \(([a-z0-9_]+)\)$/.exec(name);
  return m && isArch(m[1]!) ? m[1] : undefined;
}
