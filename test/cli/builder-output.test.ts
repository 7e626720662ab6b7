import { describe, expect, it } from "vitest";
import { builderSteps } from "../../src/cli/build/builder-output.js";

describe("builderSteps", () => {
  it("reads buildah's steps, commit and blob copies from chunks that split lines", () => {
    const seen: string[] = [];
    const feed = builderSteps((s) => seen.push(s));
    // buildah 1.28's bud output, cut into chunks at odd places.
    for (const chunk of [
      "STEP 1/5: FROM 127.0.0.1:5000/base/busybox@sha256:ab",
      "c\nSTEP 2/5: COPY status-x86_64 /tmp/\n",
      "STEP 3/5: RUN mkdir -p /var/lib/dpkg\r\n",
      "COMMIT docker://x\nGetting image source signatures\nCopying blob sha256:825234c8a116\n",
      "Copying config sha256:1\n",
    ]) {
      feed(chunk);
    }
    expect(seen).toEqual([
      "STEP 1/5: FROM 127.0.0.1:5000/base/busybox@sha256:abc",
      "STEP 2/5: COPY status-x86_64 /tmp/",
      "STEP 3/5: RUN mkdir -p /var/lib/dpkg",
      "committing the image",
      "copying blob sha256:825234c8a116",
    ]);
  });

  it("reads docker buildx's plain progress (BuildKit: #<n> [<stage> k/m] <instruction>)", () => {
    const seen: string[] = [];
    builderSteps((s) => seen.push(s))("#5 [2/3] RUN dnf -y install httpd\n#6 [stage-1 3/3] COPY a b\n");
    expect(seen).toEqual(["STEP 2/3: RUN dnf -y install httpd", "STEP 3/3: COPY a b"]);
  });
});
