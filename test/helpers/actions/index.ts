/**
 * GitHub Actions, faked for tests. See fake-actions.ts (REST, dispatch, deliveries), engine.ts (how a run is
 * executed), job-steps.ts (steps on a runner), and the modules they name for each GitHub behaviour reproduced.
 *
 *   const github = useFakeGitHub();
 *   const actions = new FakeActions(github, { runners: [{ name: "r1", labels: ["self-hosted", "linux"] }] });
 *   await actions.repos.create("my-org/app", { ".github/workflows/ci.yml": "..." });
 *   await actions.dispatch("my-org/app", "ci.yml", { ref: "main" });
 *   await actions.idle();
 */
import { join } from "node:path";
import { ROOT } from "../app-process.js";

export { FakeActions, commitFlibsRepo, GITHUB_ACTIONS_APP_ID, type FakeActionsOptions } from "./fake-actions.js";
export { LocalRepos } from "./git-repos.js";
export { inputVariable } from "./job-steps.js";
export type { Annotation, Delivery, JobRecord, RunRecord, RunnerSpec, StepRecord } from "./model.js";

/** A file under test/fixtures/actions, to copy into a local repository (`{ from }`). */
export function actionsFixture(path: string): { from: string } {
  return { from: join(ROOT, "test", "fixtures", "actions", path) };
}
