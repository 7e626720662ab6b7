import { formatSize } from "../build-summary.js";
import { escapeText, inlineCode, joinMarkdown, table, trusted } from "../../markdown.js";
import type { Arch } from "../../platform.js";
import { displayCommand, failureBlock, nextBlock, testName, whereInstruction } from "./failure.js";
import { formatDuration, stepsTable } from "./steps.js";
import type { JobFailure, JobOutcome, JobStep, TestRun } from "./types.js";

/** What one arch's build job did, as far as it got. */
export interface BuildJob {
  arch: Arch;
  /** The steps so far, with those planned but never started as `not run`. */
  steps: readonly JobStep[];
  image?: { digest: string; size: number; seconds: number };
  tests: readonly TestRun[];
  /** How many tests container.yaml has for this arch. */
  testsPlanned: number;
  /** The isolation note (flibs' own Markdown, also the `isolation-note` output). */
  isolationNote?: string;
}

const retest = (arch: Arch) => inlineCode(`/retest ${arch}`);
const GLITCH = (arch: Arch) =>
  `If it may be a glitch (a download or a mirror that timed out), comment ${retest(arch)} on the pull request to build ${arch} again.`;

/** What a maintainer does about a failed build job, most likely first. */
export function buildNextSteps(f: JobFailure, arch: Arch): string[] {
  if (f.instruction) {
    const i = f.instruction;
    if (i.flibs)
      return [
        `This step is one flibs adds (the embedded Dockerfile, the labels), not the repository's: comment ${retest(arch)}; if it fails again, report it to the flibs maintainers with this summary.`,
      ];
    const line = i.line !== undefined ? `line ${i.line} of ${inlineCode(i.file)}` : `${inlineCode(i.text)} in ${inlineCode(i.file)}`;
    return [`If the output shows a mistake, fix ${line} and push: the pull request builds again.`, GLITCH(arch)];
  }
  if (f.test) {
    return [
      `If the image is wrong, fix the ${inlineCode("Dockerfile")}; if the test is, fix it in ${inlineCode("container.yaml")}; then push.`,
      `If it may be a glitch, comment ${retest(arch)} on the pull request.`,
    ];
  }
  const push = f.step === "push" || f.step === "build and push";
  if (f.code === "auth" || (push && f.code !== "policy")) {
    return [
      `This is not the pull request's problem: the candidate registry refused or failed the push. If the output says unauthorized or denied, the organisation's flibs admins check the registry credentials the workflow passes (${inlineCode("username")}, ${inlineCode("password")}).`,
      `Then comment ${retest(arch)} on the pull request.`,
    ];
  }
  switch (f.code) {
    case "policy":
      return [
        `Change the ${inlineCode("Dockerfile")} to meet the organisation's policy, or ask its admins to change the policy (${inlineCode(".github/flibs.yml")} in the organisation's ${inlineCode(".github")} repository).`,
      ];
    case "config":
      return [`Fix ${inlineCode("container.yaml")} and push (${inlineCode("flibs review")} shows the same problem locally).`];
    case "usage":
      return [
        `The workflow called the Action with inputs it cannot use: a problem of the flibs setup (the caller workflow or the App), not of the pull request. Tell the organisation's flibs admins.`,
      ];
    case "registry":
    case "not-found":
      return [
        `A registry did not answer as expected: comment ${retest(arch)} on the pull request once it does. If the base image is gone, name one that exists in the ${inlineCode("Dockerfile")}.`,
      ];
    default:
      return [GLITCH(arch), `If it fails the same way again, report it to the flibs maintainers with this summary.`];
  }
}

function heading(job: BuildJob, outcome: JobOutcome): string {
  const what = `flibs build (${job.arch})`;
  if (outcome.kind === "cancelled") return `### 🚫 ${what} was cancelled`;
  if (outcome.kind === "success") return `### ✅ ${what}: built, pushed${job.tests.length ? " and tested" : ""}`;
  const f = outcome.failure;
  if (f.instruction) return `### ❌ ${what} failed at ${whereInstruction(f.instruction)}`;
  if (f.test) return `### ❌ ${what}: image test ${testName(f.test.name)} failed`;
  return `### ❌ ${what} failed${f.step ? ` at ${escapeText(f.step)}` : ""}`;
}

function cancelled(job: BuildJob, signal: string): string[] {
  const at = job.steps.find((s) => s.result === "running");
  return [
    `The runner stopped this job (${escapeText(signal)}${at ? ` during ${escapeText(at.name)}` : ""}): its run was cancelled (by ${inlineCode("/cancel")} or a newer push) or ran out of time. flibs stopped every tool it had started.`,
    ...nextBlock([`To build ${job.arch} again, comment ${retest(job.arch)} on the pull request.`]),
  ];
}

function testsTable(tests: readonly TestRun[]): string {
  return table(
    ["test", "result", "time", "command"],
    tests.map((t) => [
      t.name,
      t.passed ? "passed" : "failed",
      t.seconds === undefined ? "" : formatDuration(t.seconds),
      trusted(inlineCode(displayCommand(t.command))),
    ]),
  );
}

/** The job summary of one arch's build, whatever happened. */
export function buildJobSummary(job: BuildJob, outcome: JobOutcome): string {
  const blocks: string[] = [heading(job, outcome)];
  if (outcome.kind === "failure") blocks.push(...failureBlock(outcome.failure, buildNextSteps(outcome.failure, job.arch)));
  if (outcome.kind === "cancelled") blocks.push(...cancelled(job, outcome.signal));
  if (job.image) {
    blocks.push(
      table(
        ["arch", "digest", "size", "time"],
        [[trusted(job.arch), trusted(inlineCode(job.image.digest)), formatSize(job.image.size), formatDuration(job.image.seconds)]],
      ),
    );
  }
  if (job.tests.length) blocks.push("**Image tests**", testsTable(job.tests));
  else if (job.testsPlanned === 0) blocks.push(`No image tests for ${job.arch} in ${inlineCode("container.yaml")}.`);
  blocks.push("**Steps**", stepsTable(job.steps, outcome));
  if (job.isolationNote) blocks.push(job.isolationNote);
  return `${joinMarkdown(blocks)}\n`;
}
