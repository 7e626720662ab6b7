/**
 * The job summaries the Action writes, as values. Each is read as GitHub renders it (a
 * CommonMark + GFM parser, test/helpers/markdown.ts): nothing shows its escaping, every table has as many cells
 * per row as its header, code spans and code blocks hold exactly what a reader copies. The builder's output is
 * real: test/fixtures/job-summary/*.txt were printed by buildah 1.28 (a RUN step that fails, a push a registry
 * refuses with 401, a multi-stage build).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateStep, parseStepHeader, StepOutput, stepFailureMessage } from "../../../src/core/build/index.js";
import { parseDockerfile } from "../../../src/core/dockerfile/index.js";
import { codeBlock } from "../../../src/core/markdown.js";
import { cleanOutput, outputTail } from "../../../src/core/report/log-tail.js";
import {
  buildJobSummary,
  driftArches,
  errorSummary,
  jobFailureOf,
  packageComparison,
  promoteJobSummary,
  publishJobSummary,
  stepFailureDetail,
  type BuildJob,
  type JobFailure,
  type JobStep,
  type PromoteJob,
  type PublishJob,
  type TestRun,
} from "../../../src/core/report/job-summary/index.js";
import { FlibsError } from "../../../src/core/errors.js";
import { codeBlocks, codeSpans, readerProblems, renderedText, tables, textOutsideCode } from "../../helpers/markdown.js";

const FIX = join(import.meta.dirname, "../../fixtures");
const fixture = (p: string) => readFileSync(join(FIX, p), "utf8");
const D = (c: string) => `sha256:${c.repeat(64)}`;
const NOTE =
  "RUN steps ran in an OCI runtime (`--isolation oci`), in mount, PID and network namespaces of their own; this job's storage and credentials are removed when it ends.";

/**
 * What GitHub shows must read as typed: checked for every summary below. A backtick outside code would be a
 * code span that did not form, unless the user's text (a test's name) holds one.
 */
function readable(md: string, backticksInText = false): string {
  expect(readerProblems(md), md).toEqual([]);
  if (!backticksInText) expect(textOutsideCode(md), md).not.toContain("`");
  return md;
}

function stepsOf(md: string): string[][] {
  const t = tables(md).find((rows) => rows[0]?.[0] === "step");
  expect(t, md).toBeDefined();
  return t!.slice(1);
}

/** The failing RUN of test/fixtures/build/failing-run-repo, as the builder reports it. */
function failedRun(): { failure: JobFailure; output: StepOutput } {
  const dockerfile = fixture("build/failing-run-repo/Dockerfile.in");
  const output = new StepOutput();
  // Streamed in arbitrary chunks, as a pipe delivers it.
  const log = fixture("job-summary/buildah-run-failed.txt");
  for (let i = 0; i < log.length; i += 37) output.push(log.slice(i, i + 37));
  const instruction = locateStep(output.header!, parseDockerfile(dockerfile, "Dockerfile"), "Dockerfile", output.failure);
  return {
    output,
    failure: {
      code: "build",
      message: stepFailureMessage("build", "x86_64", instruction, output.output),
      step: "build",
      instruction,
      output: output.output,
    },
  };
}

const buildSteps = (failedAt?: "build" | "push" | "tests"): JobStep[] => {
  const order = ["resolve bases", "build", "push", "tests"] as const;
  const upTo = failedAt ? order.indexOf(failedAt) : order.length;
  const seconds = [0.3, 41.2, 1.8, 0.9];
  return order.map((name, i): JobStep =>
    i < upTo
      ? { name, result: "done", seconds: seconds[i]! }
      : i === upTo
        ? { name, result: "failed", seconds: seconds[i]! }
        : { name, result: "not run" },
  );
};

const buildJob = (over: Partial<BuildJob> = {}): BuildJob => ({
  arch: "x86_64",
  steps: buildSteps(),
  tests: [],
  testsPlanned: 0,
  isolationNote: NOTE,
  ...over,
});

