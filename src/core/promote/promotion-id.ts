/**
 * A promotion is one commit released under one Git ref, at one attempt. Its id travels through the promote
 * caller's dispatch input and run-name (so the run's `workflow_run` event maps back to it), and the `flibs/promote`
 * check run's `external_id` holds the id, the deployment it reports to and the ref: the App keeps no memory.
 *
 * The id is `<sha>-<attempt>`: a dash, never a dot, so a build id parser (`<sha>.<attempt>`) never takes a
 * promotion run for a build run.
 */
export interface PromotionId {
  sha: string;
  attempt: number;
}

export interface PromotionKey {
  id: PromotionId;
  /** The deployment reporting this promotion; undefined while it waits for a build or when it was refused. */
  deploymentId?: number;
  /** The Git ref being released: `refs/heads/main`, `refs/tags/v1.2.3`. */
  ref: string;
}

const ID = /^([0-9a-f]{40})-([1-9][0-9]{0,5})$/;
const REF = /^refs\/(heads|tags)\/[^\s:~^?*[\\]+$/;

export function isPromotableRef(ref: string): boolean {
  return REF.test(ref) && !ref.includes("..");
}

export function formatPromotionId(id: PromotionId): string {
  return `${id.sha}-${id.attempt}`;
}

export function parsePromotionId(text: string | null | undefined): PromotionId | undefined {
  const m = ID.exec(text ?? "");
  return m ? { sha: m[1]!, attempt: Number(m[2]) } : undefined;
}

export const PROMOTE_RUN_PREFIX = "flibs promote ";

/** The promote caller's run-name for an id (what `run-name: flibs promote ${{ inputs.promotion_id }}` renders). */
export function promoteRunName(id: PromotionId): string {
  return `${PROMOTE_RUN_PREFIX}${formatPromotionId(id)}`;
}

/** The promotion a run belongs to, from its display title; undefined for any other run. */
export function findPromotionId(runTitle: string | null | undefined): PromotionId | undefined {
  const t = runTitle ?? "";
  if (!t.startsWith(PROMOTE_RUN_PREFIX)) return undefined;
  return parsePromotionId(t.slice(PROMOTE_RUN_PREFIX.length).trim());
}

export function formatPromotionKey(key: PromotionKey): string {
  if (!isPromotableRef(key.ref)) throw new Error(`not a branch or tag ref: ${key.ref}`);
  return `flibs-promote:${formatPromotionId(key.id)}:${key.deploymentId ?? "-"}:${key.ref}`;
}

export function parsePromotionKey(text: string | null | undefined): PromotionKey | undefined {
  const m = /^flibs-promote:([^:]+):(-|[1-9][0-9]{0,15}):(.+)$/.exec(text ?? "");
  if (!m) return undefined;
  const id = parsePromotionId(m[1]);
  const ref = m[3]!;
  if (!id || !isPromotableRef(ref)) return undefined;
  return { id, ref, ...(m[2] !== "-" ? { deploymentId: Number(m[2]) } : {}) };
}

/** `refs/tags/v1.2.3` -> `v1.2.3`; a branch ref gives undefined. */
export function tagOfRef(ref: string): string | undefined {
  return ref.startsWith("refs/tags/") ? ref.slice("refs/tags/".length) : undefined;
}

/** The stable reference of a promoted index: `ghcr.io/my-org/hello@sha256:...`. */
export function stableReference(stable: string, image: string, digest: string): string {
  return `${stable.replace(/\/+$/, "")}/${image}@${digest}`;
}

/**
 * A page a person can open for a promoted image, for a deployment's `environment_url`: GitHub's package page for
 * GHCR (ghcr.io/<owner>/<name> redirects there), Quay's manifest page, Docker Hub's repository page. Undefined for
 * any other registry: a `/v2/.../manifests/` API URL is no page, and a plain-HTTP registry has no https one.
 */
export function referenceUrl(reference: string): string | undefined {
  const at = reference.lastIndexOf("@");
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const slash = name.indexOf("/");
  if (slash < 0) return undefined;
  const host = name.slice(0, slash).toLowerCase();
  const path = name.slice(slash + 1);
  if (host === "ghcr.io") return `https://ghcr.io/${path}`;
  if (host === "quay.io") return digest ? `https://quay.io/repository/${path}/manifest/${digest}` : `https://quay.io/repository/${path}`;
  if (host === "docker.io" || host === "registry-1.docker.io")
    return `https://hub.docker.com/r/${path.startsWith("library/") ? `_/${path.slice(8)}` : path}`;
  return undefined;
}

/** The stable reference a `flibs/promote` check is promoting, kept in its summary for the run's completion. */
export function formatStableMarker(reference: string): string {
  return `<!-- flibs:stable ${reference.replace(/\s|-->/g, "")} -->`;
}

export function parseStableMarker(text: string | null | undefined): string | undefined {
  return /<!-- flibs:stable (\S+@sha256:[0-9a-f]{64}) -->/.exec(text ?? "")?.[1];
}

/**
 * What a promotion's completion needs and its check alone keeps: the tested commit and the tags planned (a tag
 * is `[A-Za-z0-9_][A-Za-z0-9._-]*`, so neither can close the comment).
 */
export function formatPromotedMarker(testedSha: string, tags: ReadonlyArray<{ tag: string; kind: "immutable" | "floating" }>): string {
  const list = tags.filter((t) => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(t.tag)).map((t) => `${t.tag}:${t.kind}`);
  return `<!-- flibs:promotion tested=${/^[0-9a-f]{40}$/.test(testedSha) ? testedSha : "-"} tags=${list.join(",")} -->`;
}

export function parsePromotedMarker(text: string | null | undefined): {
  testedSha?: string;
  tags: Array<{ tag: string; kind: "immutable" | "floating" }>;
} {
  const m = /<!-- flibs:promotion tested=([0-9a-f]{40}|-) tags=(\S*) -->/.exec(text ?? "");
  if (!m) return { tags: [] };
  const tags = (m[2] ?? "").split(",").flatMap((t) => {
    const x = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,127}):(immutable|floating)$/.exec(t);
    return x ? [{ tag: x[1]!, kind: x[2] as "immutable" | "floating" }] : [];
  });
  return { ...(m[1] !== "-" ? { testedSha: m[1]! } : {}), tags };
}
