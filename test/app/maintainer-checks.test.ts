/**
 * What a maintainer reads and clicks on flibs' checks, through the App (issue 21): a failed arch says where, why and
 * what next; a build that will not run or was stopped says why; and "Re-run" in the checks UI (point 4): each flibs check's Re-run does what its command does, with that
 * command's permission, and a refusal is answered on the pull request. GitHub sends `check_run.rerequested` for
 * one check and `check_suite.rerequested` for "Re-run all checks"
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_run, #check_suite: an App that receives
 * them creates new check runs for the rerequested ones). Same world as test/app/orchestration.test.ts.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { createTestApp, examplePayload, type TestApp } from "../helpers/github.js";
import { codeBlocks, codeSpans } from "../helpers/markdown.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";

const REPO = "my-org/hello";
const PR = 7;
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const DOCKERFILE = [
  "FROM registry.fedoraproject.org/fedora:41",
  'LABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"',
  "USER 1001",
  "",
].join("\n");

const registry = useRegistry();
const world = useWorld();
failOnUnhandledRejections();
let app: TestApp;
let HEAD: string;

beforeEach(async () => {
  world.policy(`arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ghcr.io/my-org\n`);
  await world.repo(REPO, { Dockerfile: DOCKERFILE, "container.yaml": "image: hello\n" });
  HEAD = await world.commit({ "feature.txt": "one\n" }, { branch: `pr-${PR}` });
  world.role("member", "write").role("outsider", "read").role("lead", "maintain");
  world.pull({ number: PR, head: HEAD, author: "member" });
  app = await createTestApp();
});

const dispatches = (workflow = "flibs.yml") =>
  world.github
    .calls(DISPATCH)
    .filter((r) => r.params.workflow_id === workflow)
    .map((r) => r.body as { inputs: Record<string, string> });
const replies = () => world.github.calls(COMMENT).map((r) => (r.body as { body: string }).body);

/** "Re-run" clicked on a check of `sha` by `by`. */
function rerun(name: string, by: string, o: { sha?: string; pr?: number | null; externalId?: string | null } = {}) {
  const sha = o.sha ?? HEAD;
  const check = world.shown(sha, name);
  return examplePayload("check_run", "rerequested", {
    repo: REPO,
    installationId: world.installationId,
    headSha: sha,
    sender: by,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.check_run.name = name;
      p.check_run.id = check?.id ?? 1;
      p.check_run.external_id = o.externalId !== undefined ? o.externalId : (check?.external_id ?? null);
      const pr = o.pr === undefined ? PR : o.pr;
      p.check_run.pull_requests =
        pr === null
          ? []
          : [
              {
                number: pr,
                id: 1,
                url: "",
                head: { ref: "f", sha, repo: { id: 1, url: "", name: "hello" } },
                base: { ref: "main", sha, repo: { id: 1, url: "", name: "hello" } },
              },
            ];
    },
  });
}

/** The PR's head built through the App to the end of its run, aarch64 failing when `fail`. */
async function built(fail: boolean) {
  await world.standIn({ push: true, ...(fail ? { fail: ["aarch64"] } : {}) });
  world.deliverTo(app);
  await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
  await world.settled();
  world.deliverTo(undefined);
}

describe("Re-run on flibs/build", () => {
  test("retests the failed arches, as /retest does; refused with a reply for someone who may not build", async () => {
    await built(true);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ conclusion: "failure" });
    await app.receive("check_run", rerun("flibs/build", "outsider"));
    expect(dispatches()).toHaveLength(1);
    expect(replies().at(-1)).toMatch(/Re-run of `flibs\/build`: .*needs write access/);

    await app.receive("check_run", rerun("flibs/build", "member"));
    expect(dispatches()).toHaveLength(2);
    expect(JSON.parse(dispatches()[1]!.inputs.arches!)).toEqual(["aarch64"]);
    expect(dispatches()[1]!.inputs.build_id).toBe(`${HEAD}.2`);
  });
});

