/**
 * The build and promotion checks on a pull request and a merged commit, rendered by the core's renderers from
 * what GitHub's events and the jobs report: a green build with its pull line, an aarch64 failure (its arch check
 * and flibs/build), a candidate registry refusing the App (flibs' setup, not the PR's), and one commit promoted
 * for `main` and for a release (each ref its own check).
 */
import { archCheckSummary, archCheckTitle, type ArchJob } from "../../src/core/report/arch-check.js";
import { summarizeBuild, type ArchResult } from "../../src/core/report/build-summary.js";
import { completedPromotion, promoteCheckName, type PromotionFacts } from "../../src/core/report/promote-check.js";
import { DEFAULT_POLICY } from "../../src/core/config/index.js";
import { parseBuildId } from "../../src/core/plan/build-id.js";
import { decideGate } from "../../src/core/plan/gate.js";
import { buildingCheck, cancelledBuild, queuedBuildSummary, queuedBuildTitle } from "../../src/core/report/build-check.js";
import { planTags } from "../../src/core/promote/tags.js";
import type { MarkdownScreen, Scenario } from "../types.js";

const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const X86 = digest("3f2a91c0");
const ARM = digest("8be4d7a1");
const INDEX = digest("c0ffee42");
const CANDIDATE = "ghcr.io/my-org/candidates/demo-httpd";
const STABLE = "quay.example.com/my-org/demo-httpd";
const RUN = "https://github.com/my-org/demo-httpd/actions/runs/16000000001";
const JOB = (n: number) => `${RUN}/job/4500000000${n}`;
const ARCHES = ["x86_64", "aarch64"] as const;

function check(
  title: string,
  name: string,
  s: { conclusion: string; title: string; text?: string; summary?: string },
  copyable: readonly string[] = [],
): MarkdownScreen {
  return {
    title,
    kind: "check",
    markdown: s.text ?? s.summary ?? "",
    check: { name, conclusion: s.conclusion, title: s.title },
    copyable,
    links: ["https://github.com/my-org/demo-httpd/"],
  };
}

const passed = (arch: (typeof ARCHES)[number], d: string, size: number, n: number): ArchResult => ({
  arch,
  conclusion: "success",
  digest: d,
  size,
  jobUrl: JOB(n),
});

function greenBuild(): MarkdownScreen[] {
  const s = summarizeBuild({
    planned: [...ARCHES],
    results: [passed("x86_64", X86, 71_303_168, 1), passed("aarch64", ARM, 69_730_304, 2)],
    indexDigest: INDEX,
    indexRef: CANDIDATE,
    runConclusion: "success",
    runUrl: RUN,
    publish: { conclusion: "success" },
  });
  return [check("flibs/build: built and tested on both arches", "flibs/build", s, [`${CANDIDATE}@${INDEX}`])];
}

function aarch64Fails(): MarkdownScreen[] {
  const id = parseBuildId(`${SHA}.1`)!;
  const errors = ['Error: building at STEP "RUN dnf -y install httpd-tools-9.9": exit status 1', "No match for argument: httpd-tools-9.9"];
  const job: ArchJob = {
    id,
    arch: "aarch64",
    status: "completed",
    conclusion: "failure",
    htmlUrl: JOB(2),
    steps: [
      { name: "Set up job", number: 1, status: "completed", conclusion: "success" },
      { name: "Check out the commit", number: 2, status: "completed", conclusion: "success" },
      { name: "Build, push and test", number: 3, status: "completed", conclusion: "failure" },
    ],
    errors,
  };
  const s = summarizeBuild({
    planned: [...ARCHES],
    results: [
      passed("x86_64", X86, 71_303_168, 1),
      { arch: "aarch64", conclusion: "failure", jobUrl: JOB(2), failedStep: "Build, push and test", errors },
    ],
    runConclusion: "failure",
    runUrl: RUN,
  });
  return [
    check(
      "flibs/build (aarch64): the failing step, its errors and the next command",
      "flibs/build (aarch64)",
      { conclusion: "failure", title: archCheckTitle(job), summary: archCheckSummary(job) },
      ["/retest aarch64"],
    ),
    check("flibs/build: why it is red, and what next", "flibs/build", s, ["/retest aarch64"]),
  ];
}

function registryRefusesTheApp(): MarkdownScreen[] {
  const s = summarizeBuild({
    planned: [...ARCHES],
    results: [passed("x86_64", X86, 71_303_168, 1), passed("aarch64", ARM, 69_730_304, 2)],
    runConclusion: "success",
    runUrl: RUN,
    publish: { conclusion: "success" },
    problem: { text: `the index could not be read: ghcr.io answered 401 Unauthorized for ${CANDIDATE}`, setup: true },
  });
  return [check("flibs/build: the candidate registry refuses the App (flibs' setup, not the PR)", "flibs/build", s, ["/build"])];
}

