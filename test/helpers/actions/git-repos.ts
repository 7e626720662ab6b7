/**
 * The repositories a faked GitHub Actions reads workflows from and checks out: real local git repositories,
 * one per `owner/name`, made by the test. Refs resolve as GitHub resolves them: a dispatch `ref` names a branch
 * or a tag; a checkout `ref` may also be a commit SHA.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Monalisa Octocat",
  GIT_AUTHOR_EMAIL: "mona@example.com",
  GIT_COMMITTER_NAME: "Monalisa Octocat",
  GIT_COMMITTER_EMAIL: "mona@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", ["-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", ...args], {
      cwd,
      env: { ...process.env, ...GIT_ENV, HOME: cwd },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`git ${args.join(" ")} (in ${cwd}) failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

export interface ResolvedRef {
  sha: string;
  /** `refs/heads/<branch>` or `refs/tags/<tag>`. */
  ref: string;
  /** The short name (`main`, `v1`). */
  name: string;
  type: "branch" | "tag";
}

export class LocalRepos {
  private readonly dirs = new Map<string, string>();
  private root?: string;
  /**
   * What a commit holds never changes, so what was read of one is kept: file contents by `<sha>:<path>`, the
   * commits known to exist in each repository, and one pristine checkout per commit that later checkouts copy (a
   * job checks out the same commit twice or more per run; copying spares a git process each time).
   */
  private readonly shown = new Map<string, string | undefined>();
  private readonly known = new Set<string>();
  private readonly checkouts = new Map<string, Promise<string>>();
  /** Refs resolved, by `<dir>:<ref>`: every write to a repository goes through this class, which forgets them. */
  private readonly refs = new Map<string, ResolvedRef | undefined>();
  private nextCheckout = 0;
  /** First commits already made, by their files, tags and message: the same again is a copy with the same SHA. */
  private readonly templates = new Map<string, Promise<{ dir: string; sha: string }>>();

  /** The directory of a repository, or undefined when the test made none of that name. */
  dir(fullName: string): string | undefined {
    return this.dirs.get(fullName.toLowerCase());
  }

  names(): string[] {
    return [...this.dirs.keys()];
  }

  /**
   * Creates `owner/name` with one commit of `files` on `main` (path -> text, or `{ from }` to copy a file or
   * directory), and the given tags on it. Returns the commit SHA. A repository created with the same first commit
   * as an earlier one is a copy of it (the same SHA, as a fork's): many repositories cost one git commit.
   */
  async create(
    fullName: string,
    files: Record<string, string | { from: string }>,
    options: { tags?: string[]; message?: string } = {},
  ): Promise<string> {
    const root = await this.rootDir();
    const dir = join(root, fullName.toLowerCase().replace("/", "__"));
    await rm(dir, { recursive: true, force: true });
    this.forget(dir);
    const key = JSON.stringify([Object.entries(files).sort(([a], [b]) => a.localeCompare(b)), options.tags ?? [], options.message ?? ""]);
    let template = this.templates.get(key);
    if (!template) {
      template = this.template(join(root, ".templates", String(this.templates.size)), files, options);
      this.templates.set(key, template);
      template.catch(() => this.templates.delete(key));
    }
    const { dir: from, sha } = await template;
    await cp(from, dir, { recursive: true, verbatimSymlinks: true });
    this.dirs.set(fullName.toLowerCase(), dir);
    this.known.add(`${dir}:${sha}`);
    const branch = { sha, ref: "refs/heads/main", name: "main", type: "branch" as const };
    this.refs.set(`${dir}:main`, branch).set(`${dir}:refs/heads/main`, branch);
    for (const t of options.tags ?? []) {
      const tag = { sha, ref: `refs/tags/${t}`, name: t, type: "tag" as const };
      this.refs.set(`${dir}:${t}`, tag).set(`${dir}:refs/tags/${t}`, tag);
    }
    return sha;
  }

  private async template(
    dir: string,
    files: Record<string, string | { from: string }>,
    options: { tags?: string[]; message?: string },
  ): Promise<{ dir: string; sha: string }> {
    await mkdir(dir, { recursive: true });
    await git(dir, "init", "--quiet");
    const sha = await this.commitIn(dir, files, { message: options.message ?? "Initial commit" });
    for (const t of options.tags ?? []) await git(dir, "tag", "--force", t, sha);
    return { dir, sha };
  }

  private rootPromise?: Promise<string>;
  private async rootDir(): Promise<string> {
    this.rootPromise ??= mkdtemp(join(tmpdir(), "fake-actions-repos-")).then((r) => (this.root = r));
    return await this.rootPromise;
  }

  /**
   * The same repository under another name too (one directory, as forks share storage on GitHub): for many
   * repositories that are only read. A commit to either name is seen by both.
   */
  alias(from: string, to: string): void {
    this.dirs.set(to.toLowerCase(), this.must(from));
  }

  /** A copy of a repository under another name, every branch, tag and commit the same (as a fork starts). */
  async copy(from: string, to: string): Promise<void> {
    const source = this.must(from);
    const dir = join(await this.rootDir(), to.toLowerCase().replace("/", "__"));
    await rm(dir, { recursive: true, force: true });
    this.forget(dir);
    await cp(source, dir, { recursive: true, verbatimSymlinks: true });
    this.dirs.set(to.toLowerCase(), dir);
  }

  /** Writes `files` on the checked-out branch (`main`, or `branch`, created from HEAD) and commits them. */
  async commit(
    fullName: string,
    files: Record<string, string | { from: string }>,
    options: { message?: string; branch?: string } = {},
  ): Promise<string> {
    const dir = this.must(fullName);
    const sha = await this.commitIn(dir, files, options);
    this.forgetRefs(dir);
    return sha;
  }

