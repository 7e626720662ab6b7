import { describe, expect, it } from "vitest";
import { GOOD, GOOD_HEAD, at, hits } from "../helpers.js";

describe("user-missing", () => {
  it("warns when the final stage never sets USER, on its FROM", () => {
    const fs = hits("user-missing", ["FROM registry.fedoraproject.org/fedora:41 AS b", "USER 1001", ...GOOD_HEAD]);
    expect(at(fs)).toEqual(["3:1"]);
    expect(fs[0]?.severity).toBe("warning");
  });
  it("is satisfied by a USER in the final stage or in the stage it is built FROM", () => {
    expect(hits("user-missing", GOOD)).toEqual([]);
    expect(hits("user-missing", ["FROM registry.fedoraproject.org/fedora:41 AS b", "USER 1001", "FROM b"])).toEqual([]);
  });
  it("does not apply to FROM scratch (no user database to inherit)", () => {
    expect(hits("user-missing", ["FROM scratch", "COPY x /x"])).toEqual([]);
  });
});
