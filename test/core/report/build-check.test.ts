import { describe, expect, it } from "vitest";
import { helpText } from "../../../src/core/commands/index.js";
import { DEFAULT_POLICY } from "../../../src/core/config/index.js";
import { noBuildExternalId } from "../../../src/core/plan/builds.js";
import {
  buildingCheck,
  cancelCauseOf,
  cancelledBuild,
  noBuildCheck,
  queuedBuildSummary,
  queuedBuildTitle,
  startsBuilding,
} from "../../../src/core/report/build-check.js";
import { parsePlanMarker } from "../../../src/core/report/plan-marker.js";
import { codeSpans, renderedText } from "../../helpers/markdown.js";

const SHA = "1a2b3c4d5e6f".padEnd(40, "0");

describe("flibs/build before it closes", () => {
  it("queued: its plan is recorded where every replica reads it, the arches it builds named", () => {
    const plan = {
      arches: ["x86_64", "aarch64"] as const,
      building: ["aarch64"] as const,
      kept: { x86_64: `sha256:${"1".repeat(64)}` },
      pr: 7,
      run: 42,
    };
    const summary = queuedBuildSummary({ sha: SHA, attempt: 2, scratch: false }, "@lead asked to rebuild aarch64 with /retest.", {
      ...plan,
      arches: [...plan.arches],
      building: [...plan.building],
    });
    expect(parsePlanMarker(summary)).toMatchObject({ arches: ["x86_64", "aarch64"], building: ["aarch64"], run: 42, pr: 7 });
    expect(summary).toContain("the index keeps x86_64 as tested in the earlier attempt");
    expect(queuedBuildTitle(["aarch64"])).toBe("Queued: aarch64");
  });

  it("building once an arch's job started, while its run still runs (issue 21, point 3)", () => {
    // A queued flibs/build moves when a job of its run started; a job's end is not worth a read of the run (its
    // close follows).
    expect(startsBuilding("queued", "in_progress")).toBe(true);
    expect(startsBuilding("queued", "completed")).toBe(false);
    expect(startsBuilding("queued", "queued")).toBe(false);
    expect(startsBuilding("queued", "waiting")).toBe(false);
    // Never back: a building or closed check stays as it is.
    expect(startsBuilding("in_progress", "in_progress")).toBe(false);
    expect(startsBuilding("completed", "in_progress")).toBe(false);
    const id = { sha: SHA, attempt: 1, scratch: false };
    const queued = queuedBuildSummary(id, "Building the head of #7.", {
      arches: ["x86_64", "aarch64"],
      building: ["aarch64"],
      pr: 7,
      run: 42,
    });
    const building = buildingCheck({ id: 42, status: "in_progress" }, queued);
    expect(building).toEqual({ status: "in_progress", title: "Building aarch64", summary: queued });
    // A completed run's close is on its way (or done): writing "building" then could reopen a closed check.
    expect(buildingCheck({ id: 42, status: "completed" }, queued)).toBeUndefined();
    // No plan, nothing to say (not a summary flibs wrote).
    expect(buildingCheck({ id: 42, status: "in_progress" }, "Queued")).toBeUndefined();
  });

  it("building before the run id is recorded keeps the id: the dispatching replica's record may land first", () => {
    const id = { sha: SHA, attempt: 1, scratch: false };
    const unrecorded = queuedBuildSummary(id, "Building the head of #7.", { arches: ["x86_64"], building: ["x86_64"], pr: 7 });
    const building = buildingCheck({ id: 42, status: "queued" }, unrecorded)!;
    expect(parsePlanMarker(building.summary)).toEqual({ arches: ["x86_64"], building: ["x86_64"], pr: 7, run: 42 });
    expect(building.summary).toBe(
      queuedBuildSummary(id, "Building the head of #7.", { arches: ["x86_64"], building: ["x86_64"], pr: 7, run: 42 }),
    );
  });

  it("cancelled says by what: a newer push, /cancel by whom, the PR's close (issue 21, point 10)", () => {
    expect(cancelledBuild({ by: "push", head: "9f8e7d6c5b4a".padEnd(40, "1") }).title).toBe("Cancelled: superseded by 9f8e7d6");
    const byCommand = cancelledBuild({ by: "command", login: "lead" });
    expect(byCommand.title).toBe("Cancelled with /cancel by lead");
    expect(codeSpans(byCommand.summary)).toEqual(["lead", "/cancel", "/build"]);
    expect(cancelledBuild({ by: "close" }).summary).toMatch(/closed without merging/);
  });
});

describe("a required flibs/build never waits forever (issue 21, point 6)", () => {
  it("an invalid container.yaml completes it at once as a failure, with the reason and the next step", () => {
    const w = noBuildCheck(SHA, { text: "container.yaml is invalid (see flibs/review)", kind: "config" });
    expect(w).toMatchObject({
      name: "flibs/build",
      externalId: noBuildExternalId(SHA),
      status: "completed",
      conclusion: "failure",
      title: "Not built: container.yaml is invalid",
    });
    expect(renderedText(w.summary)).toMatch(/Fix container.yaml .* and push: the build starts with the fix\./);
  });
  it("a setup problem says it is not the pull request's doing", () => {
    const w = noBuildCheck(SHA, { text: "cannot read the organisation policy: GitHub answered 401", kind: "setup" });
    expect(w.title).toBe("Not built: flibs' setup needs attention");
    expect(w.summary).toContain("This is not the pull request's doing");
  });
});

describe("/help says who may run each command and when (issue 21, point 10)", () => {
  it("from the organisation's policy", () => {
    const text = helpText({ ...DEFAULT_POLICY, promote: { ...DEFAULT_POLICY.promote, permission: "admin" } });
    expect(text).toMatch(/`\/promote`.*Who: `admin` access; only once the PR is merged into the default branch\./);
    expect(text).toMatch(/`\/build.*Who: `write` access; only while the PR is open\./);
    expect(text).toContain("Re-run on a check does what its command does");
  });
});

describe("why GitHub cancelled a build run", () => {
  const pull = (sha: string, state = "open", merged = false) => ({ sha, state, merged });
  it("a newer head superseded it; a PR closed unmerged closed it; otherwise it is not known", () => {
    const newer = "9f8e7d6c5b".padEnd(40, "0");
    expect(cancelCauseOf(SHA, pull(newer))).toEqual({ by: "push", head: newer });
    expect(cancelledBuild(cancelCauseOf(SHA, pull(newer))).title).toBe("Cancelled: superseded by 9f8e7d6");
    expect(cancelCauseOf(SHA, pull(SHA, "closed"))).toEqual({ by: "close" });
    expect(cancelCauseOf(SHA, pull(SHA))).toEqual({ by: "unknown" });
    expect(cancelCauseOf(SHA, pull(newer, "closed", true))).toEqual({ by: "push", head: newer });
    expect(cancelCauseOf(SHA, undefined)).toEqual({ by: "unknown" });
  });
});
