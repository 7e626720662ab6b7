import { DEFAULT_POLICY, parsePolicy, POLICY_FILE, type Policy } from "../core/config/index.js";
import { githubError } from "./errors.js";
import type { GitHubClient } from "./octokit.js";

export type PolicyRead = { ok: true; policy: Policy; found: boolean } | { ok: false; message: string; policy: Policy };

/** Where the organisation keeps shared config: its `.github` repository. */
export const ORG_CONFIG_REPO = ".github";

/**
 * Reads the organisation policy (`.github/flibs.yml` in the owner's `.github` repository, default branch)
 * through Probot's config loader, so `_extends: other-repo` or `_extends: other-org/repo:path.yml` works.
 * A repository cannot override it. No file means the default policy; an unreadable or invalid one is
 * reported (with the default policy to review with) and never thrown.
 */
export async function readOrgPolicy(octokit: GitHubClient, owner: string): Promise<PolicyRead> {
  let files: Array<{ config: Record<string, unknown> | null }>;
  let config: unknown;
  try {
    ({ files, config } = await octokit.config.get({ owner, repo: ORG_CONFIG_REPO, path: POLICY_FILE }));
  } catch (e) {
    return {
      ok: false,
      policy: DEFAULT_POLICY,
      message: githubError(e, `cannot read the organisation policy ${owner}/${ORG_CONFIG_REPO}:${POLICY_FILE}`).message,
    };
  }
  if (!files.some((f) => f.config !== null)) return { ok: true, policy: DEFAULT_POLICY, found: false };
  const parsed = parsePolicy(config);
  if (!parsed.ok)
    return {
      ok: false,
      policy: DEFAULT_POLICY,
      message: `invalid organisation policy ${owner}/${ORG_CONFIG_REPO}:${POLICY_FILE}: ${parsed.message}`,
    };
  return { ok: true, policy: parsed.value, found: true };
}