function tagsFor(ref: string) {
  if (!ref.startsWith("refs/tags/")) return [];
  const plan = planTags({ gitTag: ref, existingTags: ["1.0.0"] });
  if (!plan.ok) throw new Error(plan.error.message);
  return plan.value.tags;
}

function promotions(): MarkdownScreen[] {
  const facts = (ref: string): PromotionFacts => ({
    ref,
    digest: INDEX,
    testedSha: SHA,
    environment: "stable",
    stable: `${STABLE}@${INDEX}`,
    tags: tagsFor(ref),
  });
  const run = (n: number) => `https://github.com/my-org/demo-httpd/actions/runs/1600000010${n}`;
  const main = completedPromotion(facts("refs/heads/main"), { ok: true, runConclusion: "success", runUrl: run(1), signed: true });
  const release = completedPromotion(facts("refs/tags/v1.0.0"), { ok: true, runConclusion: "success", runUrl: run(2), signed: false });
  const failed = completedPromotion(facts("refs/tags/v1.0.1"), { ok: false, runConclusion: "failure", runUrl: run(3) });
  return [
    check("flibs/promote (main): promoted and signed", promoteCheckName("refs/heads/main"), main, [`${STABLE}@${INDEX}`]),
    check("flibs/promote (v1.0.0): the same commit released, unsigned (a warning)", promoteCheckName("refs/tags/v1.0.0"), release, [
      `${STABLE}@${INDEX}`,
    ]),
    check("flibs/promote (v1.0.1): the promote run failed", promoteCheckName("refs/tags/v1.0.1"), failed, ["/promote"]),
  ];
}

function publishFails(): MarkdownScreen[] {
  const s = summarizeBuild({
    planned: [...ARCHES],
    results: [passed("x86_64", X86, 71_303_168, 1), passed("aarch64", ARM, 69_730_304, 2)],
    runConclusion: "failure",
    runUrl: RUN,
    publish: { conclusion: "failure" },
    problem: { text: "the publish job ended failure: no index was published", setup: false },
  });
  return [check("flibs/build: both arches passed, the publish job failed", "flibs/build", s)];
}

function forkWaits(): MarkdownScreen[] {
  const gate = decideGate({ authorPermission: "read", fromFork: true, headSha: SHA, approvedShas: [], policy: DEFAULT_POLICY });
  if (gate.build) throw new Error("a fork PR by a reader should wait");
  return [
    check(
      "flibs/build: a fork's pull request waits for /ok-to-test <sha>",
      "flibs/build",
      { conclusion: "action_required", title: "Waiting for /ok-to-test", summary: gate.message },
      [`/ok-to-test ${SHA.slice(0, 12)}`],
    ),
  ];
}

function running(): MarkdownScreen[] {
  const id = parseBuildId(`${SHA}.1`);
  if (!id) throw new Error("the gallery's build id should parse");
  const summary = queuedBuildSummary(id, "Building the head of #42.", {
    arches: [...ARCHES],
    building: [...ARCHES],
    pr: 42,
    run: 16000000001,
  });
  const building = buildingCheck({ id: 16000000001, status: "in_progress" }, summary);
  if (!building) throw new Error("a running run should show its build as building");
  return [
    check("flibs/build: dispatched, no job started yet", "flibs/build", { conclusion: "queued", title: queuedBuildTitle(ARCHES), summary }),
    check("flibs/build: once the first arch's job started", "flibs/build", { conclusion: "in_progress", title: building.title, summary }),
  ];
}

function cancelled(): MarkdownScreen[] {
  const c = (title: string, v: { title: string; summary: string }) => check(title, "flibs/build", { conclusion: "cancelled", ...v });
  return [
    c("flibs/build: superseded by a newer push", cancelledBuild({ by: "push", head: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432" })),
    c("flibs/build: /cancel by a maintainer", cancelledBuild({ by: "command", login: "mona" })),
    c("flibs/build: the pull request was closed", cancelledBuild({ by: "close" })),
  ];
}

export const checkScenarios: readonly Scenario[] = [
  { id: "build-running", title: "A build under way: queued, then building", screens: async () => running() },
  { id: "build-green", title: "A green build: both arches, the index and its pull line", screens: async () => greenBuild() },
  { id: "build-aarch64-fails", title: "aarch64 fails: where, why, and what next", screens: async () => aarch64Fails() },
  {
    id: "build-setup-problem",
    title: "The candidate registry refuses the App: whose problem it is",
    screens: async () => registryRefusesTheApp(),
  },
  { id: "build-publish-fails", title: "Both arches passed, the publish job failed", screens: async () => publishFails() },
  {
    id: "build-fork-waits",
    title: "A fork's pull request waits for approval of the SHA the reviewer read",
    screens: async () => forkWaits(),
  },
  { id: "build-cancelled", title: "A build cancelled: by what, or by whom", screens: async () => cancelled() },
  { id: "promotions", title: "One commit promoted for main and for two releases", screens: async () => promotions() },
];
