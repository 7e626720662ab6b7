import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, flibs } from "./run-flibs.js";

const fixture = (name: string) => join(FIXTURES, name);
const json = (args: string[]) => {
  const r = flibs(["review", ...args, "--format", "json"]);
  return { ...r, body: JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; summary: Record<string, unknown> } };
};

describe("flibs review", () => {
  it("exits 0 with no findings on a clean repo, in text form", () => {
    const r = flibs(["review", fixture("clean")]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("0 errors, 0 warnings, 0 infos in Dockerfile, container.yaml\n");
  });

  it("reviews the current directory by default", () => {
    const r = flibs(["review"], fixture("clean"));
    expect(r.code).toBe(0);
  });

  it("prints `file:line:col severity [rule] message` and exits 1 on error findings", () => {
    const r = flibs(["review", fixture("errors")]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toContain("Dockerfile:11:1 error [user-root] the image runs as `root`: end the final stage with an unprivileged USER");
    expect(lines).toContain('Dockerfile:5:1 warning [maintainer-deprecated] MAINTAINER is deprecated: use `LABEL maintainer="..."`');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^Dockerfile:\d+:\d+ (error|warning|info) \[[a-z-]+\] \S/);
    expect(lines.at(-1)).toBe("8 errors, 2 warnings, 0 infos in Dockerfile");
  });

  it("exits 0 when there are only warnings", () => {
    const r = json([fixture("warnings")]);
    expect(r.code).toBe(0);
    expect(r.body.summary).toEqual({ errors: 0, warnings: 3, infos: 0, suppressed: 1, files: ["Dockerfile"] });
  });

  it("writes JSON with exactly rule, severity, file, line, column, message (1-based)", () => {
    const r = json([fixture("errors")]);
    expect(r.code).toBe(1);
    expect(Object.keys(r.body)).toEqual(["findings", "summary"]);
    for (const f of r.body.findings) expect(Object.keys(f)).toEqual(["rule", "severity", "file", "line", "column", "message"]);
    expect(r.body.findings).toContainEqual({
      rule: "add-url",
      severity: "error",
      file: "Dockerfile",
      line: 9,
      column: 5,
      message: "ADD of URL `https://example.com/app.tar.gz`: fetched unreviewed at build time; vendor the file and COPY it",
    });
    expect(r.body.summary).toMatchObject({ errors: 8, warnings: 2 });
  });

  it("follows container.yaml's dockerfile: path and reports findings in that file", () => {
    const r = json([fixture("custom-path")]);
    expect(r.code).toBe(1);
    expect(r.body.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual(["build/Containerfile:1:6 base-image-tag"]);
  });

  it("reports container.yaml problems on their YAML lines", () => {
    const r = json([fixture("bad-config")]);
    expect(r.code).toBe(1);
    expect(r.body.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual([
      "container.yaml:3:18 config-schema",
      "container.yaml:4:14 config-schema",
    ]);
  });

  it("reports a missing Dockerfile as an error finding, not a crash", () => {
    const r = json([fixture("no-dockerfile")]);
    expect(r.code).toBe(1);
    expect(r.body.findings).toEqual([
      { rule: "dockerfile-missing", severity: "error", file: "Dockerfile", line: 1, column: 1, message: "no Dockerfile in the repository" },
    ]);
  });

  it("applies a --policy file: registries, labels and rule levels", () => {
    const r = json([fixture("clean"), "--policy", join(FIXTURES, "policies", "strict.yml")]);
    expect(r.code).toBe(1);
    expect(r.body.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(["required-labels error", "base-image-registry error"]);
    const w = json([fixture("warnings"), "--policy", join(FIXTURES, "policies", "strict.yml")]);
    expect(w.body.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual([
      "required-labels error",
      "user-missing error",
      "add-local-file warning",
    ]);
  });

  it("--explain RULE prints the rule's page: what, why, how to fix, a bad and a good example, hadolint's rules", () => {
    const r = flibs(["review", "--explain", "dnf-clean-all"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n")[0]).toBe("dnf-clean-all (warning): Clean the package cache in the same RUN");
    for (const part of [
      "\nHow to fix:\n  End the RUN",
      "\nBad:\n    FROM ",
      "\nGood:\n    FROM ",
      "\nhadolint: DL3040, DL3032. Where flibs differs, on purpose:\n  - ",
    ]) {
      expect(r.stdout).toContain(part);
    }
  });

  describe("usage and I/O problems exit 2 with one line on stderr", () => {
    const tmp = mkdtempSync(join(tmpdir(), "flibs-cli-"));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    const cases: Array<[string, string[], RegExp]> = [
      ["unknown option", ["review", "--bogus"], /^flibs: unknown option '--bogus'$/],
      [
        "bad format",
        ["review", ".", "--format", "xml"],
        /^flibs: option .*argument 'xml' is invalid\. Allowed choices are text, json, sarif\.$/,
      ],
      ["missing directory", ["review", "no/such/dir"], /^flibs: no such directory: no\/such\/dir$/],
      ["a file, not a directory", ["review", "package.json"], /^flibs: not a directory: package\.json$/],
      ["missing policy file", ["review", "test/fixtures/review/clean", "--policy", "nope.yml"], /^flibs: no such policy file: nope\.yml$/],
      [
        "invalid policy",
        ["review", "test/fixtures/review/clean", "--policy", "test/fixtures/review/policies/invalid.yml"],
        /^flibs: invalid policy .*invalid\.yml:3:\d+: `fatal` is not a rule level: use `off`, `info`, `warning` or `error`$/,
      ],
      ["unknown command", ["reveiw"], /^flibs: unknown command 'reveiw' \(Did you mean review\?\)$/],
      ["too many arguments", ["review", "a", "b"], /^flibs: too many arguments for 'review'/],
      [
        "unknown rule for --explain",
        ["review", "--explain", "dnf-clean"],
        /^flibs: unknown rule `dnf-clean` \(did you mean `dnf-clean-all`\?\); known rules: dockerfile-missing, .*, curl-pipe-shell, internal$/,
      ],
      [
        "a hadolint id for --explain",
        ["review", "--explain", "DL3002"],
        /^flibs: unknown rule `DL3002` \(hadolint's DL3002 is flibs' `user-root`\); known rules: /,
      ],
      ["--explain without a rule", ["review", "--explain"], /^flibs: option '--explain <rule>' argument missing$/],
    ];
    for (const [name, args, message] of cases) {
      it(name, () => {
        const r = flibs(args);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it("an unreadable Dockerfile (a directory)", () => {
      const repo = join(tmp, "repo");
      mkdirSync(join(repo, "Dockerfile"), { recursive: true });
      const r = flibs(["review", repo]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("flibs: cannot read Dockerfile: is a directory\n");
    });

    it("a dockerfile: path that leaves the repo", () => {
      const repo = join(tmp, "escape");
      mkdirSync(repo, { recursive: true });
      writeFileSync(join(repo, "container.yaml"), "dockerfile: ../../etc/passwd\n");
      const r = flibs(["review", repo]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("flibs: container.yaml names a Dockerfile outside the repo: ../../etc/passwd\n");
    });
  });
});

describe("flibs", () => {
  it("--help lists the commands and exits 0", () => {
    const r = flibs(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: flibs \[options\] \[command\]/);
    expect(r.stdout).toMatch(/review \[options\] \[dir\]/);
    const sub = flibs(["review", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--format <format>/);
    expect(sub.stdout).toMatch(/--policy <file>/);
  });

  it("--version prints package.json's version", async () => {
    const { version } = (await import(join(ROOT, "package.json"), { with: { type: "json" } })).default as { version: string };
    expect(flibs(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("with no command shows usage and exits 2", () => {
    const r = flibs([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: flibs/);
  });
});
