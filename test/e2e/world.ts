/**
 * GitHub's side of the end-to-end chain: the state a real repository has on GitHub (files at each commit, pull
 * requests, roles, reactions, comments, deployments, the App's identity), served by the fake GitHub to the App
 * process and to the workflow jobs, with every request checked against GitHub's OpenAPI description and GraphQL
 * schema. GitHub Actions itself (dispatch, runs, jobs, deliveries) is the FakeActions harness on the same fake.
 */
import { notFound, type FakeGitHub, type GitHubRequest } from "../helpers/github.js";
import type { LocalRepos } from "../helpers/actions/index.js";
import { git } from "../helpers/actions/git-repos.js";

export interface Pull {
  number: number;
  head: string;
  headRef: string;
  author: string;
  state: "open" | "closed";
  merged?: { sha: string };
}

export class ChainWorld {
  readonly roles = new Map<string, string>();
  readonly pulls: Pull[] = [];
  readonly comments: Array<{ issue: number; body: string }> = [];
  readonly deployments: Array<{ id: number; body: any; statuses: any[] }> = [];
  private readonly reacted = new Set<string>();
  private nextDeployment = 500;

  constructor(
    readonly github: FakeGitHub,
    readonly repos: LocalRepos,
    readonly repo: string,
    readonly app: { id: number; slug: string },
  ) {}

  /** Serves the files of a commit of the container repo (REST contents and GraphQL blobs) at its SHA. */
  async serveCommit(sha: string): Promise<void> {
    const dir = this.repos.dir(this.repo)!;
    const paths = (await git(dir, "ls-tree", "-r", "--name-only", sha)).split("\n").filter(Boolean);
    const files: Record<string, string> = {};
    for (const p of paths) files[p] = (await this.repos.show(this.repo, sha, p)) ?? "";
    this.github.repoFiles(this.repo, files, { ref: sha });
  }

  async tree(sha: string): Promise<string> {
    return (await git(this.repos.dir(this.repo)!, "rev-parse", `${sha}^{tree}`)).trim();
  }

  serve(policy: string): this {
    const g = this.github;
    g.repoFiles(`${this.repo.split("/")[0]}/.github`, { ".github/flibs.yml": policy });
    g.acceptCheckRuns().listCheckRuns();
    g.on("GET /app", () => ({ status: 200, body: { id: this.app.id, slug: this.app.slug, name: this.app.slug, owner: { login: "my-org" } } }));
    g.on("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (req) => {
      const role = this.roles.get(req.params.username!) ?? "read";
      return { status: 200, body: { permission: role === "maintain" ? "write" : role === "triage" ? "read" : role, role_name: role, user: { login: req.params.username } } };
    });
    g.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", (req) => {
      const p = this.pulls.find((x) => x.number === Number(req.params.pull_number));
      if (!p) return notFound();
      return {
        status: 200,
        body: {
          number: p.number,
          state: p.state,
          merged: p.merged !== undefined,
          merge_commit_sha: p.merged?.sha ?? null,
          user: { login: p.author },
          head: { sha: p.head, ref: p.headRef, repo: { full_name: this.repo } },
          base: { ref: "main", repo: { full_name: this.repo, default_branch: "main" } },
        },
      };
    });
    g.on("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (req) => ({
      status: 200,
      body: this.pulls
        .filter((p) => p.head === req.params.commit_sha || p.merged?.sha === req.params.commit_sha)
        .map((p) => ({ number: p.number, head: { sha: p.head, ref: p.headRef }, merged_at: p.merged ? "2026-12-05T10:00:00Z" : null, merge_commit_sha: p.merged?.sha ?? null })),
    }));
    g.on("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", async (req) => {
      const sha = req.params.commit_sha!;
      try {
        return { status: 200, body: { sha, tree: { sha: await this.tree(sha) } } };
      } catch {
        return notFound();
      }
    });
    g.on("GET /repos/{owner}/{repo}/commits/{ref}", async (req) => {
      const sha = await this.repos.resolveCommit(this.repo, req.params.ref!.replace(/^(tags|heads)\//, ""));
      return sha ? { status: 200, body: { sha, commit: { tree: { sha: await this.tree(sha) } } } } : notFound();
    });
    // GitHub answers 201 for a new reaction and 200 for one this App already left on the comment.
    g.on("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (req) => {
      const content = (req.body as { content: string }).content;
      const key = `${req.params.comment_id}:${content}`;
      const seen = this.reacted.has(key);
      this.reacted.add(key);
      return { status: seen ? 200 : 201, body: { id: 1, content } };
    });
    g.on("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (req) => {
      this.comments.push({ issue: Number(req.params.issue_number), body: (req.body as { body: string }).body });
      return { status: 201, body: { id: this.comments.length, body: (req.body as { body: string }).body } };
    });
    g.on("POST /repos/{owner}/{repo}/deployments", (req: GitHubRequest) => {
      const d = { id: this.nextDeployment++, body: req.body, statuses: [] as any[] };
      this.deployments.push(d);
      return { status: 201, body: { id: d.id, ...(req.body as object) } };
    });
    g.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (req) => {
      const d = this.deployments.find((x) => x.id === Number(req.params.deployment_id));
      if (!d) return notFound();
      d.statuses.push(req.body);
      return { status: 201, body: { id: d.statuses.length, ...(req.body as object) } };
    });
    return this;
  }

  checks(sha: string, name?: string) {
    return this.github.checkRuns.filter((c) => c.head_sha === sha && c.repo === this.repo.toLowerCase() && (!name || c.name === name) && c.app_id === this.app.id);
  }
}
