/**
 * The job summaries the Action writes (GITHUB_STEP_SUMMARY), rendered by the core's renderers from what a build,
 * publish or promote job hands them. The failing builds' output is buildah's own, as printed
 * (test/fixtures/job-summary/*.txt, read from the repository root, where `npm run gallery` runs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { locateStep, StepOutput, stepFailureMessage, type ComponentDrift } from "../../src/core/build/index.js";
import { parseDockerfile } from "../../src/core/dockerfile/index.js";
import { isolationReport } from "../../src/core/build/isolation.js";
import {
  buildJobSummary,
  promoteJobSummary,
  publishJobSummary,
  type BuildJob,
  type JobOutcome,
  type JobStep,
  type PromoteJob,
  type PublishJob,
  type TestRun,
} from "../../src/core/report/job-summary/index.js";
import type { PromotionReport } from "../../src/core/promote/report.js";
import type { MarkdownScreen, Scenario } from "../types.js";

const fixture = (p: string) => readFileSync(join(process.cwd(), "test/fixtures", p), "utf8");
const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const X86 = digest("3f2a91c0");
const ARM = digest("8be4d7a1");
const INDEX = digest("c0ffee42");
const RECORD = digest("5eed1e55");
const CANDIDATE = "ghcr.io/my-org/candidates/demo-httpd";
const STABLE = "quay.example.com/my-org/demo-httpd";
const NOTE = isolationReport("oci").note;

function screen(title: string, markdown: string, copyable: readonly string[]): MarkdownScreen {
  return { title, kind: "job-summary", markdown, copyable };
}

const steps = (entries: Array<[string, JobStep["result"], number?]>): JobStep[] =>
  entries.map(([name, result, seconds]) => ({ name, result, ...(seconds !== undefined ? { seconds } : {}) }));

const TESTS: TestRun[] = [
  {
    name: "httpd is installed",
    command: ["httpd", "-v"],
    expect: "Apache",
    passed: true,
    seconds: 1.1,
    exitCode: 0,
    output: "Server version: Apache/2.4.62 (Fedora Linux)\n",
  },
  {
    name: "config | listens on 8080",
    command: "grep -x 'Listen 8080' /etc/httpd/conf/httpd.conf",
    passed: true,
    seconds: 0.9,
    exitCode: 0,
    output: "Listen 8080\n",
  },
];

const build = (over: Partial<BuildJob>): BuildJob => ({
  arch: "x86_64",
  steps: [],
  tests: [],
  testsPlanned: TESTS.length,
  isolationNote: NOTE,
  ...over,
});

/** The failing RUN of test/fixtures/build/failing-run-repo, as build-arch reports it from buildah's output. */
function failedRun(): JobOutcome {
  const output = new StepOutput();
  output.push(fixture("job-summary/buildah-run-failed.txt"));
  const instruction = locateStep(
    output.header!,
    parseDockerfile(fixture("build/failing-run-repo/Dockerfile.in"), "Dockerfile"),
    "Dockerfile",
    output.failure,
  );
  return {
    kind: "failure",
    failure: {
      code: "build",
      message: stepFailureMessage("build", "aarch64", instruction, output.output),
      step: "build",
      instruction,
      output: output.output,
    },
  };
}

function pushRefused(): JobOutcome {
  const output = new StepOutput();
  output.push(fixture("job-summary/buildah-push-unauthorized.txt"));
  return {
    kind: "failure",
    failure: {
      code: "build",
      message: stepFailureMessage("push", "x86_64", undefined, output.output),
      step: "push",
      output: output.output,
    },
  };
}

const DRIFT: ComponentDrift[] = [
  { name: "glibc", versions: { x86_64: "2.40-17.fc41", aarch64: "2.40-12.fc41", ppc64le: "2.40-17.fc41" } },
  { name: "openssl-libs", versions: { x86_64: "1:3.2.2-9.fc41", aarch64: "1:3.2.2-9.fc41", ppc64le: "1:3.2.2-7.fc41" } },
];

const publish = (over: Partial<PublishJob>): PublishJob => ({
  repository: CANDIDATE,
  steps: steps([
    ["read x86_64", "done", 2.4],
    ["read aarch64", "done", 3.1],
    ["read ppc64le", "done", 2.8],
    ["push index", "done", 0.4],
    ["record", "done", 0.3],
  ]),
  arches: [
    { arch: "x86_64", digest: X86, size: 74_500_000, packages: { db: "rpm", count: 187 } },
    { arch: "aarch64", digest: ARM, size: 71_900_000, packages: { db: "rpm", count: 187 } },
    { arch: "ppc64le", digest: digest("7a11ce55"), size: 76_200_000, packages: { db: "rpm", count: 186 } },
  ],
  index: { digest: INDEX, tags: ["pr-42-4f3e2d1", "sha-4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e"], record: RECORD },
  drift: DRIFT,
  driftPolicy: "warn",
  ...over,
});

const PROMOTION: PromotionReport = {
  source: `${CANDIDATE}@${INDEX}`,
  destination: STABLE,
  digest: INDEX,
  mediaType: "application/vnd.oci.image.index.v1+json",
  manifests: { copied: 3, skipped: 0 },
  blobs: { mounted: 0, streamed: 8, skipped: 2, bytesStreamed: 148_897_792 },
  referrers: { copied: 1, skipped: 0 },
  tags: [
    { tag: "2.4.62", kind: "immutable", action: "create" },
    { tag: "2.4", kind: "floating", action: "move", from: digest("0ddba11") },
    { tag: "2", kind: "floating", action: "move", from: digest("0ddba11") },
    { tag: "latest", kind: "floating", action: "move", from: digest("0ddba11") },
  ],
  requests: 41,
};