describe("Re-run on flibs/review", () => {
  test("reviews the commit again (a new flibs/review check); refused for someone who may not build", async () => {
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    expect(world.checks(HEAD, "flibs/review")).toHaveLength(1);
    await app.receive("check_run", rerun("flibs/review", "outsider"));
    expect(world.checks(HEAD, "flibs/review")).toHaveLength(1);
    expect(replies().at(-1)).toMatch(/Re-run of `flibs\/review`: `\/build` was refused/);

    await app.receive("check_run", rerun("flibs/review", "member"));
    expect(world.checks(HEAD, "flibs/review")).toHaveLength(2);
    expect(world.shown(HEAD, "flibs/review")).toMatchObject({ status: "completed", conclusion: "success" });
  });
});

describe("Re-run all checks (check_suite.rerequested)", () => {
  test("reviews again and retests the failed arches", async () => {
    await built(true);
    const suite = examplePayload("check_suite", "rerequested", {
      repo: REPO,
      installationId: world.installationId,
      headSha: HEAD,
      sender: "member",
      edit: (p) => {
        p.repository.default_branch = "main";
        p.check_suite.pull_requests = [
          {
            number: PR,
            id: 1,
            url: "",
            head: { ref: "f", sha: HEAD, repo: { id: 1, url: "", name: "hello" } },
            base: { ref: "main", sha: HEAD, repo: { id: 1, url: "", name: "hello" } },
          },
        ];
      },
    });
    await app.receive("check_suite", suite);
    expect(world.checks(HEAD, "flibs/review")).toHaveLength(2);
    expect(dispatches().map((d) => JSON.parse(d.inputs.arches!))).toEqual([["x86_64", "aarch64"], ["aarch64"]]);
  });
});

describe("Re-run on flibs/promote (<ref>)", () => {
  test("retries that promotion as /promote does: refused for a writer (replied on the merged PR), a new attempt for a maintainer", async () => {
    world.recordBuild(HEAD, { pr: PR });
    const MERGE = await world.commit({ "feature.txt": "one\n" }, { message: `Merge pull request #${PR}` });
    world.merge(PR, MERGE);
    await world.standIn({ push: true, promote: { fail: true } });
    world.deliverTo(app);
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));
    await world.settled();
    world.deliverTo(undefined);
    expect(world.shown(MERGE, "flibs/promote (main)")).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(dispatches("flibs-promote.yml")).toHaveLength(1);

    await app.receive("check_run", rerun("flibs/promote (main)", "member", { sha: MERGE, pr: null }));
    expect(dispatches("flibs-promote.yml")).toHaveLength(1);
    expect(replies().at(-1)).toMatch(/Re-run of `flibs\/promote \(main\)`: `\/promote` was refused: .*needs maintain access/);

    await app.receive("check_run", rerun("flibs/promote (main)", "lead", { sha: MERGE, pr: null }));
    expect(dispatches("flibs-promote.yml").map((d) => d.inputs.promotion_id)).toEqual([`${MERGE}-1`, `${MERGE}-2`]);
  });
});

describe("when no build will run, or a build is stopped, flibs/build says why", () => {
  test("an invalid container.yaml in an organisation that builds: flibs/build fails at once with the reason (issue 21, point 6)", async () => {
    const bad = await world.commit({ "container.yaml": "image: hello\nplatforms:\n  only: [arm64]\n" }, { branch: `pr-${PR}` });
    world.pull({ number: PR, head: bad, author: "member" });
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    expect(dispatches()).toEqual([]);
    expect(world.shown(bad, "flibs/build")).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "Not built: container.yaml is invalid",
    });
    // The same delivery again writes nothing more.
    const writes = world.github.writes().length;
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    expect(world.github.writes().length).toBe(writes);
  });

  test("closing the PR unmerged cancels its build and flibs/build says the PR was closed (issue 21, point 10)", async () => {
    await world.standIn({ push: true, hold: ["x86_64", "aarch64"] });
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    await app.receive("pull_request", world.pullEvent(PR, "closed"));
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({
      status: "completed",
      conclusion: "cancelled",
      title: "Cancelled: the pull request was closed",
    });
  });
});

