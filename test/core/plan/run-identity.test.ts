import { describe, expect, it } from "vitest";
import { formatBuildId, parseBuildJobName } from "../../../src/core/plan/build-id.js";
import { ownRun } from "../../../src/core/plan/run-identity.js";

const ID = { sha: "0123456789abcdef0123456789abcdef01234567", attempt: 2, scratch: false };
const id = formatBuildId(ID);

describe("build.yml's jobs, named as GitHub names them", () => {
  // GitHub names a job of a reusable workflow `<caller job> / <called job>` in workflow_job.name and the jobs API,
  // one ` / ` per nesting level (the caller's job `build` calling build.yml: `build / build (aarch64) <id>`).
  it("finds the arch whatever the caller's job is called, or however deep it is nested", () => {
    for (const name of [
      `build / build (aarch64) ${id}`,
      `images / build (aarch64) ${id}`,
      `outer / inner / build (aarch64) ${id}`,
      `build (aarch64) ${id}`,
    ]) {
      expect(parseBuildJobName(name), name).toEqual({ kind: "arch", id: ID, arch: "aarch64" });
    }
    expect(parseBuildJobName(`build / publish ${id}`)).toEqual({ kind: "publish", id: ID });
    expect(parseBuildJobName(`build / prepare ${id}`)).toEqual({ kind: "prepare", id: ID });
  });
  it("takes nothing from a caller job's name, nor any other job", () => {
    expect(parseBuildJobName(`build (aarch64) ${id} / lint`)).toBeUndefined();
    expect(parseBuildJobName(`build / build (arm64) ${id}`)).toBeUndefined();
    expect(parseBuildJobName(`build / build (aarch64) ${id} extra`)).toBeUndefined();
    expect(parseBuildJobName(`build / build (aarch64)`)).toBeUndefined();
    expect(parseBuildJobName(null)).toBeUndefined();
  });
});

describe("whose run is it", () => {
  const base = { workflow: "flibs.yml", appLogin: "flibs[bot]" };
  it("the run id GitHub answered the dispatch with decides, when flibs recorded it", () => {
    expect(ownRun({ ...base, run: { id: 7 }, recordedRunId: 7 })).toEqual({ ok: true });
    expect(
      ownRun({
        ...base,
        run: { id: 8, path: ".github/workflows/flibs.yml", event: "workflow_dispatch", actor: "flibs[bot]" },
        recordedRunId: 7,
      }),
    ).toMatchObject({ ok: false });
  });
  it("without a recorded id: the policy's caller workflow, dispatched, by the App itself", () => {
    const run = { id: 9, path: ".github/workflows/flibs.yml", event: "workflow_dispatch", actor: "flibs[bot]" };
    expect(ownRun({ ...base, run })).toEqual({ ok: true });
    expect(ownRun({ ...base, run: { ...run, event: "pull_request" } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("pull_request"),
    });
    expect(ownRun({ ...base, run: { ...run, path: ".github/workflows/evil.yml" } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("evil.yml"),
    });
    expect(ownRun({ ...base, run: { ...run, actor: "octocat" } })).toMatchObject({ ok: false, reason: expect.stringContaining("octocat") });
  });
  it("fails closed when the App's own login is unknown", () => {
    const run = { id: 9, path: ".github/workflows/flibs.yml", event: "workflow_dispatch", actor: "flibs[bot]" };
    expect(ownRun({ workflow: "flibs.yml", run })).toMatchObject({ ok: false });
  });
});
