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
  it("reads a quoted URL like an unquoted one, naming it without the quotes", () => {
    const fs = hits("add-url", [...GOOD, 'ADD "http://example.com/key.asc" /y', "ADD 'https://example.com/b' /b"]);
    expect(at(fs)).toEqual(["4:6", "5:6"]);
    expect(fs[0]?.message).toBe("ADD of URL `http://example.com/key.asc`: fetched unreviewed at build time; vendor the file and COPY it");
  });
  it("leaves COPY and local ADD alone", () => {
    expect(hits("add-url", [...GOOD, "COPY https.txt /x", "ADD rootfs.tar.gz /", 'ADD "rootfs.tar.gz" /'])).toEqual([]);
  });
});
