import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { actionlint } from "../helpers/actionlint.js";
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

const PINNED = "0123456789abcdef0123456789abcdef01234567";

/** A local "flibs" repository with a tag, which `git ls-remote` reads as it would on GitHub. */
async function flibsRemote(): Promise<{ server: string; tagged: string }> {
  const root = join(dir, "..", "remote");
  const repo = join(root, "acme", "flibs.git");
  await mkdir(repo, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" },
    })
      .toString()
      .trim();
  git("init", "-q", "-b", "main");
  git("commit", "-q", "--allow-empty", "-m", "flibs v1");
  git("tag", "-a", "v1", "-m", "release v1");
  return { server: `file://${root}`, tagged: git("rev-parse", "HEAD") };
}

describe("flibs init", () => {
  it("writes the caller workflows, pinned to the flibs commit, and a valid container.yaml for this org", async () => {
    const r = await flibs("init", "--flibs-repo", "acme/flibs", "--ref", PINNED);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("wrote .github/workflows/flibs.yml\nwrote .github/workflows/flibs-promote.yml\nwrote container.yaml\n");
    const wfText = await readFile(join(dir, ".github/workflows/flibs.yml"), "utf8");
    const wf = parse(wfText);
    expect(wf.jobs.build.uses).toBe(`acme/flibs/.github/workflows/build.yml@${PINNED}`);
    expect(wf.jobs.build.with.flibs_repository).toBe("acme/flibs");
    expect(wf.jobs.build.with.flibs_ref).toBe(PINNED);
    // Where to push is the organisation policy's, sent by the App: the caller carries no registry.
    expect(wf.jobs.build.with.registry).toBeUndefined();
    expect(wf.jobs.build.with.policy).toBe("${{ inputs.policy }}");
    expect(await actionlint(wfText, "flibs.yml")).toEqual([]);
    const promoteText = await readFile(join(dir, ".github/workflows/flibs-promote.yml"), "utf8");
    const promote = parse(promoteText);
    expect(promote.jobs.promote.uses).toBe(`acme/flibs/.github/workflows/promote.yml@${PINNED}`);
    expect(promote.jobs.promote.with.flibs_repository).toBe("acme/flibs");
    expect(promote.jobs.promote.with.flibs_ref).toBe(PINNED);
    expect(promoteText).not.toContain("my-org");
    expect(await actionlint(promoteText, "flibs-promote.yml")).toEqual([]);
    const cfg = parseContainerConfig(await readFile(join(dir, "container.yaml"), "utf8"));
    expect(cfg.ok && cfg.value.image).toBe("httpd");
  });

  it("resolves a tag to the commit it points at, so a tag moved later changes nothing", async () => {
    const { server, tagged } = await flibsRemote();
    const r = await flibs("init", "--flibs-repo", "acme/flibs", "--ref", "v1", "--server", server);
    expect(r.code, r.stderr).toBe(0);
    const wfText = await readFile(join(dir, ".github/workflows/flibs.yml"), "utf8");
    expect(parse(wfText).jobs.build.uses).toBe(`acme/flibs/.github/workflows/build.yml@${tagged}`);
    expect(wfText).toContain(`@${tagged} # v1`);
    const missing = await flibs("init", "--force", "--flibs-repo", "acme/flibs", "--ref", "v9", "--server", server);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("has no tag or branch v9: pass the commit with --ref <sha>");
  });

  it("refuses to overwrite without --force, and overwrites with it", async () => {
    await writeFile(join(dir, "container.yaml"), "image: mine\n");
    const r = await flibs("init");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("container.yaml already exists: use --force to overwrite");
    expect(await readFile(join(dir, "container.yaml"), "utf8")).toBe("image: mine\n");
    const f = await flibs("init", "--force", "--image", "web/httpd", "--ref", PINNED);
    expect(f.code).toBe(0);
    expect(await readFile(join(dir, "container.yaml"), "utf8")).toContain("image: web/httpd");
  });

  it("refuses values that would write a broken workflow", async () => {
    expect((await flibs("init", "--flibs-repo", "acme")).stderr).toContain("--flibs-repo must be OWNER/NAME");
    expect((await flibs("init", "--ref", "v1 ${{x}}")).stderr).toContain("--ref must be a tag, branch or commit SHA");
    expect((await flibs("init", "nowhere")).stderr).toContain("not a directory: nowhere");
  });
});