describe("the end of a step's output, as a reader sees it", () => {
  it("colour and other escape sequences, control characters and carriage-return rewrites are stripped", () => {
    expect(cleanOutput("\u001b[1;31merror:\u001b[0m bad\r\n")).toBe("error: bad\n");
    expect(cleanOutput("10%\r50%\r100%\nnext\u0007 \u001b]0;title\u0007done")).toBe("100%\nnext done");
    expect(cleanOutput("zero\u200bwidth \u202eevil")).toBe("zero\ufffdwidth \ufffdevil");
    expect(cleanOutput("\u0000nul\u007f \u009b31mred")).toBe("nul red");
  });

  it("keeps the last 20 lines, blank lines at either end dropped, and says how many came before", () => {
    const text = ["", ...Array.from({ length: 30 }, (_, i) => `line ${i + 1}`), "", ""].join("\n");
    const tail = outputTail(text, 20);
    expect(tail.lines).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
    expect(tail.omitted).toBe(10);
    expect(outputTail("one\n", 20)).toEqual({ lines: ["one"], omitted: 0 });
  });

  it.each([["plain"], ["a `tick`"], ["```"], ["````````` nine"], ["```\nclosing fence on its own line\n```"]])(
    "a code block's fence is longer than any backtick run inside, so %j reads back exactly",
    (text) => {
      const lines = text.split("\n");
      const md = `before\n\n${codeBlock(lines.join("\n"))}\n\nafter`;
      expect(codeBlocks(md)).toEqual([lines.join("\n")]);
      expect(renderedText(md).split("\n").pop()).toBe("after");
      expect(readerProblems(md)).toEqual([]);
    },
  );
});

describe("the failing step of a build, from buildah's output", () => {
  it("STEP headers are read with and without a stage", () => {
    expect(parseStepHeader("STEP 3/6: RUN make")).toEqual({ stage: 1, stages: 1, step: 3, steps: 6, text: "RUN make" });
    expect(parseStepHeader("[3/3] STEP 2/3: COPY --from=one /d /e")).toEqual({
      stage: 3,
      stages: 3,
      step: 2,
      steps: 3,
      text: "COPY --from=one /d /e",
    });
    expect(parseStepHeader("compiling STEP 3/6: no")).toBeUndefined();
  });

  it("a failed RUN is found at its Dockerfile line, with buildah's reason, and its own output only", () => {
    const { output, failure } = failedRun();
    expect(failure.instruction).toMatchObject({
      keyword: "RUN",
      file: "Dockerfile",
      line: 3,
      step: 3,
      steps: 6,
      stage: 1,
      stages: 1,
      flibs: false,
      reason: "exit status 2",
    });
    expect(failure.instruction!.text).toMatch(/^RUN for i in \$\(seq 1 30\); do echo "compiling part \$i"; done && +printf/);
    // The step's output starts after its header (not the pull of the base) and leaves out buildah's verdict.
    expect(output.output.split("\n")[0]).toBe("compiling part 1");
    expect(output.output).not.toContain("Error: building at STEP");
    // The one line an annotation carries.
    expect(failure.message).toBe("RUN at Dockerfile line 3 failed on x86_64 (exit status 2)");
  });

  it("in a multi-stage build the stage counts among all stages, skipped ones too", () => {
    const output = new StepOutput();
    output.push(fixture("job-summary/buildah-multistage-failed.txt"));
    const at = locateStep(
      output.header!,
      parseDockerfile(fixture("job-summary/Dockerfile.multistage"), "Dockerfile"),
      "Dockerfile",
      output.failure,
    );
    expect(at).toMatchObject({ text: "RUN false", line: 7, stage: 3, stages: 3, step: 3, reason: "exit status 1" });
  });

  it("a step after the repository's own is one flibs adds; a header that does not match the file claims no line", () => {
    const parsed = parseDockerfile(fixture("build/failing-run-repo/Dockerfile.in"), "Dockerfile");
    expect(
      locateStep({ stage: 1, stages: 1, step: 6, steps: 6, text: 'LABEL "architecture"="x86_64"' }, parsed, "Dockerfile"),
    ).toMatchObject({ flibs: true });
    expect(locateStep({ stage: 1, stages: 1, step: 3, steps: 6, text: "COPY a b" }, parsed, "Dockerfile").line).toBeUndefined();
    expect(locateStep({ stage: 2, stages: 2, step: 1, steps: 1, text: "FROM x" }, parsed, "Dockerfile").line).toBeUndefined();
  });

  it("a step of flibs' own (the push) starts with no header, so a push failure names no instruction", () => {
    const output = new StepOutput();
    output.push("STEP 6/6: LABEL a=b\nCOMMIT x\n");
    output.restart();
    output.push(fixture("job-summary/buildah-push-unauthorized.txt"));
    expect(output.header).toBeUndefined();
    expect(output.output.split("\n")[0]).toBe("Getting image source signatures");
  });
});

