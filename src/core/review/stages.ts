import type { ParsedDockerfile, Stage } from "../dockerfile/index.js";

/** The final stage and the earlier stages it is built FROM, final first: what ends up in the image. */
export function finalChain(df: ParsedDockerfile): Stage[] {
  const chain: Stage[] = [];
  let stage = df.stages[df.stages.length - 1];
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    if (stage.from.kind !== "stage") break;
    const ref = stage.from.resolved.toLowerCase();
    const current: Stage = stage;
    stage = df.stages.find((s) => s.index < current.index && (s.name === ref || String(s.index) === ref));
  }
  return chain;
}

/** Stage indexes whose content reaches the final image. */
export function finalStageIndexes(df: ParsedDockerfile): Set<number> {
  return new Set(finalChain(df).map((s) => s.index));
}
