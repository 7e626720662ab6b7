import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("add-url", () => {
  it("reports ADD of http(s) and git URLs at the URL", () => {
    const fs = hits("add-url", [...GOOD, "ADD --chown=1001 https://example.com/tool.tgz /opt/", "ADD git@example.com:org/repo.git /src"]);
    expect(at(fs)).toEqual(["4:18", "5:5"]);
  });
  it("reads the JSON form", () => {
    expect(at(hits("add-url", [...GOOD, 'ADD ["https://example.com/a", "/a"]']))).toHaveLength(1);
  });
  it("leaves COPY and local ADD alone", () => {
    expect(hits("add-url", [...GOOD, "COPY https.txt /x", "ADD rootfs.tar.gz /"])).toEqual([]);
  });
});
