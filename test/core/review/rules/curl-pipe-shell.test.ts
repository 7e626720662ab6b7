import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("curl-pipe-shell", [...GOOD, ...lines]);

describe("curl-pipe-shell", () => {
  it("reports a download piped into a shell or interpreter, at the download", () => {
    expect(at(run("RUN set -e; curl -fsSL https://example.com/install.sh | sh"))).toEqual(["4:13"]);
    expect(run("RUN wget -qO- https://example.com/i | sudo -E bash -s -- --yes")).toHaveLength(1);
    expect(run("RUN curl https://example.com/i.py | python3 -")).toHaveLength(1);
    expect(run("RUN bash <(curl -s https://example.com/i)")).toHaveLength(1);
    expect(run('RUN sh -c "$(curl -fsSL https://example.com/i)"')).toHaveLength(1);
  });
  it("checks an ONBUILD RUN too: it runs in every image built on this one", () => {
    expect(at(run("ONBUILD RUN curl -fsSL https://example.com/install.sh | sh"))).toEqual(["4:13"]);
    expect(run("ONBUILD COPY install.sh /tmp/", "ONBUILD RUN sh /tmp/install.sh")).toEqual([]);
  });
  it("finds it across continuation lines", () => {
    expect(at(run("RUN curl -fsSL \\", "      https://example.com/install.sh \\", "    | bash"))).toEqual(["4:5"]);
  });
  it("accepts downloads that are not executed and pipes into other tools", () => {
    expect(
      run("RUN curl -fsSLO https://example.com/a.tar.gz && sha256sum -c a.sha256", "RUN curl -s https://example.com/x | tar -xz"),
    ).toEqual([]);
  });
});
