import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

describe("the committed Action bundle", () => {
  it("is what `npm run build:action` makes from the current sources (rebuild and commit action/dist when this fails)", async () => {
    const { options } = (await import(join(ROOT, "action/build.mjs"))) as { options: (out: string) => Parameters<typeof build>[0] };
    const dir = await mkdtemp(join(tmpdir(), "flibs-action-dist-"));
    try {
      const out = join(dir, "index.js");
      await build(options(out));
      const fresh = await readFile(out, "utf8");
      const committed = await readFile(join(ROOT, "action/dist/index.js"), "utf8");
      expect(committed.length).toBe(fresh.length);
      expect(committed === fresh, "action/dist/index.js is stale: run `npm run build:action` and commit it").toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("action.yml runs the bundle on the current Node runtime and declares what the workflows pass", async () => {
    const action = parse(await readFile(join(ROOT, "action/action.yml"), "utf8"));
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    const inputs = Object.keys(action.inputs);
    for (const wf of ["build.yml", "promote.yml"]) {
      const w = parse(await readFile(join(ROOT, ".github/workflows", wf), "utf8"));
      for (const job of Object.values<{ steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>(w.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== "./.flibs/action") continue;
          for (const k of Object.keys(step.with ?? {})) expect(inputs, `${wf} passes ${k}`).toContain(k);
          for (const [k, spec] of Object.entries<{ required?: boolean }>(action.inputs)) {
            if (spec.required) expect(Object.keys(step.with ?? {}), `${wf} gives required ${k}`).toContain(k);
          }
        }
      }
    }
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(["digest", "platform", "size", "index-digest"]));
  });
});
