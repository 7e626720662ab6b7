import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signWebhook, useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions } from "../helpers/actions/index.js";
import { restErrors, webhookErrors } from "./schemas.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
let server: Server | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An App stand-in: records each delivery and answers 202 when its signature is right, 401 otherwise. */
async function receiver(secret: string): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(req.headers["x-hub-signature-256"] === signWebhook(secret, body) ? 202 : 401).end("ok");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, received };
}

describe("deliveries", () => {
  it("sends signed workflow_run and workflow_job events in GitHub's order, each valid against GitHub's webhook schemas", async () => {
    const hook = await receiver("hook-secret");
    actions = new FakeActions(github, {
      runners: [
        { name: "r1", labels: ["self-hosted", "linux"] },
        { name: "r2", labels: ["self-hosted", "linux"] },
      ],
      webhook: { url: hook.url, secret: "hook-secret", appId: 4242 },
      installationId: 77,
      environments: { stable: { reviewers: true } },
    });
    await actions.repos.create(
      "my-org/lib",
      {
        ".github/workflows/middle.yml": actionsFixture("nested/middle.yml"),
        ".github/workflows/inner.yml": actionsFixture("nested/inner.yml"),
      },
      { tags: ["v1"] },
    );
    await actions.repos.create("my-org/app", { ".github/workflows/nested.yml": actionsFixture("nested/caller.yml") });
    await actions.dispatch("my-org/app", "nested.yml", { ref: "main", inputs: { id: "i.1", arches: "[]" } });
    await actions.idle();
    // An empty matrix fails its job; its dependants are skipped: every kind of event is sent.
    const run = actions.runs[0]!;
    expect(run.conclusion).toBe("failure");
    expect(hook.received.map((r) => r.headers["x-hub-signature-256"])).toEqual(
      actions.deliveries.map((d) => signWebhook("hook-secret", JSON.stringify(d.payload))),
    );
    expect(actions.deliveries.every((d) => d.status === 202)).toBe(true);
    for (const r of hook.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-github-hook-installation-target-type"]).toBe("integration");
      expect(r.headers["x-github-hook-installation-target-id"]).toBe("4242");
      expect(r.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    for (const d of actions.deliveries) {
      expect(webhookErrors(d.event, d.action, d.payload), `${d.event}.${d.action}`).toBe("");
      expect(d.payload.installation.id).toBe(77);
      expect(d.payload.repository.full_name).toBe("my-org/app");
    }
    const order = actions.deliveries.map(
      (d) => `${d.event}.${d.action}${d.event === "workflow_job" ? ` ${d.payload.workflow_job.name}` : ""}`,
    );
    expect(order[0]).toBe("workflow_run.requested");
    expect(order[order.length - 1]).toBe("workflow_run.completed");
    expect(order).toContain("workflow_job.completed build / arch / build (${{ matrix.arch }}) ${{ inputs.id }}");
    expect(order).toContain("workflow_job.completed build / arch / publish");
    const completed = actions.sent("workflow_run", "completed")[0]!.payload.workflow_run;
    expect(completed).toMatchObject({
      id: run.id,
      conclusion: "failure",
      display_title: "nested i.1",
      path: ".github/workflows/nested.yml",
      event: "workflow_dispatch",
    });
    expect(completed.referenced_workflows.map((w: { path: string }) => w.path)).toEqual([
      "my-org/lib/.github/workflows/middle.yml@v1",
      `my-org/lib/.github/workflows/inner.yml@${completed.referenced_workflows[0].sha}`,
    ]);
  });

  it("a job's events go queued, in_progress, completed; the run's in_progress comes before its first job's", async () => {
    actions = new FakeActions(github, { runners: [{ name: "r1", labels: ["self-hosted", "linux"] }] });
    await actions.repos.create("my-org/app", { ".github/workflows/typed.yml": actionsFixture("dispatch/typed.yml") });
    await actions.dispatch("my-org/app", "typed.yml", { ref: "main", inputs: { name: "n" } });
    await actions.idle();
    expect(actions.deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "workflow_run.requested",
      "workflow_job.queued",
      "workflow_run.in_progress",
      "workflow_job.in_progress",
      "workflow_job.completed",
      "workflow_run.completed",
    ]);
    for (const d of actions.deliveries) expect(webhookErrors(d.event, d.action, d.payload), `${d.event}.${d.action}`).toBe("");
    const job = actions.sent("workflow_job", "completed")[0]!.payload.workflow_job;
    expect(job).toMatchObject({
      name: "show",
      conclusion: "success",
      runner_name: "r1",
      labels: ["self-hosted", "linux"],
      workflow_name: "typed",
    });
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual([
      "Set up job",
      'Run echo "flag=$FLAG_TYPE" >> "$GITHUB_OUTPUT"',
      "Complete job",
    ]);
  });

  it("a job in an environment with required reviewers waits (workflow_job.waiting) until approved", async () => {
    actions = new FakeActions(github, {
      runners: [{ name: "r1", labels: ["self-hosted", "linux"] }],
      environments: { stable: { reviewers: true } },
    });
    await actions.repos.create("my-org/app", {
      ".github/workflows/deploy.yml":
        "name: deploy\non: workflow_dispatch\njobs:\n  go:\n    runs-on: [self-hosted, linux]\n    environment: stable\n    steps:\n      - run: echo deployed\n",
    });
    await actions.dispatch("my-org/app", "deploy.yml", { ref: "main" });
    while (actions.sent("workflow_job", "waiting").length === 0) await new Promise((r) => setTimeout(r, 10));
    const run = actions.runs[0]!;
    expect(run.jobs[0]!.status).toBe("waiting");
    expect(actions.approve(run.id, "stable")).toBe(1);
    await actions.idle();
    expect(run.jobs[0]).toMatchObject({ conclusion: "success", environment: { name: "stable" } });
    expect(actions.deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "workflow_run.requested",
      "workflow_job.queued",
      "workflow_job.waiting",
      "workflow_run.in_progress",
      "workflow_job.in_progress",
      "workflow_job.completed",
      "workflow_run.completed",
    ]);
  });
});

describe("REST answers", () => {
  it("runs and jobs have the shapes of GitHub's REST description, and the listings filter as documented", async () => {
    actions = new FakeActions(github, { runners: [{ name: "r1", labels: ["self-hosted", "linux"] }] });
    await actions.repos.create("my-org/app", { ".github/workflows/typed.yml": actionsFixture("dispatch/typed.yml") });
    await actions.dispatch("my-org/app", "typed.yml", { ref: "main", inputs: { name: "n" } });
    await actions.idle();
    const run = actions.runs[0]!;
    const get = async (path: string) => (await (await fetch(`https://api.github.com/repos/my-org/app${path}`)).json()) as any;
    const list = await get("/actions/workflows/typed.yml/runs?event=workflow_dispatch&per_page=100");
    expect(list.total_count).toBe(1);
    expect(restErrors("workflow-run", list.workflow_runs[0])).toBe("");
    expect(restErrors("workflow-run", await get(`/actions/runs/${run.id}`))).toBe("");
    expect((await get(`/actions/runs?head_sha=${run.head_sha}&status=completed`)).total_count).toBe(1);
    expect((await get("/actions/runs?event=push")).total_count).toBe(0);
    expect((await get("/actions/runs?status=in_progress")).total_count).toBe(0);
    const jobs = await get(`/actions/runs/${run.id}/jobs`);
    expect(jobs.total_count).toBe(1);
    expect(restErrors("job", jobs.jobs[0])).toBe("");
    expect(await get(`/actions/jobs/${run.jobs[0]!.id}`)).toEqual(jobs.jobs[0]);
  });
});