describe("flibs/build while the arches build (issue 21, point 3)", () => {
  test("queued until a job starts, then 'Building x86_64, aarch64' with the run's link; closed when the run ends", async () => {
    await world.standIn({ push: true, hold: ["x86_64", "aarch64"] });
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    const run = world.buildRun(`${HEAD}.1`);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ status: "queued", title: "Queued: x86_64, aarch64" });
    // GitHub's workflow_job.in_progress of each held arch (recorded, delivered here once both jobs started).
    const started = () => world.deliveriesOf(run, { event: "workflow_job", action: "in_progress", job: /build \((x86_64|aarch64)\)/ });
    for (let i = 0; started().length < 2; i++) {
      if (i > 3000) throw new Error("the held arch jobs never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    await world.replay(started(), app);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({
      status: "in_progress",
      title: "Building x86_64, aarch64",
      details_url: expect.stringContaining(`/actions/runs/${run.id}`),
    });
    // The plan stays where the close reads it.
    expect(world.shown(HEAD, "flibs/build")!.summary).toContain(`"run":${run.id}`);
    world.deliverTo(app);
    await world.standIn({ push: true });
    await world.settled();
    world.deliverTo(undefined);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ status: "completed", conclusion: "success" });
    // The late in_progress deliveries again (GitHub redelivers; another replica answers late): nothing reopens.
    await world.replay(started(), app);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ status: "completed", conclusion: "success" });
    expect(world.checks(HEAD, "flibs/build")).toHaveLength(1);
  });
});

describe("a failed arch's check says where, why and what next (issue 21, point 2)", () => {
  test("names the failing step, quotes the job's error lines and offers /retest <arch>", async () => {
    await built(true);
    const check = world.shown(HEAD, "flibs/build (aarch64)")!;
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check.title).toMatch(/^aarch64: failed in “.+”$/);
    expect(codeBlocks(check.summary ?? "").join("\n")).toContain("image test runs failed on aarch64");
    expect(codeSpans(check.summary ?? "")).toContain("/retest aarch64");
    expect(world.shown(HEAD, "flibs/build (x86_64)")!.title).toBe("x86_64: built and tested");
  });

  test("flibs/build names the failing step and quotes the error lines too, as the run's jobs give them", async () => {
    await built(true);
    const build = world.shown(HEAD, "flibs/build")!;
    const arch = world.shown(HEAD, "flibs/build (aarch64)")!;
    expect(build).toMatchObject({ status: "completed", conclusion: "failure" });
    const step = /“(.+)”$/.exec(arch.title ?? "")![1]!;
    expect(build.title).toBe(`Failed on aarch64 in “${step}”`);
    expect(codeBlocks(build.summary ?? "").join("\n")).toContain("image test runs failed on aarch64");
    expect(codeSpans(build.summary ?? "")).toContain("/retest aarch64");
  });

  test("a run's close does not wait for its arch jobs' own events: a lost workflow_job delivery still gives the result", async () => {
    await world.standIn({ push: true, fail: ["aarch64"] });
    await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
    await world.settled();
    const run = world.buildRun(`${HEAD}.1`);
    // Every delivery but aarch64's workflow_job.completed (GitHub does not retry a failed delivery on its own).
    const lost = world.deliveriesOf(run, { event: "workflow_job", action: "completed", job: /build \(aarch64\)/ });
    expect(lost).toHaveLength(1);
    await world.replay(
      world.deliveriesOf(run).filter((d) => !lost.includes(d)),
      app,
    );
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(world.shown(HEAD, "flibs/build")!.title).toMatch(/^Failed on aarch64 in “.+”$/);
    // The arch's own check does not spin forever either: the close brings it to its job's end.
    const arch = world.shown(HEAD, "flibs/build (aarch64)")!;
    expect(arch).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(arch.title).toMatch(/^aarch64: failed in “.+”$/);
    expect(codeBlocks(arch.summary ?? "").join("\n")).toContain("image test runs failed on aarch64");
    expect(world.checks(HEAD, "flibs/build (aarch64)")).toHaveLength(1);
  });
});
