import { describe, expect, it } from "vitest";
import { matrixSuffix } from "../helpers/actions/job-names.js";
import { expandMatrix } from "../helpers/actions/matrix.js";

describe("matrix expansion", () => {
  it("follows the documented include example: original values never overwritten, added ones may be, unmatched includes are new legs", () => {
    // https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations#example-expanding-configurations
    const legs = expandMatrix({
      fruit: ["apple", "pear"],
      animal: ["cat", "dog"],
      include: [
        { color: "green" },
        { color: "pink", animal: "cat" },
        { fruit: "apple", shape: "circle" },
        { fruit: "banana" },
        { fruit: "banana", animal: "cat" },
      ],
    });
    expect(legs).toEqual([
      { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
      { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
      { fruit: "pear", animal: "cat", color: "pink" },
      { fruit: "pear", animal: "dog", color: "green" },
      { fruit: "banana" },
      { fruit: "banana", animal: "cat" },
    ]);
  });

  it("excludes partial matches before includes are applied", () => {
    expect(
      expandMatrix({
        os: ["macos", "windows"],
        version: [12, 14, 16],
        environment: ["staging", "production"],
        exclude: [
          { os: "macos", version: 12, environment: "production" },
          { os: "windows", version: 16 },
        ],
      }),
    ).toHaveLength(12 - 1 - 2);
  });

  it("refuses an empty matrix, as GitHub fails such a job", () => {
    expect(() => expandMatrix({ arch: [] })).toThrow(/does not contain any values/);
  });

  it("names a leg with its values in order, leaving out empty ones", () => {
    expect(matrixSuffix({ os: "linux", version: 1 })).toBe(" (linux, 1)");
    expect(matrixSuffix({ a: "", b: true })).toBe(" (true)");
    expect(matrixSuffix({ a: null })).toBe("");
  });
});
