/**
 * Follows a builder's output and reports what it is doing in one line: buildah's `STEP n/m: ...` (docker
 * buildx's `#n [stage k/m] ...` too), then the commit and blob copies that end a build. Chunks may split lines.
 */
export function builderSteps(onStep: (text: string) => void): (chunk: string) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const step = /^STEP (\d+\/\d+): (.*)$/.exec(line) ?? /^#\d+ \[(?:[\w-]+ )?(\d+\/\d+)\] (.*)$/.exec(line);
      if (step) onStep(`STEP ${step[1]}: ${step[2]!.trim()}`);
      else if (/^COMMIT\b/.test(line)) onStep("committing the image");
      else if (line.startsWith("Copying blob ")) onStep(`copying ${line.slice("Copying ".length).trim()}`);
    }
  };
}
