import type { DockerInstruction, ParsedDockerfile } from "../dockerfile/index.js";
import { finalChain } from "./stages.js";

/** The USER instruction in effect at the end of the final stage (following `FROM <stage>`), if any. */
export function finalUser(df: ParsedDockerfile): { instruction: DockerInstruction; user: string } | undefined {
  for (const stage of finalChain(df)) {
    const users = stage.instructions.filter((i) => i.keyword === "USER");
    const last = users[users.length - 1];
    if (last) return { instruction: last, user: last.args.trim().split(/\s+/)[0] ?? "" };
  }
  return undefined;
}

export function isRoot(user: string): boolean {
  const name = user.split(":")[0] ?? "";
  return name === "root" || name === "0";
}