  private async commitIn(
    dir: string,
    files: Record<string, string | { from: string }>,
    options: { message?: string; branch?: string },
  ): Promise<string> {
    if (options.branch) await git(dir, "checkout", "--quiet", "-B", options.branch);
    for (const [path, content] of Object.entries(files)) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      if (typeof content === "string") await writeFile(target, content);
      else await cp(content.from, target, { recursive: true });
    }
    await git(dir, "add", "--all");
    await git(dir, "commit", "--quiet", "--allow-empty", "-m", options.message ?? "Update");
    const sha = (await git(dir, "rev-parse", "HEAD")).trim();
    if (options.branch) await git(dir, "checkout", "--quiet", "main");
    return sha;
  }

  async tag(fullName: string, tag: string, ref = "HEAD"): Promise<void> {
    const dir = this.must(fullName);
    await git(dir, "tag", "--force", tag, ref);
    this.forgetRefs(dir);
  }

  /** A branch or a tag (short or full name), as the dispatch API and `uses: ...@ref` take them; undefined for anything else. */
  async resolveRef(fullName: string, ref: string): Promise<ResolvedRef | undefined> {
    const dir = this.dir(fullName);
    if (!dir) return undefined;
    const key = `${dir}:${ref}`;
    if (this.refs.has(key)) return this.refs.get(key);
    const resolved = await this.lookupRef(dir, ref);
    this.refs.set(key, resolved);
    return resolved;
  }

  private async lookupRef(dir: string, ref: string): Promise<ResolvedRef | undefined> {
    const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    for (const full of candidates) {
      const m = /^refs\/(heads|tags)\/(.+)$/.exec(full);
      if (!m) continue;
      try {
        const sha = (await git(dir, "rev-parse", "--verify", "--quiet", `${full}^{commit}`)).trim();
        if (sha) return { sha, ref: full, name: m[2]!, type: m[1] === "heads" ? "branch" : "tag" };
      } catch {
        // not this kind of ref
      }
    }
    return undefined;
  }

  /** A branch, tag or commit SHA resolved to a commit SHA (what `actions/checkout`'s `ref` accepts). */
  async resolveCommit(fullName: string, ref: string): Promise<string | undefined> {
    if (/^[0-9a-f]{40}$/.test(ref)) {
      const dir = this.must(fullName);
      if (this.known.has(`${dir}:${ref}`)) return ref;
      try {
        await git(dir, "cat-file", "-e", `${ref}^{commit}`);
        this.known.add(`${dir}:${ref}`);
        return ref;
      } catch {
        return undefined;
      }
    }
    const named = await this.resolveRef(fullName, ref);
    if (named) return named.sha;
    if (!/^[0-9a-f]{7,40}$/i.test(ref)) return undefined;
    try {
      return (await git(this.must(fullName), "rev-parse", "--verify", "--quiet", `${ref}^{commit}`)).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** A file's text at a commit, or undefined when the file is not there. */
  async show(fullName: string, ref: string, path: string): Promise<string | undefined> {
    const sha = await this.resolveCommit(fullName, ref);
    if (!sha) return undefined;
    const dir = this.must(fullName);
    const key = `${sha}:${path.replace(/^\.?\//, "")}`;
    if (this.shown.has(key)) return this.shown.get(key);
    let text: string | undefined;
    try {
      text = await git(dir, "show", `${sha}:${path.replace(/^\.?\//, "")}`);
    } catch {
      text = undefined;
    }
    this.shown.set(key, text);
    return text;
  }

  async defaultBranch(fullName: string): Promise<string> {
    return (await git(this.must(fullName), "symbolic-ref", "--short", "HEAD")).trim() || "main";
  }

  /** A real `git clone` of the repository into `dest`, its HEAD detached at `sha`. */
  async clone(fullName: string, sha: string, dest: string): Promise<void> {
    const dir = this.must(fullName);
    // A commit's checkout is the same whichever repository holds it.
    const key = sha;
    let pristine = this.checkouts.get(key);
    if (!pristine) {
      pristine = (async () => {
        const at = join(this.root!, ".checkouts", String(this.nextCheckout++));
        await mkdir(dirname(at), { recursive: true });
        await git(dirname(at), "clone", "--quiet", "--no-checkout", dir, at);
        await git(at, "checkout", "--quiet", "--detach", sha);
        return at;
      })();
      this.checkouts.set(key, pristine);
      pristine.catch(() => this.checkouts.delete(key));
    }
    await mkdir(dirname(dest), { recursive: true });
    await cp(await pristine, dest, { recursive: true, verbatimSymlinks: true });
  }

  private forgetRefs(dir: string): void {
    for (const k of [...this.refs.keys()]) if (k.startsWith(`${dir}:`)) this.refs.delete(k);
  }

  /** A repository made again: what was known of its refs and commits no longer holds (a commit's content still does). */
  private forget(dir: string): void {
    this.forgetRefs(dir);
    for (const k of [...this.known]) if (k.startsWith(`${dir}:`)) this.known.delete(k);
  }

  async cleanup(): Promise<void> {
    const root = this.rootPromise ? await this.rootPromise.catch(() => undefined) : this.root;
    if (root) await rm(root, { recursive: true, force: true });
    this.root = undefined;
    this.rootPromise = undefined;
    this.dirs.clear();
    this.shown.clear();
    this.known.clear();
    this.refs.clear();
    this.templates.clear();
    this.checkouts.clear();
  }

  private must(fullName: string): string {
    const dir = this.dir(fullName);
    if (!dir) throw new Error(`no local repository ${fullName} (create it with repos.create)`);
    return dir;
  }
}
