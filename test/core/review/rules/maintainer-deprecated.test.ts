import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("maintainer-deprecated", () => {
  it("reports MAINTAINER wherever it is", () => {
    expect(at(hits("maintainer-deprecated", [GOOD[0] as string, "MAINTAINER Jane <jane@example.com>", ...GOOD.slice(1)]))).toEqual(["2:1"]);
  });
  it("accepts the maintainer LABEL", () => {
    expect(hits("maintainer-deprecated", GOOD)).toEqual([]);
  });
});
