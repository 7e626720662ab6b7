import { describe, expect, it } from "vitest";
import { formatPromotedNotice, PROMOTED_NOTICE, promotedNotice } from "../../../src/core/report/job-notices.js";

const notice = (message: string, title = PROMOTED_NOTICE) => ({ annotation_level: "notice", title, message });

describe("what the promote job reports writing (its notice, read by the App for flibs/promote)", () => {
  const report = {
    tags: [
      { tag: "1.2.3", kind: "immutable" as const },
      { tag: "latest", kind: "floating" as const },
    ],
    signed: false,
  };

  it("reads back what the job wrote, tags with their kinds and the signature state", () => {
    expect(promotedNotice([notice(formatPromotedNotice(report))])).toEqual({ ok: true, value: report });
    // The same notice twice (a re-run step) is one report; no notice is no report, not an error.
    expect(promotedNotice([notice(formatPromotedNotice(report)), notice(formatPromotedNotice(report))])).toEqual({
      ok: true,
      value: report,
    });
    expect(promotedNotice([])).toEqual({ ok: true, value: undefined });
    // Other titles and levels are not the job's report.
    expect(promotedNotice([{ ...notice("x"), annotation_level: "warning" }, notice("{}", "flibs index")])).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it("refuses two different reports, text that is not JSON, and any value out of its shape", () => {
    expect(promotedNotice([notice(formatPromotedNotice(report)), notice(formatPromotedNotice({ ...report, signed: true }))]).ok).toBe(
      false,
    );
    for (const bad of [
      "signed",
      "{}",
      '{"tags":[],"signed":"yes"}',
      '{"tags":[{"tag":"bad tag","kind":"immutable"}],"signed":true}',
      '{"tags":[{"tag":"1.0","kind":"moving"}],"signed":true}',
      '{"tags":[null],"signed":true}',
      '{"tags":"1.0","signed":true}',
    ])
      expect(promotedNotice([notice(bad)]), bad).toMatchObject({ ok: false });
  });
});
