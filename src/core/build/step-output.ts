/**
 * Which Dockerfile instruction a build was running when it failed, and what that instruction printed. buildah
 * announces each instruction as `STEP n/m: INSTRUCTION` (`[s/S] STEP n/m: ...` in a multi-stage build, `s` the
 * stage's 1-based index among all stages, `n` the instruction's within its stage, FROM being 1) and ends a
 * failed build with `Error: building at STEP "INSTRUCTION": reason`. Pure: the builder feeds the output in.
 */
import type { ParsedDockerfile } from "../dockerfile/index.js";
import { cleanOutput, rootCause } from "../report/log-tail.js";

export interface StepHeader {
  /** 1-based stage index, and how many stages the Dockerfile has (1 and 1 when buildah printed no stage). */
  stage: number;
  stages: number;
  /** 1-based instruction within its stage, and how many the stage has. */
  step: number;
  steps: number;
  /** The instruction as buildah printed it (continuation lines joined). */
  text: string;
}

const HEADER = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+): (.*)$/;
const FAILED = /^Error: building at STEP "(.*)": (.*)$/;

export function parseStepHeader(line: string): StepHeader | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  return { stage: Number(m[1] ?? 1), stages: Number(m[2] ?? 1), step: Number(m[3]), steps: Number(m[4]), text: m[5]! };
}

/** The lines kept of one step's output: enough for the last 20 after blank and progress lines go. */
const KEEP = 400;

/**
 * The builder's output as it streams, reduced to the current step: its `STEP` header and the lines printed
 * since. `restart` starts a step of flibs' own (the push after the build) with no header.
 */
export class StepOutput {
  private partial = "";
  private lines: string[] = [];
  private current: StepHeader | undefined;
  private reason: string | undefined;

  push(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop()!;
    for (const line of parts) this.line(line.replace(/\r$/, ""));
  }

  restart(): void {
    this.flush();
    this.current = undefined;
    this.reason = undefined;
    this.lines = [];
  }

  /** The step being run (the last header), if the builder printed one since the last restart. */
  get header(): StepHeader | undefined {
    return this.current;
  }

  /** buildah's reason when it said the step failed (`exit status 2`), else undefined. */
  get failure(): string | undefined {
    return this.reason;
  }

  /** What the current step printed so far. */
  get output(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join("\n");
  }

  private flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = "";
  }

  private line(line: string): void {
    const header = parseStepHeader(line);
    if (header) {
      this.current = header;
      this.reason = undefined;
      this.lines = [];
      return;
    }
    // buildah's own verdict repeats the whole instruction: the summary says it once, from the header.
    const failed = FAILED.exec(line);
    if (failed) {
      this.reason = /exit status \d+/.exec(failed[2]!)?.[0] ?? failed[2];
      return;
    }
    this.lines.push(line);
    if (this.lines.length > KEEP) this.lines.splice(0, this.lines.length - KEEP);
  }
}

/** The instruction a failed build stopped at, as a maintainer finds it in the Dockerfile. */
export interface FailedInstruction {
  /** The instruction as the builder printed it. */
  text: string;
  keyword: string;
  /** The Dockerfile's path in the repository, as container.yaml names it. */
  file: string;
  /** The instruction's first line; absent for the steps flibs adds (the embedded Dockerfile, the labels). */
  line?: number;
  stage: number;
  stages: number;
  step: number;
  steps: number;
  /** One of the instructions flibs appends to the last stage: not the repository's. */
  flibs: boolean;
  /** Why the builder stopped (`exit status 2`), when it said. */
  reason?: string;
}

/**
 * Finds the instruction a `STEP` header names in the Dockerfile that was built (the pinned Dockerfile keeps every
 * line of the repository's where it was; flibs appends its own instructions to the last stage). When the header
 * does not match the file (a keyword that differs), no line is claimed.
 */
export function locateStep(header: StepHeader, parsed: ParsedDockerfile, file: string, reason?: string): FailedInstruction {
  const keyword = /^\S+/.exec(header.text)?.[0]?.toUpperCase() ?? "";
  const base = {
    text: header.text,
    keyword,
    file,
    stage: header.stage,
    stages: header.stages,
    step: header.step,
    steps: header.steps,
    ...(reason ? { reason } : {}),
  };
  const stage = parsed.stages[header.stage - 1];
  if (!stage || parsed.stages.length !== header.stages) return { ...base, flibs: false };
  const ins = stage.instructions[header.step - 1];
  if (ins) return ins.keyword.toUpperCase() === keyword ? { ...base, line: ins.line, flibs: false } : { ...base, flibs: false };
  const last = header.stage === parsed.stages.length;
  return { ...base, flibs: last && header.step <= header.steps };
}

/**
 * A failed build step in one line (the annotation, the summary's first line): the instruction and where it is
 * when buildah named one, else the step and the cause its output ends with.
 */
export function stepFailureMessage(step: string, arch: string, instruction: FailedInstruction | undefined, output: string): string {
  if (instruction) {
    const i = instruction;
    const where =
      i.line !== undefined
        ? `${i.file} line ${i.line}`
        : i.flibs
          ? `a step flibs adds to ${i.file}`
          : `step ${i.step}/${i.steps} of ${i.file}`;
    return `${i.keyword} at ${where} failed on ${arch}${i.reason ? ` (${i.reason})` : ""}`;
  }
  const last = cleanOutput(output)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  return `${step} failed on ${arch}${last ? `: ${rootCause(last)}` : ""}`;
}
