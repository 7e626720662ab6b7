import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/app-process.js";
import { parseWorkflow, NoOperationTraceWriter } from "../helpers/actions/parser.js";
import { evaluate } from "../helpers/actions/expressions.js";

describe("GitHub's workflow parser on Node 20", () => {
  it("loads under vitest and validates a workflow against GitHub's schema", () => {
    const bad = parseWorkflow(
      { name: "bad.yml", content: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ matrix.nope( }}\n" },
      new NoOperationTraceWriter(),
    );
    expect(bad.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("loads under plain node too (the same loader, its types stripped)", () => {
    const dir = join(ROOT, "node_modules", ".cache", "parser-loader-test");
    mkdirSync(dir, { recursive: true });
    try {
      const js = transformSync(readFileSync(join(ROOT, "test/helpers/actions/parser.ts"), "utf8"), { loader: "ts", format: "esm" }).code;
      writeFileSync(join(dir, "parser.mjs"), js);
      const out = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const p = await import(${JSON.stringify(join(dir, "parser.mjs"))}); const r = p.parseWorkflow({ name: "w.yml", content: "on: push\\njobs:\\n  a:\\n    runs-on: x\\n    steps:\\n      - run: echo hi\\n" }, new p.NoOperationTraceWriter()); console.log(r.context.errors.getErrors().length, typeof p.parseAction);`,
        ],
        { encoding: "utf8" },
      );
      expect(out.trim()).toBe("0 function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("expressions", () => {
  it("unescape every '' of a string literal (the library's lexer alone unescapes the first)", () => {
    expect(evaluate("'it''s Bob''s'", {})).toBe("it's Bob's");
    expect(evaluate("format('{0} ''x'' ''y''', 1)", {})).toBe("1 'x' 'y'");
  });

  it("evaluate GitHub's functions and operators with the contexts given", () => {
    const ctx = { inputs: { runner_labels: '{"aarch64":["big-arm"]}' }, matrix: { arch: "x86_64" } };
    expect(
      evaluate('fromJSON(inputs.runner_labels)[matrix.arch] || fromJSON(format(\'["self-hosted", "linux", "{0}"]\', matrix.arch))', ctx),
    ).toEqual(["self-hosted", "linux", "x86_64"]);
    expect(evaluate("fromJSON(inputs.runner_labels)['aarch64']", ctx)).toEqual(["big-arm"]);
    expect(evaluate("contains(fromJSON('[\"a\",\"b\"]'), 'B') && toJSON(matrix)", ctx)).toBe('{\n  "arch": "x86_64"\n}');
  });
});
