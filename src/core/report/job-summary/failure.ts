import { codeBlock, escapeText, inlineCode, messageMarkdown } from "../../markdown.js";
import { MAX_LINE, outputTail } from "../log-tail.js";
import type { FailedInstruction } from "../../build/step-output.js";
import type { JobFailure, TestRun } from "./types.js";

/** Lines of a failed step's output a summary shows: its end, where the error is. */
export const OUTPUT_LINES = 20;

/** A test's command as a maintainer would type it: a string as written, an argv joined with shell quoting. */
export function displayCommand(command: string | readonly string[]): string {
  if (typeof command === "string") return command;
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** `Dockerfile` line 3, or what stands for it when the instruction is not the repository's. */
export function whereInstruction(i: FailedInstruction): string {
  if (i.line !== undefined) return `${inlineCode(i.file)} line ${i.line}`;
  return i.flibs
    ? `a step flibs adds to ${inlineCode(i.file)}`
    : `step ${i.step} of ${i.steps}${i.stages > 1 ? ` of stage ${i.stage}` : ""} of ${inlineCode(i.file)}`;
}

/** How a test failed, in words: its exit status, or the text its output lacked. */
export function testVerdict(t: TestRun): string {
  if (t.exitCode !== undefined && t.exitCode !== 0) return `exited with status ${t.exitCode}`;
  if (t.exitCode === 0 && t.expect !== undefined) return `printed no ${inlineCode(t.expect)}`;
  return "failed";
}

/** A test's name as text, between quotes so that it reads as one name in a sentence. */
export const testName = (name: string) => `“${escapeText(name)}”`;

/** The longest instruction shown: its start is what finds it in the Dockerfile. */
const INSTRUCTION_SHOWN = 160;

/** The failure's first line: what failed, where, and why. */
function headline(f: JobFailure): string[] {
  if (f.instruction) {
    const i = f.instruction;
    const stage = i.stages > 1 ? ` (stage ${i.stage} of ${i.stages})` : "";
    return [
      `**Failed:** ${inlineCode(i.text, INSTRUCTION_SHOWN)} at ${whereInstruction(i)}${stage}${i.reason ? `: ${escapeText(i.reason)}` : ""}.`,
    ];
  }
  if (f.test)
    return [`**Failed:** image test ${testName(f.test.name)}: ${inlineCode(displayCommand(f.test.command))} ${testVerdict(f.test)}.`];
  return [`**Failed${f.step ? ` at ${escapeText(f.step)}` : ""}:** ${messageMarkdown(f.message)}`];
}

/** The last lines of what the failed step printed, in a code block no line of it can close. */
export function outputBlock(output: string | undefined): string[] {
  if (output === undefined) return [];
  const { lines, omitted } = outputTail(output, OUTPUT_LINES);
  if (lines.length === 0) return ["It printed nothing."];
  return [
    omitted > 0 ? `The last ${lines.length} lines of its output:` : "Its output:",
    codeBlock(lines.join("\n"), OUTPUT_LINES, MAX_LINE),
  ];
}

/** What failed, the output that says why, and the next steps (Markdown list items, most likely first). */
export function failureBlock(f: JobFailure, next: readonly string[]): string[] {
  return [...headline(f), ...outputBlock(f.test ? f.test.output : f.output), ...nextBlock(next)];
}

export function nextBlock(next: readonly string[]): string[] {
  return next.length ? ["**What to do next**", next.map((n) => `- ${n}`).join("\n")] : [];
}
