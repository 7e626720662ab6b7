import { describe, expect, test } from "vitest";
import { firstJobCheckState, jobCopiesBehind } from "../../../src/core/report/job-convergence.js";

describe("an arch's check copies converge on the furthest state", () => {
  test("a job's first event creates its check in that event's state", () => {
    expect(firstJobCheckState({ action: "queued" })).toEqual({ status: "queued" });
    expect(
      firstJobCheckState({ action: "completed", conclusion: "failure", htmlUrl: "https://github.com/o/r/actions/runs/1/job/2" }),
    ).toEqual({
      status: "completed",
      conclusion: "failure",
      details_url: "https://github.com/o/r/actions/runs/1/job/2",
    });
  });

  test("two replicas' copies, one completed and one queued: the queued copy is moved to the completed one's result", () => {
    const writes = jobCopiesBehind(
      [
        { id: 10, status: "completed", conclusion: "failure" },
        { id: 11, status: "queued" },
      ],
      { action: "in_progress" },
    );
    expect(writes).toEqual([{ id: 11, update: { status: "completed", conclusion: "failure" } }]);
  });

  test("a late in_progress after completion changes nothing", () => {
    expect(jobCopiesBehind([{ id: 10, status: "completed", conclusion: "success" }], { action: "in_progress" })).toEqual([]);
  });

  test("the event is further than every copy: every copy moves to it", () => {
    const writes = jobCopiesBehind(
      [
        { id: 1, status: "queued" },
        { id: 2, status: "in_progress" },
      ],
      { action: "completed", conclusion: "success", completedAt: "2026-01-01T00:00:00Z" },
    );
    expect(writes.map((w) => [w.id, w.update.status, w.update.conclusion])).toEqual([
      [1, "completed", "success"],
      [2, "completed", "success"],
    ]);
  });

  test("no copies: nothing to write", () => {
    expect(jobCopiesBehind([], { action: "completed", conclusion: "success" })).toEqual([]);
  });
});
