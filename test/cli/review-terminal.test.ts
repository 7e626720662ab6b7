import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";
import { wantsColour } from "../../src/cli/review/terminal.js";
import { FIXTURES, ROOT, flibs } from "./run-flibs.js";

const ERRORS = join(FIXTURES, "errors");
const ESC = "\u001b[";
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

/** Runs `main` as bin/flibs.js does, with stdout said to be a terminal or not. */
async function run(args: string[], env: Record<string, string>, stdoutIsTTY: boolean): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const io: CliIo = { stdout: (s) => (stdout += s), stderr: () => {}, cwd: ROOT, env, stdoutIsTTY };
  const code = await main(args, io);
  return { code, stdout };
}

describe("flibs review on a terminal shows each finding's source line with a marker, in colour", () => {
  it("underlines the span under its line, keeps the plain first line, colours by severity", async () => {
    const r = await run(["review", ERRORS], { TERM: "xterm-256color" }, true);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(ESC);
    const plain = strip(r.stdout);
    expect(plain).toContain(
      [
        "Dockerfile:4:6 error [base-image-tag] base image `fedora` has no tag (that means `latest`); name a version",
        "  4 | FROM fedora",
        "    |      ^^^^^^",
        "",
      ].join("\n"),
    );
    expect(plain).toContain(
      [
        "Dockerfile:9:5 error [add-url] ADD of URL `https://example.com/app.tar.gz`: fetched unreviewed at build time; vendor the file and COPY it",
        "  9 | ADD https://example.com/app.tar.gz /opt/",
        "    |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      ].join("\n"),
    );
    expect(plain.trimEnd().split("\n").at(-1)).toBe("8 errors, 2 warnings, 0 infos in Dockerfile");
    // Errors in bold red, the carets too.
    expect(r.stdout).toContain(`${ESC}1;31merror${ESC}0m`);
    expect(r.stdout).toContain(`${ESC}1;31m^^^^^^${ESC}0m`);
    // Every finding line is still the plain form, in the same order.
    const plainRun = flibs(["review", ERRORS]);
    expect(plain.split("\n").filter((l) => /^Dockerfile:\d+:\d+ /.test(l))).toEqual(
      plainRun.stdout.split("\n").filter((l) => /^Dockerfile:\d+:\d+ /.test(l)),
    );
  });

  it("honours NO_COLOR (source lines, no colour) and FORCE_COLOR (colour through a pipe)", async () => {
    const noColour = await run(["review", ERRORS], { NO_COLOR: "1" }, true);
    expect(noColour.stdout).not.toContain(ESC);
    expect(noColour.stdout).toContain("  4 | FROM fedora\n    |      ^^^^^^\n");
    const forced = await run(["review", ERRORS], { FORCE_COLOR: "1" }, false);
    expect(forced.stdout).toContain(ESC);
    expect(wantsColour({ NO_COLOR: "" }, true)).toBe(true);
    expect(wantsColour({ TERM: "dumb" }, true)).toBe(false);
    expect(wantsColour({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(wantsColour({}, false)).toBe(false);
  });

  it("is unchanged plain text when stdout is not a terminal", async () => {
    const notTTY = await run(["review", ERRORS], {}, false);
    expect(notTTY.stdout).toBe(flibs(["review", ERRORS]).stdout);
    expect(notTTY.stdout).not.toContain(ESC);
    expect(notTTY.stdout).not.toContain(" | ");
  });

  it("marks a container.yaml value on its YAML line", async () => {
    const r = await run(["review", join(FIXTURES, "bad-config")], { NO_COLOR: "1" }, true);
    const yaml = readFileSync(join(FIXTURES, "bad-config", "container.yaml"), "utf8").split("\n");
    expect(r.stdout).toContain(`container.yaml:3:18 error [config-schema] \`armv7\` is not an arch flibs builds`);
    expect(r.stdout).toContain(` 3 | ${yaml[2]}\n   |                  ^^^^^`);
  });

  it("under a real pseudo-terminal (script(1)), the installed flibs colours and marks", () => {
    // script runs the command with a pty as its stdout; -e returns its exit status. util-linux's script is in
    // every Debian base system (bsdutils); without it this fails, as a missing tool should.
    const env = { ...process.env, TERM: "xterm-256color" } as Record<string, string | undefined>;
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const r = spawnSync("script", ["-qec", `${process.execPath} bin/flibs.js review ${ERRORS}`, "/dev/null"], {
      cwd: ROOT,
      encoding: "utf8",
      env,
    });
    expect(r.error, "script(1) from util-linux is needed: apt-get install bsdutils").toBeUndefined();
    expect(r.status).toBe(1);
    const out = r.stdout.replace(/\r\n/g, "\n");
    expect(out).toContain(ESC);
    expect(strip(out)).toContain("  4 | FROM fedora\n    |      ^^^^^^\n");
    const noColour = spawnSync("script", ["-qec", `${process.execPath} bin/flibs.js review ${ERRORS}`, "/dev/null"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1" },
    });
    expect(noColour.stdout).not.toContain(ESC);
    expect(noColour.stdout.replace(/\r\n/g, "\n")).toContain("  4 | FROM fedora\n    |      ^^^^^^\n");
  });
});
