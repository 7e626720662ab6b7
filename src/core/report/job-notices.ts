/**
 * How the Action hands the App the digests it built and published, by value: a notice annotation on its own job
 * (`::notice title=flibs digest (x86_64)::sha256:...`), which the App reads through the job's check-run
 * annotations. The Action stops workflow commands while a build's own output streams, so a RUN step cannot
 * write one of these; more than one different value for a title is refused, never guessed between.
 */
import { isValidTag } from "../oci/reference.js";
import { isArch, type Arch } from "../platform.js";

export const DIGEST_NOTICE = "flibs digest";
export const INDEX_NOTICE = "flibs index";
/** What the promote job wrote: `{"tags":[{"tag":"1.2.3","kind":"immutable"}],"signed":false}`. */
export const PROMOTED_NOTICE = "flibs promoted";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface JobAnnotation {
  annotation_level?: string | null;
  title?: string | null;
  message?: string | null;
}

export type NoticeRead<T> = { ok: true; value: T | undefined } | { ok: false; reason: string };

/** The one message of the notices titled `title` (repeats of one value are one); two different values are refused. */
function titled(annotations: readonly JobAnnotation[], title: string, what: string): NoticeRead<string> {
  const distinct = [
    ...new Set(
      notices(annotations)
        .filter((a) => a.title === title)
        .map((a) => (a.message ?? "").trim()),
    ),
  ];
  if (distinct.length > 1) return { ok: false, reason: `the job reported ${distinct.length} different ${what}s` };
  return { ok: true, value: distinct[0] };
}

function digestTitled(annotations: readonly JobAnnotation[], title: string, what: string): NoticeRead<string> {
  const read = titled(annotations, title, what);
  if (read.ok && read.value !== undefined && !DIGEST.test(read.value))
    return { ok: false, reason: `the job reported a ${what} that is not a sha256 digest` };
  return read;
}

/** The digest an arch's build job reported for `arch`, if it reported one. */
export function archDigestNotice(annotations: readonly JobAnnotation[], arch: Arch): NoticeRead<string> {
  return digestTitled(annotations, `${DIGEST_NOTICE} (${arch})`, `${arch} digest`);
}

/** The index digest the publish job reported, if it reported one. */
export function indexDigestNotice(annotations: readonly JobAnnotation[]): NoticeRead<string> {
  return digestTitled(annotations, INDEX_NOTICE, "index digest");
}

/** Every arch some job reported a digest for. */
export function reportedArches(annotations: readonly JobAnnotation[]): Arch[] {
  return notices(annotations).flatMap((a) => {
    const m = /^flibs digest \(([a-z0-9_]+)\)$/.exec(a.title ?? "");
    return m && isArch(m[1]!) ? [m[1]] : [];
  });
}

function notices(annotations: readonly JobAnnotation[]): JobAnnotation[] {
  return annotations.filter((a) => a.annotation_level === "notice");
}

export interface PromotedReport {
  tags: Array<{ tag: string; kind: "immutable" | "floating" }>;
  signed: boolean;
}

export function formatPromotedNotice(r: PromotedReport): string {
  return JSON.stringify({ tags: r.tags.map((t) => ({ tag: t.tag, kind: t.kind })), signed: r.signed });
}

/** What the promote job reported writing; a report that is not exactly that shape is refused, never half-read. */
export function promotedNotice(annotations: readonly JobAnnotation[]): NoticeRead<PromotedReport> {
  const read = titled(annotations, PROMOTED_NOTICE, "promotion");
  if (!read.ok) return read;
  if (read.value === undefined) return { ok: true, value: undefined };
  let v: unknown;
  try {
    v = JSON.parse(read.value);
  } catch {
    return { ok: false, reason: "the job's promotion report is not JSON" };
  }
  const r = v as { tags?: unknown; signed?: unknown };
  const tags = Array.isArray(r.tags) ? (r.tags as unknown[]) : undefined;
  const valid =
    typeof r.signed === "boolean" &&
    tags?.every((t) => {
      const x = t as { tag?: unknown; kind?: unknown } | null;
      return typeof x?.tag === "string" && isValidTag(x.tag) && (x.kind === "immutable" || x.kind === "floating");
    });
  if (!valid || !tags) return { ok: false, reason: "the job's promotion report is not of its shape" };
  return { ok: true, value: { tags: tags as PromotedReport["tags"], signed: r.signed as boolean } };
}