const promote = (over: Partial<PromoteJob>): PromoteJob => ({
  destination: STABLE,
  gitRef: "refs/tags/v2.4.62",
  steps: steps([
    ["verify", "done", 0.7],
    ["copy", "done", 18.3],
    ["tags", "done", 0.6],
    ["sign", "done", 4.2],
  ]),
  report: PROMOTION,
  arches: [
    { arch: "x86_64", digest: X86, size: 74_500_000 },
    { arch: "aarch64", digest: ARM, size: 71_900_000 },
  ],
  ...over,
});

export const jobSummaryScenarios: readonly Scenario[] = [
  {
    id: "job-summary-build-success",
    title: "Job summary: an arch built, pushed and tested",
    async screens() {
      const job = build({
        steps: steps([
          ["resolve bases", "done", 0.6],
          ["build", "done", 212.4],
          ["push", "done", 6.3],
          ["tests", "done", 2.0],
        ]),
        image: { digest: X86, size: 74_500_000, seconds: 221.3 },
        tests: TESTS,
      });
      job.steps[3]!.label = "2 passed";
      return [screen("build (x86_64), success", buildJobSummary(job, { kind: "success" }), [X86])];
    },
  },
  {
    id: "job-summary-build-failed-run",
    title: "Job summary: a RUN step fails (buildah's own output), and a push the registry refuses",
    async screens() {
      const failedAt = steps([
        ["resolve bases", "done", 0.4],
        ["build", "failed", 1.9],
        ["push", "not run"],
        ["tests", "not run"],
      ]);
      const refused = steps([
        ["resolve bases", "done", 0.5],
        ["build", "done", 198.0],
        ["push", "failed", 0.4],
        ["tests", "not run"],
      ]);
      return [
        screen(
          "build (aarch64), RUN failed at Dockerfile line 3",
          buildJobSummary(build({ arch: "aarch64", steps: failedAt, testsPlanned: 1 }), failedRun()),
          ["/retest aarch64"],
        ),
        screen("build (x86_64), push refused with 401", buildJobSummary(build({ steps: refused }), pushRefused()), ["/retest x86_64"]),
      ];
    },
  },
  {
    id: "job-summary-build-failed-test",
    title: "Job summary: an image test fails",
    async screens() {
      const failed: TestRun = {
        name: "config | listens on 8080",
        command: "grep -x 'Listen 8080' /etc/httpd/conf/httpd.conf || { grep -n '^Listen' /etc/httpd/conf/httpd.conf; exit 1; }",
        passed: false,
        seconds: 0.8,
        exitCode: 1,
        output: "47:Listen 80\n",
      };
      const job = build({
        arch: "aarch64",
        steps: steps([
          ["resolve bases", "done", 0.5],
          ["build", "done", 403.7],
          ["push", "done", 7.9],
          ["tests", "failed", 2.1],
        ]),
        image: { digest: ARM, size: 71_900_000, seconds: 414.2 },
        tests: [TESTS[0]!, failed],
      });
      job.steps[3]!.label = "1 of 2 failed";
      const outcome: JobOutcome = {
        kind: "failure",
        failure: { code: "build", message: "image test failed", step: "tests", test: failed },
      };
      return [screen("build (aarch64), image test failed", buildJobSummary(job, outcome), ["/retest aarch64"])];
    },
  },
  {
    id: "job-summary-publish-drift",
    title: "Job summary: publish with component drift, policy warn and policy fail",
    async screens() {
      const failed: JobOutcome = {
        kind: "failure",
        failure: { code: "policy", message: "2 package version(s) differ between arches and policy says component_drift: fail" },
      };
      return [
        screen("publish, drift, component_drift: warn", publishJobSummary(publish({}), { kind: "success" }), [
          `podman pull ${CANDIDATE}@${INDEX}`,
          "pr-42-4f3e2d1",
        ]),
        screen(
          "publish, drift, component_drift: fail",
          publishJobSummary(publish({ driftPolicy: "fail", index: { digest: INDEX, tags: [], record: RECORD } }), failed),
          ["/retest aarch64 ppc64le"],
        ),
      ];
    },
  },
  {
    id: "job-summary-promote",
    title: "Job summary: a release promoted, signed and unsigned",
    async screens() {
      return [
        screen(
          "promote v2.4.62, signed",
          promoteJobSummary(promote({ signature: { signed: true, how: "with cosign, keyless (the job's OIDC identity)" } }), {
            kind: "success",
          }),
          [`podman pull ${STABLE}@${INDEX}`, "2.4.62"],
        ),
        screen(
          "promote v2.4.62, cosign missing on the runner",
          promoteJobSummary(
            promote({
              signature: { signed: false, why: "cosign is not installed on this runner" },
              steps: [
                ...steps([
                  ["verify", "done", 0.7],
                  ["copy", "done", 18.3],
                  ["tags", "done", 0.6],
                ]),
                { name: "sign", result: "skipped", seconds: 0.1, label: "not signed: no cosign" },
              ],
            }),
            { kind: "success" },
          ),
          [`podman pull ${STABLE}@${INDEX}`],
        ),
      ];
    },
  },
];
