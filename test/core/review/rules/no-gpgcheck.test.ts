import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("no-gpgcheck", () => {
  it("reports --nogpgcheck and gpgcheck=0 where they are written", () => {
    const fs = hits("no-gpgcheck", [
      ...GOOD,
      "RUN dnf -y --nogpgcheck install a && \\",
      "    dnf -y --setopt=gpgcheck=0 install b",
      "RUN printf '[x]\\ngpgcheck=0\\n' > /tmp/x",
    ]);
    expect(at(fs)).toEqual(["4:12", "5:21", "6:18"]);
  });
  it("accepts repo_gpgcheck=0 and gpgcheck=1", () => {
    expect(hits("no-gpgcheck", [...GOOD, "RUN dnf -y --setopt=repo_gpgcheck=0 --setopt=gpgcheck=1 install a && dnf clean all"])).toEqual(
      [],
    );
  });
});
