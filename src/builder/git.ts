import { FlibsError } from "../core/errors.js";
import { run } from "./exec.js";

export interface CommitInfo {
  sha: string;
  tree: string;
  /** Committer time, seconds since the epoch: SOURCE_DATE_EPOCH. */
  time: number;
}

/** Reads a commit of the checkout in `dir` (the container repo). */
export async function commitInfo(dir: string, rev = "HEAD"): Promise<CommitInfo> {
  try {
    const { stdout } = await run("git", ["-C", dir, "show", "-s", "--format=%H %T %ct", `${rev}^{commit}`]);
    const [sha, tree, time] = stdout.trim().split(" ");
    if (!sha || !tree || !time) throw new Error(stdout);
    return { sha, tree, time: Number(time) };
  } catch (e) {
    throw new FlibsError(
      "io",
      `${dir} is not a Git checkout with commit ${rev}: flibs builds commits (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
    );
  }
}
