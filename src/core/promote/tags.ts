/**
 * Promotion tag policy. A git tag `v1.2.3` gives the release tag `1.2.3` (immutable: once written it is
 * never moved to another digest) and the floating tags `1.2`, `1`, `latest` (they move to the newest
 * release of their line, never back to an older one). A pre-release (`v1.3.0-rc.1`) gets only its own
 * immutable tag. Extra tags are immutable when they look like a full version, floating otherwise.
 */
import { FlibsError, err, ok, type Result } from "../errors.js";
import { isValidTag } from "../oci/reference.js";
import { compareVersions, parseVersion, versionTag, type Version } from "./version.js";

export type TagKind = "immutable" | "floating";

export interface PlannedTag {
  tag: string;
  kind: TagKind;
  /** Why this tag is (or is not) written, for the user. */
  reason: string;
}

export interface TagPlanInput {
  /** A release git tag (`v1.2.3`, `refs/tags/v1.2.3`). */
  gitTag?: string;
  /** Tags asked for explicitly (`--tag`). */
  extraTags?: string[];
  /** Tags the destination repository already has (to keep floating tags from moving backwards). */
  existingTags?: string[];
  /** Whether a release may move `latest` (policy `promote.latest`, default true). */
  moveLatest?: boolean;
}

export interface TagPlan {
  tags: PlannedTag[];
  /** Floating tags the version would give but that stay where they are, with the reason. */
  held: PlannedTag[];
  version?: Version;
}

const FULL_VERSION = /^v?\d+\.\d+\.\d+(?:[-_][0-9A-Za-z.-]+)?$/;

export function tagKind(tag: string): TagKind {
  return FULL_VERSION.test(tag) ? "immutable" : "floating";
}

/** The newest release (no pre-release) among existing tags whose version is in `line` (major or major.minor). */
function newestRelease(existing: string[], match: (v: Version) => boolean): Version | undefined {
  let best: Version | undefined;
  for (const t of existing) {
    const v = parseVersion(t);
    if (!v || v.prerelease !== undefined || !match(v)) continue;
    if (!best || compareVersions(v, best) > 0) best = v;
  }
  return best;
}

export function planTags(input: TagPlanInput): Result<TagPlan> {
  const tags: PlannedTag[] = [];
  const held: PlannedTag[] = [];
  let version: Version | undefined;
  if (input.gitTag !== undefined) {
    version = parseVersion(input.gitTag);
    if (!version) {
      return err(
        new FlibsError("usage", `git tag "${input.gitTag}" is not a release version (expected v<major>.<minor>.<patch>, e.g. v1.2.3)`),
      );
    }
    const v = version;
    tags.push({ tag: versionTag(v), kind: "immutable", reason: `release ${input.gitTag}` });
    if (v.prerelease === undefined) {
      const existing = input.existingTags ?? [];
      const lines: Array<[string, (x: Version) => boolean]> = [
        [`${v.major}.${v.minor}`, (x) => x.major === v.major && x.minor === v.minor],
        [`${v.major}`, (x) => x.major === v.major],
        ["latest", () => true],
      ];
      for (const [tag, inLine] of lines) {
        if (tag === "latest" && input.moveLatest === false) {
          held.push({ tag, kind: "floating", reason: "the organisation policy says promote.latest: false" });
          continue;
        }
        const newest = newestRelease(existing, inLine);
        if (newest && compareVersions(newest, v) > 0) {
          held.push({ tag, kind: "floating", reason: `${versionTag(newest)} is newer than ${versionTag(v)}` });
        } else {
          tags.push({ tag, kind: "floating", reason: `newest release of its line` });
        }
      }
    } else {
      held.push({ tag: "latest", kind: "floating", reason: `${versionTag(v)} is a pre-release` });
    }
  }
  for (const extra of input.extraTags ?? []) {
    if (!isValidTag(extra)) return err(new FlibsError("usage", `"${extra}" is not a valid tag`));
    if (tags.some((t) => t.tag === extra)) continue;
    tags.push({ tag: extra, kind: tagKind(extra), reason: "asked for" });
  }
  const result: TagPlan = { tags, held };
  if (version) result.version = version;
  return ok(result);
}

/** A release tag already points at another digest: it is never moved. */
export class ImmutableTagError extends FlibsError {
  readonly tag: string;
  readonly current: string;
  readonly wanted: string;
  constructor(tag: string, current: string, wanted: string, repository: string) {
    super(
      "refused",
      `tag ${tag} of ${repository} is a release tag and already points at ${current}; refusing to move it to ${wanted} ` +
        `(release tags are immutable: publish a new version instead)`,
      { detail: { tag, current, wanted } },
    );
    this.name = "ImmutableTagError";
    this.tag = tag;
    this.current = current;
    this.wanted = wanted;
  }
}

export type TagAction = "create" | "move" | "unchanged";

export interface TagWrite {
  tag: string;
  kind: TagKind;
  action: TagAction;
  from?: string;
}

/**
 * What to do with each planned tag given where the destination's tags point now (`undefined`: absent).
 * A release tag on another digest refuses the whole promotion, so nothing is written.
 */
export function decideTagWrites(
  planned: PlannedTag[],
  current: ReadonlyMap<string, string | undefined>,
  digest: string,
  repository: string,
): Result<TagWrite[], ImmutableTagError> {
  const writes: TagWrite[] = [];
  for (const p of planned) {
    const now = current.get(p.tag);
    if (now === undefined) {
      writes.push({ tag: p.tag, kind: p.kind, action: "create" });
    } else if (now === digest) {
      writes.push({ tag: p.tag, kind: p.kind, action: "unchanged" });
    } else if (p.kind === "immutable") {
      return err(new ImmutableTagError(p.tag, now, digest, repository));
    } else {
      writes.push({ tag: p.tag, kind: p.kind, action: "move", from: now });
    }
  }
  // Release tags first: if a floating tag write fails, the release tag is already right.
  return ok([...writes.filter((w) => w.kind === "immutable"), ...writes.filter((w) => w.kind === "floating")]);
}
