import { escapeCell, inlineCode, tableCell } from "../markdown.js";
import { PROMOTE_CHECK } from "../plan/build-id.js";
import type { PlannedTag } from "../promote/tags.js";
import { formatIndexMarker } from "./index-marker.js";

/**
 * `flibs/promote (<ref>)`: one promotion of a commit for one Git ref. Each ref has a check of its own name, so a
 * commit promoted for `main` and then for `v1.0.0` shows both results (GitHub shows the newest check per name).
 */
export function promoteCheckName(ref: string): string {
  return `${PROMOTE_CHECK} (${ref.replace(/^refs\/(heads|tags)\//, "")})`;
}

/** Whether a check is one of flibs' promotion checks, whatever ref it names. */
export function isPromoteCheckName(name: string): boolean {
  return name === PROMOTE_CHECK || (name.startsWith(`${PROMOTE_CHECK} (`) && name.endsWith(")"));
}

export interface PromotionFacts {
  ref: string;
  digest: string;
  /** The commit whose build was tested (the PR head, or the commit itself). */
  testedSha: string;
  environment: string;
  /** `host/repo@digest` in the stable registry. */
  stable: string;
  /** The tags the promotion writes (from the ref and container.yaml's `tags`). */
  tags: readonly PlannedTag[];
}

export function promotingSummary(p: PromotionFacts, tagProblem?: string): string {
  return [
    `Promoting the index tested on ${inlineCode(p.testedSha.slice(0, 12))} for ${inlineCode(p.ref)}, in the ${inlineCode(p.environment)} environment: its reviewers may need to approve the run.`,
    "",
    "| | |",
    "| --- | --- |",
    `| digest | ${tableCell(inlineCode(p.digest))} |`,
    `| to | ${tableCell(inlineCode(p.stable, 1000))} |`,
    `| tags | ${p.tags.length ? p.tags.map((t) => tableCell(inlineCode(t.tag))).join(", ") : "none (a branch promotion writes no release tag)"}${tagProblem ? ` (${escapeCell(tagProblem)})` : ""} |`,
    "",
    formatIndexMarker(p.digest),
  ].join("\n");
}

export interface PromotionResult {
  ok: boolean;
  runConclusion: string | null;
  runUrl: string;
  /** What the promote job reported writing, if it reported it. */
  tagsWritten?: ReadonlyArray<{ tag: string; kind: "immutable" | "floating" }>;
  /** Whether the job signed the index; undefined when it did not say. */
  signed?: boolean;
}

export function completedPromotion(
  p: PromotionFacts,
  r: PromotionResult,
): { conclusion: "success" | "failure" | "cancelled"; title: string; summary: string } {
  if (!r.ok) {
    return {
      conclusion: r.runConclusion === "cancelled" ? "cancelled" : "failure",
      title: r.runConclusion === "cancelled" ? `Promotion for ${short(p.ref)} cancelled` : `Promotion for ${short(p.ref)} failed`,
      summary: [
        `❌ The promote run ended ${inlineCode(r.runConclusion ?? "without a conclusion")}: nothing reached ${inlineCode(p.stable.split("@")[0]!)} under a tag. See [its log](${encodeURI(r.runUrl)}).`,
        "",
        `**Next:** once the cause is fixed (the environment's approval, the stable registry's credentials), comment ${inlineCode("/promote")} on the merged pull request, or use Re-run on this check.`,
        "",
        formatIndexMarker(p.digest),
      ].join("\n"),
    };
  }
  const tags = r.tagsWritten ?? p.tags.map((t) => ({ tag: t.tag, kind: t.kind }));
  const release = p.ref.startsWith("refs/tags/");
  const signature =
    r.signed === true
      ? "✅ signed"
      : r.signed === false
        ? release
          ? "⚠️ **not signed**: the runner has no cosign; a release should be"
          : "not signed (the runner has no cosign)"
        : "unknown (the job did not say)";
  const rows = [
    "| | |",
    "| --- | --- |",
    `| image | ${tableCell(inlineCode(p.stable, 1000))} |`,
    `| tags | ${tags.length ? tags.map((t) => `${tableCell(inlineCode(t.tag))} (${t.kind})`).join(", ") : "none"} |`,
    `| tested on | ${tableCell(inlineCode(p.testedSha.slice(0, 12)))} |`,
    `| signature | ${signature} |`,
  ];
  return {
    conclusion: "success",
    title: `Promoted to ${short(p.stable.split("@")[0]!)} for ${short(p.ref)}${release && r.signed === false ? " (unsigned)" : ""}`,
    summary: [
      `✅ Promoted for ${inlineCode(p.ref)}.`,
      "",
      ...rows,
      "",
      "```sh",
      `podman pull ${p.stable}`,
      "```",
      "",
      `[Run log](${encodeURI(r.runUrl)})`,
      "",
      formatIndexMarker(p.digest),
    ].join("\n"),
  };
}

function short(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}
