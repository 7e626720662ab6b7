/**
 * `workflow_run.completed` closes `flibs/build` from what the run's jobs reported by value (each arch job's digest
 * notice, the publish job's index notice) and the index read back *by that digest* from a real registry (Debian's
 * docker-registry on loopback), never from a tag. The shipped workflows run through the fake Actions, the Action's
 * bundle replaced by the stand-in, which pushes small real images and the index to that registry.
 */
import { beforeEach, expect, test } from "vitest";
import { parseDigestsMarker } from "../../src/core/report/custody.js";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import { createTestApp, type TestApp } from "../helpers/github.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";

const REPO = "my-org/hello";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const registry = useRegistry();
const world = useWorld();
failOnUnhandledRejections();
let app: TestApp;

beforeEach(async () => {
  world.policy(`arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ${registry.host}/stable\n`);
  await world.repo(REPO, { Dockerfile: "FROM registry.fedoraproject.org/fedora:41\n", "container.yaml": "image: my-org/hello\n" });
  world.role("member", "write");
  app = await createTestApp();
  world.deliverTo(app);
});

/** A member's PR whose head builds through the App and the shipped workflows, to the end of its run. */
async function build(number: number): Promise<string> {
  const head = await world.commit({ "notes.txt": `change ${number}\n` }, { branch: `pr-${number}` });
  world.pull({ number, head, author: "member" });
  await app.receive("pull_request", world.pullEvent(number, "synchronize"));
  await world.settled();
  return head;
}

/** An index as the registry serves it, by digest. */
async function index(digest: string): Promise<{ manifests: Array<{ digest: string; platform: { architecture: string } }> }> {
  const res = await fetch(`${registry.url}/v2/candidates/my-org/hello/manifests/${digest}`, {
    headers: { accept: "application/vnd.oci.image.index.v1+json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
}

test("every planned arch in the index: success, with each arch's digest and size and the index digest recorded", async () => {
  await world.standIn({ push: true });
  const sha = await build(1);

  const s = world.shown(sha, "flibs/build")!;
  expect(s, s.summary ?? "").toMatchObject({ status: "completed", conclusion: "success", title: "Built and tested: x86_64, aarch64" });
  const indexDigest = parseIndexMarker(s.summary)!;
  const run = world.buildRun(`${sha}.1`);
  // The index publish reported, read back by that digest: its children are the digests the arch jobs tested.
  expect(run.jobs.find((j) => j.name === `build / publish ${sha}.1`)!.outputs["index-digest"]).toBe(indexDigest);
  const children = (await index(indexDigest)).manifests;
  expect(children.map((m) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
  for (const m of children) expect(s.summary).toContain(m.digest);
  expect(parseDigestsMarker(s.summary)).toEqual({ x86_64: children[0]!.digest, aarch64: children[1]!.digest });
  expect(s.summary).toMatch(/\| x86_64 \| passed \| `sha256:[0-9a-f]{64}` \| [0-9.]+ (B|KiB|MiB) \|/);
  // The run's completion delivered again finds the check closed and changes nothing.
  const closing = () =>
    world.github
      .calls(UPDATE)
      .filter((r) => (r.body as { conclusion?: string }).conclusion === "success" && Number(r.params.check_run_id) === s.id);
  expect(closing()).toHaveLength(1);
  await world.replay(world.deliveriesOf(run, { event: "workflow_run", action: "completed" }), app);
  expect(closing()).toHaveLength(1);
}, 60_000);

test("an arch missing from the index fails flibs/build naming it", async () => {
  // The publish job pushes an index without aarch64 (and reports it): the index read back by its digest lacks it.
  await world.standIn({ push: true, publish: { leave_out: ["aarch64"] } });
  const sha = await build(2);
  const s = world.shown(sha, "flibs/build")!;
  expect(s).toMatchObject({ status: "completed", conclusion: "failure" });
  // The index is now read by the digest publish reported (before: by its tag) and checked against the tested
  // digests; the summary says which arch it lacks, and the title of the failed check names it too (as it did).
  expect(s.summary).toContain("the index holds no aarch64 image");
  expect(s.summary).not.toContain("flibs:index");
  expect(s.title).toContain("aarch64");
}, 60_000);

test("no index at all (the publish job published none): failure that says no index was published", async () => {
  await world.standIn({ push: true, publish: { fail: true } });
  const sha = await build(3);
  const s = world.shown(sha, "flibs/build")!;
  expect(s).toMatchObject({ status: "completed", conclusion: "failure" });
  // Before: "The index could not be read" (the tag was missing). Now the publish job's own result says it.
  // The title says what failed, once.
  expect(s.summary).toMatch(/❌ Every arch was built and tested, but the publish job ended failure(:|&#58;) no index was published/);
  expect(s.title).toBe("Built and tested, but the publish job ended failure: no index was published");
  expect(s.summary).toContain("`/build`");
  expect(s.summary!.match(/no index was published/g)).toHaveLength(1);
  expect(s.summary).not.toContain("flibs:index");
}, 60_000);