describe("the build job summary", () => {
  it("a failed RUN step writes which instruction failed, at which line, the last 20 lines of its output, and /retest", () => {
    const { failure } = failedRun();
    const md = readable(buildJobSummary(buildJob({ steps: buildSteps("build"), testsPlanned: 1 }), { kind: "failure", failure }));
    expect(md.split("\n")[0]).toBe("### ❌ flibs build (x86_64) failed at `Dockerfile` line 3");
    expect(codeSpans(md)).toContain(failure.instruction!.text);
    const [block] = codeBlocks(md);
    const lines = block!.split("\n");
    expect(lines).toHaveLength(20);
    expect(lines.slice(-2)).toEqual(["compiling part 30", "error: `make` stopped: missing ```config.h```"]);
    expect(renderedText(md)).toContain("The last 20 lines of its output:");
    expect(codeSpans(md)).toContain("/retest x86_64");
    expect(renderedText(md)).toContain("fix line 3 of Dockerfile and push");
    expect(stepsOf(md).map((r) => r.slice(0, 2))).toEqual([
      ["resolve bases", "✅ done"],
      ["build", "❌ failed"],
      ["push", "not run"],
      ["tests", "not run"],
    ]);
    expect(md).toContain(NOTE);
  });

  it("a failed image test names the test and its command, shows its output, and a `|` in its name stays in its cell", () => {
    const tests: TestRun[] = [
      { name: "shell runs", command: ["/bin/sh", "-c", "true"], passed: true, seconds: 0.4, exitCode: 0, output: "" },
      {
        name: "config | says `Listen 80`",
        command: "grep -x 'Listen 80' /etc/demo.conf",
        passed: false,
        seconds: 0.5,
        exitCode: 1,
        output: "checking\nError: while running runtime: exit status 1\n",
      },
    ];
    const failure = jobFailureOf(
      new FlibsError("build", "image test failed", { detail: stepFailureDetail({ step: "tests", test: tests[1]! }) }),
    );
    const md = readable(
      buildJobSummary(
        buildJob({ steps: buildSteps("tests"), tests, testsPlanned: 2, image: { digest: D("a"), size: 1 << 20, seconds: 44.2 } }),
        { kind: "failure", failure },
      ),
      true,
    );
    expect(renderedText(md).split("\n")[0]).toBe("❌ flibs build (x86_64): image test “config | says `Listen 80`” failed");
    expect(renderedText(md)).toContain("grep -x 'Listen 80' /etc/demo.conf exited with status 1.");
    expect(codeSpans(md)).toEqual(
      expect.arrayContaining(["grep -x 'Listen 80' /etc/demo.conf", "/bin/sh -c true", D("a"), "/retest x86_64"]),
    );
    expect(codeBlocks(md)).toEqual(["checking\nError: while running runtime: exit status 1"]);
    const testTable = tables(md).find((t) => t[0]![0] === "test")!;
    expect(testTable).toEqual([
      ["test", "result", "time", "command"],
      ["shell runs", "passed", "0.4 s", "/bin/sh -c true"],
      ["config | says `Listen 80`", "failed", "0.5 s", "grep -x 'Listen 80' /etc/demo.conf"],
    ]);
  });

  it("a test that exits 0 without the expected output says what it lacked", () => {
    const test: TestRun = { name: "httpd", command: ["httpd", "-v"], expect: "Apache", passed: false, exitCode: 0, output: "nginx/1.25\n" };
    const md = readable(
      buildJobSummary(buildJob({ tests: [test], testsPlanned: 1 }), {
        kind: "failure",
        failure: { code: "build", message: "x", step: "tests", test },
      }),
    );
    expect(renderedText(md)).toContain("httpd -v printed no Apache.");
  });

  it("per-step times: each step shows its own duration, not the time since the job began", () => {
    const md = readable(buildJobSummary(buildJob({ image: { digest: D("b"), size: 2048, seconds: 44.2 } }), { kind: "success" }));
    expect(stepsOf(md).map((r) => [r[0], r[2]])).toEqual([
      ["resolve bases", "0.3 s"],
      ["build", "41.2 s"],
      ["push", "1.8 s"],
      ["tests", "0.9 s"],
    ]);
    expect(tables(md)[0]).toEqual([
      ["arch", "digest", "size", "time"],
      ["x86_64", D("b"), "2.0 KiB", "44.2 s"],
    ]);
    expect(renderedText(md)).toContain("No image tests for x86_64 in container.yaml.");
  });

  it("a push the registry refuses says it is not the pull request's problem, with the registry's own words", () => {
    const output = new StepOutput();
    output.push(fixture("job-summary/buildah-push-unauthorized.txt"));
    const message = stepFailureMessage("push", "x86_64", undefined, output.output);
    expect(message).toBe("push failed on x86_64: unauthorized: authentication required");
    const failure: JobFailure = { code: "build", message, step: "push", output: output.output };
    const md = readable(buildJobSummary(buildJob({ steps: buildSteps("push") }), { kind: "failure", failure }));
    expect(md.split("\n")[0]).toBe("### ❌ flibs build (x86_64) failed at push");
    expect(renderedText(md)).toContain("Failed at push: push failed on x86_64: unauthorized: authentication required");
    expect(codeBlocks(md)[0]).toMatch(/unauthorized: authentication required$/);
    expect(renderedText(md)).toMatch(/not the pull request's problem/);
    expect(codeSpans(md)).toContain("/retest x86_64");
  });

  it("a policy refusal says what to change and where the policy lives", () => {
    const failure = jobFailureOf(
      new FlibsError("policy", "base image quay.io/x/y:1 not from an approved registry (registry.fedoraproject.org)"),
      "resolve bases",
    );
    const md = readable(
      buildJobSummary(
        buildJob({
          steps: [
            { name: "resolve bases", result: "failed", seconds: 0.1 },
            { name: "build", result: "not run" },
          ],
        }),
        { kind: "failure", failure },
      ),
    );
    expect(renderedText(md)).toContain(
      "Failed at resolve bases: base image quay.io/x/y:1 not from an approved registry (registry.fedoraproject.org)",
    );
    expect(codeSpans(md)).toContain(".github/flibs.yml");
  });

  it("a cancelled build says so and shows the step it stopped in as cancelled, with its time so far", () => {
    const steps: JobStep[] = [
      { name: "resolve bases", result: "done", seconds: 0.2 },
      { name: "build and push", result: "running", seconds: 12.5 },
    ];
    const md = readable(buildJobSummary(buildJob({ steps }), { kind: "cancelled", signal: "SIGINT" }));
    expect(md.split("\n")[0]).toBe("### 🚫 flibs build (x86_64) was cancelled");
    expect(renderedText(md)).toContain("The runner stopped this job (SIGINT during build and push)");
    expect(stepsOf(md)[1]).toEqual(["build and push", "🚫 cancelled", "12.5 s"]);
    expect(codeSpans(md)).toContain("/retest x86_64");
  });

  it("a failure before the mode began (bad inputs, container.yaml) still writes a summary", () => {
    const md = readable(
      errorSummary(
        "build",
        jobFailureOf(new FlibsError("config", "container.yaml is invalid: line 2: `platforms.only.0` must be one of x86_64, aarch64")),
      ),
    );
    expect(md.split("\n")[0]).toBe("### ❌ flibs build did not start");
    expect(codeSpans(md)).toEqual(expect.arrayContaining(["platforms.only.0", "container.yaml"]));
    expect(readable(errorSummary(undefined, jobFailureOf(new Error("boom"))))).toContain("flibs failed unexpectedly: boom");
  });
});

const arch = (a: "x86_64" | "aarch64", packages: PublishJob["arches"][number]["packages"]) => ({
  arch: a,
  digest: D(a === "x86_64" ? "1" : "2"),
  size: 3 << 20,
  packages,
});
const dpkg = { db: "dpkg" as const, count: 112 };
const none = { db: "none" as const, note: "no package database (dpkg, apk or rpm) in the image" };
const DRIFT = [{ name: "libc6", versions: { x86_64: "2.36-9+deb12u13", aarch64: "2.36-9+deb12u10" } }];

describe("packages agree across arches only when a package database was read for every arch", () => {
  it("every arch read, no drift: they agree", () => {
    const md = readable(packageComparison([arch("x86_64", dpkg), arch("aarch64", dpkg)], [], "warn").join("\n\n"));
    expect(renderedText(md)).toBe("Installed packages agree across arches (x86_64: 112 from dpkg; aarch64: 112 from dpkg).");
  });

  it("one arch without a database: it is named, and no agreement is claimed", () => {
    const text = renderedText(readable(packageComparison([arch("x86_64", dpkg), arch("aarch64", none)], [], "warn").join("\n\n")));
    expect(text).toContain("Packages were not compared for aarch64 (no package database (dpkg, apk or rpm) in the image).");
    expect(text).not.toMatch(/agree/);
  });

  it("no arch with a database: none was found", () => {
    const text = renderedText(readable(packageComparison([arch("x86_64", none), arch("aarch64", none)], [], "warn").join("\n\n")));
    expect(text).toMatch(/^Packages were not compared: no package database was read for any arch/);
    expect(text).not.toMatch(/agree/);
  });

  it("a single arch has nothing to compare with", () => {
    expect(renderedText(packageComparison([arch("x86_64", dpkg)], [], "warn").join("\n\n"))).toMatch(/no other arch to compare it with/);
  });
});

describe("the publish job summary", () => {
  const job = (over: Partial<PublishJob> = {}): PublishJob => ({
    repository: "registry.example.com/candidates/httpd",
    steps: [
      { name: "read x86_64", result: "done", seconds: 1.2 },
      { name: "read aarch64", result: "done", seconds: 1.9 },
      { name: "push index", result: "done", seconds: 0.3 },
      { name: "record", result: "done", seconds: 0.2 },
    ],
    arches: [arch("x86_64", dpkg), arch("aarch64", dpkg)],
    index: { digest: D("9"), tags: ["pr-7-abc1234", "sha-abc"], record: D("8") },
    drift: DRIFT,
    driftPolicy: "warn",
    ...over,
  });

  it("drift under warn: the index is tagged, the drift table says which versions, with a ready pull line", () => {
    const md = readable(publishJobSummary(job(), { kind: "success" }));
    expect(renderedText(md).split("\n")[0]).toBe(
      "⚠️ flibs publish registry.example.com/candidates/httpd: index pushed, package versions differ between arches",
    );
    expect(codeSpans(md)).toEqual(
      expect.arrayContaining([
        `registry.example.com/candidates/httpd@${D("9")}`,
        `podman pull registry.example.com/candidates/httpd@${D("9")}`,
        "pr-7-abc1234",
      ]),
    );
    expect(tables(md).find((t) => t[0]![0] === "package")).toEqual([
      ["package", "x86_64", "aarch64"],
      ["libc6", "2.36-9+deb12u13", "2.36-9+deb12u10"],
    ]);
    expect(md).toMatch(/Component drift.*policy: warn/);
    expect(stepsOf(md).map((r) => r[0])).toEqual(["read x86_64", "read aarch64", "push index", "record"]);
  });

  it("drift under fail: not tagged, the consequence stated once, and /retest of the drifting arches", () => {
    const failure = jobFailureOf(
      new FlibsError("policy", "1 package version(s) differ between arches and policy says component_drift: fail"),
    );
    const md = readable(
      publishJobSummary(job({ index: { digest: D("9"), tags: [], record: D("8") }, driftPolicy: "fail" }), { kind: "failure", failure }),
    );
    expect(renderedText(md).split("\n")[0]).toBe(
      "❌ flibs publish registry.example.com/candidates/httpd: package versions differ between arches, index not tagged",
    );
    expect(codeSpans(md)).toContain("/retest x86_64 aarch64");
    expect(codeSpans(md)).not.toContain(`podman pull registry.example.com/candidates/httpd@${D("9")}`);
    expect(renderedText(md)).toContain(`not tagged`);
  });

  it("the arches to build again are those whose version differs from the majority's (all of them without a majority)", () => {
    expect(driftArches(DRIFT)).toEqual(["x86_64", "aarch64"]);
    expect(
      driftArches([
        { name: "glibc", versions: { x86_64: "2.40-17", aarch64: "2.40-12", ppc64le: "2.40-17" } },
        { name: "zlib", versions: { x86_64: "1.3", aarch64: "1.3", s390x: "1.2" } },
      ]),
    ).toEqual(["aarch64", "s390x"]);
  });

  it("an arch whose image is missing fails the read step, and the summary says which and what next", () => {
    const failure = jobFailureOf(
      new FlibsError("not-found", "no aarch64 image for abc1234 (sha256:...): did its build job succeed?"),
      "read aarch64",
    );
    const md = readable(
      publishJobSummary(
        job({
          arches: [],
          index: undefined,
          drift: undefined,
          steps: [
            { name: "read x86_64", result: "done", seconds: 0.4 },
            { name: "read aarch64", result: "failed", seconds: 0.1 },
            { name: "push index", result: "not run" },
            { name: "record", result: "not run" },
          ],
        }),
        { kind: "failure", failure },
      ),
    );
    expect(renderedText(md)).toContain("Failed at read aarch64: no aarch64 image for abc1234");
    expect(codeSpans(md)).toContain("/retest <arch>");
  });
});

describe("the promote job summary", () => {
  const report = {
    source: `registry.example.com/candidates/httpd@${D("9")}`,
    destination: "quay.example.com/fedora/httpd",
    digest: D("9"),
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: { copied: 3, skipped: 0 },
    blobs: { mounted: 0, streamed: 6, skipped: 2, bytesStreamed: 83_886_080 },
    referrers: { copied: 1, skipped: 0 },
    tags: [
      { tag: "1.2.3", kind: "immutable" as const, action: "create" as const },
      { tag: "1.2", kind: "floating" as const, action: "move" as const, from: D("7") },
      { tag: "latest", kind: "floating" as const, action: "unchanged" as const },
    ],
    requests: 40,
  };
  const job = (over: Partial<PromoteJob> = {}): PromoteJob => ({
    destination: "quay.example.com/fedora/httpd",
    gitRef: "refs/tags/v1.2.3",
    steps: [
      { name: "verify", result: "done", seconds: 0.6 },
      { name: "copy", result: "done", seconds: 12.4 },
      { name: "tags", result: "done", seconds: 0.5 },
      { name: "sign", result: "done", seconds: 3.1 },
    ],
    report,
    arches: [{ arch: "x86_64", digest: D("1"), size: 3 << 20 }],
    signature: { signed: true, how: "with cosign, keyless" },
    ...over,
  });

  it("a signed release: the promoted reference, a pull line, each tag with its kind and what was written, in a table", () => {
    const md = readable(promoteJobSummary(job(), { kind: "success" }));
    expect(codeSpans(md)).toEqual(expect.arrayContaining([`podman pull quay.example.com/fedora/httpd@${D("9")}`, "1.2.3", D("7")]));
    expect(tables(md).find((t) => t[0]![0] === "tag")).toEqual([
      ["tag", "kind", "written"],
      ["1.2.3", "immutable", "created"],
      ["1.2", "floating", `moved from ${D("7")}`],
      ["latest", "floating", "already there"],
    ]);
    expect(renderedText(md)).toContain("✅ Signed with cosign, keyless.");
    expect(stepsOf(md).map((r) => r[0])).toEqual(["verify", "copy", "tags", "sign"]);
  });

  it("an unsigned release is a warning, not a plain line", () => {
    const md = readable(
      promoteJobSummary(job({ signature: { signed: false, why: "cosign is not installed on this runner" } }), { kind: "success" }),
    );
    expect(md.split("\n")[0]).toMatch(/^### ⚠️ .*promoted, not signed$/);
    expect(md).toContain("> ⚠️ **Release not signed**: cosign is not installed on this runner.");
    const branch = readable(
      promoteJobSummary(job({ gitRef: "refs/heads/main", signature: { signed: false, why: "cosign is not installed on this runner" } }), {
        kind: "success",
      }),
    );
    expect(branch).toContain("Image not signed: cosign is not installed on this runner.");
    expect(branch).not.toContain("> ⚠️");
  });

  it("a hand-made dispatch refused before copying says why and who fixes what", () => {
    const failure = jobFailureOf(
      new FlibsError("usage", "mode promote in a workflow needs digest, promotion-id and git-ref, as the flibs App sends them"),
      "verify",
    );
    const md = readable(
      promoteJobSummary(
        job({
          report: undefined,
          arches: [],
          signature: undefined,
          steps: [
            { name: "verify", result: "failed", seconds: 0 },
            { name: "copy", result: "not run" },
          ],
        }),
        { kind: "failure", failure },
      ),
    );
    expect(renderedText(md)).toContain("never from a run started by hand");
    expect(codeSpans(md)).toContain("/promote");
  });
});
