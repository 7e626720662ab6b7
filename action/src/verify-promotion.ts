import { commitInfo } from "../../src/builder/index.js";
import { MEDIA } from "../../src/core/build/oci-index.js";
import type { BuildRecord } from "../../src/core/build/record.js";
import { FlibsError } from "../../src/core/errors.js";
import type { RepositoryRef } from "../../src/core/oci/reference.js";
import type { CheckRunView } from "../../src/core/promote/tested-build.js";
import { verifyBuildRecord, verifyPromotionRequest } from "../../src/core/promote/verify.js";
import { promoteCheckName } from "../../src/core/report/promote-check.js";
import type { RegistryClient } from "../../src/registry/index.js";

export interface PromotionRequest {
  promotionId: string;
  appId: number;
  token: string;
  sha: string;
  ref: string;
  digest: string;
  context: string;
}

/**
 * Before the promote job copies anything: the flibs App itself asked for this promotion (its own `flibs/promote (<ref>)`
 * check, read with the job's token and filtered by the App's id), and the candidate index's build record was built
 * from the released commit's tree. A hand-made dispatch of the promote caller stops here.
 */
export async function verifyPromotion(
  req: PromotionRequest,
  env: NodeJS.ProcessEnv,
  registry: { client: RegistryClient; repository: RepositoryRef },
): Promise<void> {
  const checks = await appChecks(req, env);
  const asked = verifyPromotionRequest({ promotionId: req.promotionId, ref: req.ref, digest: req.digest, sha: req.sha, checks });
  if (!asked.ok) throw new FlibsError("refused", `not promoted: ${asked.reason}`);
  const { tree } = await commitInfo(req.context, req.sha);
  const record = await buildRecord(registry.client, registry.repository, req.digest);
  const built = verifyBuildRecord({ record, digest: req.digest, tree });
  if (!built.ok) throw new FlibsError("refused", `not promoted: ${built.reason}`);
}

async function appChecks(req: PromotionRequest, env: NodeJS.ProcessEnv): Promise<CheckRunView[]> {
  const api = (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, "");
  const repo = env.GITHUB_REPOSITORY;
  if (!repo) throw new FlibsError("usage", "GITHUB_REPOSITORY is not set: the promote mode runs in a GitHub Actions job");
  const url = `${api}/repos/${repo}/commits/${req.sha}/check-runs?check_name=${encodeURIComponent(promoteCheckName(req.ref))}&app_id=${req.appId}&filter=all&per_page=100`;
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${req.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "flibs-action",
    },
  });
  if (!res.ok) {
    const why = res.status === 403 ? " (the promote job needs `checks: read`)" : "";
    throw new FlibsError("github", `cannot read the flibs App's checks of ${req.sha.slice(0, 12)}: GitHub answered ${res.status}${why}`);
  }
  const body = (await res.json()) as { check_runs?: Array<CheckRunView & { app?: { id?: number } | null }> };
  // The filter is GitHub's; checking the App again costs nothing and holds should the filter ever be ignored.
  return (body.check_runs ?? []).filter((c) => c.app?.id === req.appId);
}

async function buildRecord(client: RegistryClient, repository: RepositoryRef, digest: string): Promise<Partial<BuildRecord> | undefined> {
  const referrers = await client.getReferrers(repository, digest, MEDIA.buildRecord);
  for (const d of referrers) {
    const m = await client.getManifest({ ...repository, digest: d.digest });
    const layer = m.manifest.kind === "manifest" ? m.manifest.layers.find((l) => l.mediaType === MEDIA.buildRecord) : undefined;
    if (!layer) continue;
    try {
      return JSON.parse(new TextDecoder().decode(await client.getBlob(repository, layer.digest))) as Partial<BuildRecord>;
    } catch {
      continue;
    }
  }
  return undefined;
}
