import { describe, expect, it } from "vitest";
import { repoPath } from "../../action/src/context.js";

describe("the path an annotation names", () => {
  it("is the Dockerfile's path in the checked-out repository, so a failed RUN's annotation lands on its line", () => {
    expect(repoPath("/home/runner/work/app/app", "src", "Dockerfile")).toBe("src/Dockerfile");
    expect(repoPath("/home/runner/work/app/app", ".", "images/Containerfile")).toBe("images/Containerfile");
    expect(repoPath("/home/runner/work/app/app", "/home/runner/work/app/app/sub", "Dockerfile")).toBe("sub/Dockerfile");
    // Outside the workspace GitHub could not place it: no file, the message still names the line.
    expect(repoPath("/home/runner/work/app/app", "/tmp/elsewhere", "Dockerfile")).toBeUndefined();
  });
});
