import { describe, expect, it } from "vitest";
import { GOOD_HEAD, at, hits } from "../helpers.js";

describe("user-root", () => {
  it("reports a final stage that ends as root (by name or uid, with or without group)", () => {
    expect(at(hits("user-root", [...GOOD_HEAD, "USER 1001", "USER root"]))).toEqual(["4:1"]);
    expect(at(hits("user-root", [...GOOD_HEAD, "USER 0:0"]))).toEqual(["3:1"]);
  });
  it("accepts switching to root and back", () => {
    expect(hits("user-root", [...GOOD_HEAD, "USER root", "RUN true", "USER 1001"])).toEqual([]);
  });
  it("looks at the final stage only, following FROM <stage>", () => {
    expect(
      hits("user-root", [
        "FROM registry.fedoraproject.org/fedora:41 AS b",
        "USER root",
        "FROM registry.fedoraproject.org/fedora:41",
        "USER 1001",
      ]),
    ).toEqual([]);
    expect(at(hits("user-root", ["FROM registry.fedoraproject.org/fedora:41 AS b", "USER root", "FROM b", "RUN true"]))).toEqual(["2:1"]);
  });
});
