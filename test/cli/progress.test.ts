import { describe, expect, it } from "vitest";
import { createProgress, outputMode } from "../../src/cli/progress/progress.js";
import { StatusBoard } from "../../src/cli/progress/status-board.js";
import { formatTable } from "../../src/cli/output/table.js";
import type { CliIo } from "../../src/cli/io.js";
import { screen } from "./terminal.js";

function io(over: Partial<CliIo> = {}): CliIo & { err: () => string } {
  let err = "";
  return { stdout: () => undefined, stderr: (s) => (err += s), cwd: "/", env: {}, err: () => err, ...over };
}

describe("the status board", () => {
  it("redraws its lines in place: a thousand updates leave one line per arch on the screen", () => {
    let out = "";
    let t = 0;
    const board = new StatusBoard(
      (s) => (out += s),
      60,
      0,
      () => t,
    );
    board.set("x86_64", "x86_64   waiting");
    board.set("aarch64", "aarch64  waiting");
    board.render();
    let writes = 0;
    const before = out.length;
    for (let step = 1; step <= 1000; step++) {
      t += 5;
      board.set("x86_64", `x86_64   STEP ${step}/1000: RUN make`, true);
      // The interval's tick, every 100 ms of this clock: updates in between are only remembered.
      if (t % 100 === 0) {
        const was = out.length;
        board.tick();
        if (out.length > was) writes++;
      }
    }
    expect(writes).toBe(50);
    expect(out.length - before).toBeLessThan(50 * 200);
    board.print("component drift: libc6 x86_64=2.36 aarch64=2.35");
    board.set("x86_64", "x86_64   done sha256:abc");
    board.close();
    expect(screen(out)).toEqual(["component drift: libc6 x86_64=2.36 aarch64=2.35", "x86_64   done sha256:abc", "aarch64  waiting"]);
  });

  it("shows the seconds an active line has run, and cuts lines to the terminal's width", () => {
    let out = "";
    let t = 0;
    const board = new StatusBoard(
      (s) => (out += s),
      30,
      0,
      () => t,
    );
    board.set("a", "aarch64  STEP 1/2: RUN a very long command line that would wrap", true);
    board.render();
    t = 3_000;
    board.tick();
    const [line] = screen(out);
    expect(line!.length).toBeLessThanOrEqual(29);
    expect(line!.endsWith("…")).toBe(true);
    board.delete("a");
    board.set("b", "short", true);
    t = 5_000;
    board.close();
    expect(screen(out)).toEqual(["short (2 s)"]);
  });
});

describe("progress modes", () => {
  it("a terminal gets the board, a pipe plain lines for events only, --quiet and --json nothing but notes", () => {
    expect(outputMode({}, io({ isTTY: true }))).toBe("tty");
    expect(outputMode({}, io({ isTTY: true, env: { TERM: "dumb" } }))).toBe("plain");
    expect(outputMode({ verbose: true }, io({ isTTY: true }))).toBe("plain");
    expect(outputMode({}, io())).toBe("plain");
    expect(outputMode({ quiet: true }, io({ isTTY: true }))).toBe("quiet");
    expect(outputMode({ json: true, quiet: true }, io())).toBe("json");

    const plainIo = io();
    const plain = createProgress("plain", plainIo);
    plain.status("blob", "3.0/10.0 MiB");
    plain.event("x86_64", "x86_64 built sha256:abc");
    plain.log("blob sha256:abc streamed");
    plain.note("warning: drift");
    plain.close();
    expect(plainIo.err()).toBe("x86_64 built sha256:abc\nblob sha256:abc streamed\nwarning: drift\n");

    // On a terminal, log lines are summed up by the board instead.
    const ttyIo = io({ isTTY: true, columns: 80 });
    const tty = createProgress("tty", ttyIo);
    tty.log("blob sha256:abc streamed");
    tty.status("~totals", "1 blob done");
    tty.close();
    expect(screen(ttyIo.err())).toEqual(["1 blob done"]);

    for (const mode of ["quiet", "json"] as const) {
      const q = io();
      const p = createProgress(mode, q);
      p.status("a", "b");
      p.event("a", "b");
      p.log("c");
      p.note("test arch failed");
      p.close();
      expect(q.err()).toBe("test arch failed\n");
    }
  });
});

describe("formatTable", () => {
  it("aligns columns and leaves the last one unpadded", () => {
    expect(
      formatTable([
        ["arch", "digest", "size"],
        ["x86_64", "sha256:a", "1.0 MiB"],
        ["aarch64", "sha256:bb", "12 B"],
      ]),
    ).toBe("arch     digest     size\nx86_64   sha256:a   1.0 MiB\naarch64  sha256:bb  12 B\n");
  });
});
