import type { Context, Probot } from "probot";
import { resolveCommit } from "../github/contents.js";
import type { DeliveryWork } from "./deliveries.js";
import { promoteCommit } from "./promotion.js";
import { scopeOf, type Flibs } from "./scope.js";

const RELEASE_TAG = /^v\d/;

/**
 * A push to the default branch promotes the commit for that branch; a pushed release tag (`v*`) or a published
 * release promotes it for the tag (one promotion per commit and ref, whichever event comes first).
 */
export function registerPushAndRelease(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  const log = (context: Context, outcome: unknown) => context.log.info({ outcome }, "flibs/promote");
  app.on("push", async (context) => {
    const p = context.payload;
    if (p.deleted) return;
    const isDefault = p.ref === `refs/heads/${p.repository.default_branch}`;
    const isRelease = p.ref.startsWith("refs/tags/") && RELEASE_TAG.test(p.ref.slice("refs/tags/".length));
    if (!isDefault && !isRelease) return;
    await deliveries.run(context.log, "flibs/promote (push)", async () => {
      const scope = await scopeOf(app, context, flibs);
      // A tag's `after` may be an annotated tag object: ask GitHub for the commit it names.
      const target =
        isDefault && p.head_commit ? { sha: p.after, tree: p.head_commit.tree_id } : await resolveCommit(scope.octokit, scope.repo, p.ref);
      log(context, await scope.forCommit(target.sha, () => promoteCommit(scope, { ...target, ref: p.ref, trigger: "event" })));
    });
  });
  app.on("release.published", async (context) => {
    const release = context.payload.release;
    if (release.draft || !RELEASE_TAG.test(release.tag_name)) return;
    await deliveries.run(context.log, "flibs/promote (release)", async () => {
      const scope = await scopeOf(app, context, flibs);
      const ref = `refs/tags/${release.tag_name}`;
      const target = await resolveCommit(scope.octokit, scope.repo, ref);
      log(context, await scope.forCommit(target.sha, () => promoteCommit(scope, { ...target, ref, trigger: "event" })));
    });
  });
}
