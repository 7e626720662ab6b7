import { inlineCode, joinMarkdown } from "../../markdown.js";
import { failureBlock } from "./failure.js";
import type { JobFailure } from "./types.js";

function nextSteps(f: JobFailure): string[] {
  if (f.code === "config")
    return [`Fix ${inlineCode("container.yaml")} and push (${inlineCode("flibs review")} shows the same problem locally).`];
  if (f.code === "usage")
    return [
      `The workflow called the Action with inputs it cannot use: a problem of the flibs setup (the caller workflow or the App), not of the pull request. Tell the organisation's flibs admins.`,
    ];
  return [
    `If it may be a glitch, run the job again; if it fails the same way again, report it to the flibs maintainers with this summary.`,
  ];
}

/** The summary of a job that failed before its mode began (its inputs, its checkout, container.yaml). */
export function errorSummary(mode: string | undefined, failure: JobFailure): string {
  const what = mode === "build" || mode === "publish" || mode === "promote" ? `flibs ${mode}` : "flibs";
  return `${joinMarkdown([`### ❌ ${what} did not start`, ...failureBlock(failure, nextSteps(failure))])}\n`;
}
