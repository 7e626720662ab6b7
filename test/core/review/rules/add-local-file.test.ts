import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("add-local-file", () => {
  it("suggests COPY for local files that are not archives", () => {
    const fs = hits("add-local-file", [...GOOD, "ADD --chown=1001:0 app.conf run.sh /etc/app/"]);
    expect(at(fs)).toEqual(["4:1"]);
    expect(fs[0]?.message).toBe("ADD of local `app.conf`, `run.sh`: use COPY");
    expect(fs[0]?.severity).toBe("warning");
  });
  it("accepts ADD of a local tar archive (ADD unpacks it) and leaves URLs to add-url", () => {
    expect(hits("add-local-file", [...GOOD, "ADD rootfs.tar.xz /", "ADD layer.tgz /", "ADD https://example.com/x /x"])).toEqual([]);
  });
});
