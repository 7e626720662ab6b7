/**
 * Reliability, "untrusted code": over a generated matrix of (PR author association, author permission, fork or
 * same-repo, comment command, commenter permission, when the command comes relative to a push) the App never
 * dispatches a build the gate forbids. The expected verdict is computed here, independently of src/, from the
 * rule in DESIGN.md ("Gate" and "Trust"):
 *
 *   - a same-repository PR is trusted (its branch could only be pushed by someone with write access);
 *   - a fork PR is trusted when its author has write access or more (from the collaborator permission API,
 *     never from `author_association`, which the matrix sets to every value, lies included);
 *   - otherwise a head SHA may be built only when someone with write access asked for exactly that head
 *     (`/ok-to-test`, `/build`, `/retest` while it was the head); a push after that needs a new approval.
 *
 * A dispatch of the build workflow for a SHA the rule does not allow is "lost" (a forbidden dispatch). A build
 * the rule allows and the App's documented behaviour starts, which did not dispatch, is counted separately
 * ("allowed build missing"). One App and one fake GitHub serve every case of a test: each case has its own
 * repository and installation, so cases cannot see each other's check runs.
 */
import { beforeEach, describe, expect, test } from "vitest";
import type { ApplicationFunction } from "probot";
import { createTestApp, examplePayload, type TestApp } from "../helpers/github.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";
import { record } from "./ledger.js";

const AREA = "untrusted code";
const OWNER = "my-org";
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const POLICY =
  "arches: [x86_64, aarch64]\nregistries:\n  candidate: registry.example.com/candidates\n  stable: registry.example.com/stable\n";
const DOCKERFILE =
  'FROM registry.fedoraproject.org/fedora:41\nLABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"\nUSER 1001\n';
const PR = 17;

const ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE"] as const;
const PERMISSIONS = ["admin", "maintain", "write", "triage", "read", "none"] as const;
type Perm = (typeof PERMISSIONS)[number];
/** The comment commands, and "Re-run" on `flibs/build (aarch64)` in the checks UI (`check_run.rerequested`, which is `/retest aarch64`). */
const RERUN = "Re-run flibs/build (aarch64)";
const COMMANDS = ["/ok-to-test", "/build", "/retest", "/retest aarch64", "/build --scratch", "/promote", RERUN] as const;
type CommandText = (typeof COMMANDS)[number];
/**
 * Who comments: the PR's author themself, or someone with maintain (enough for /promote), write (the least that
 * may build), triage (just below) or no access at all (GitHub's 404). admin and read behave as maintain and triage.
 */
const COMMENTERS = ["self", "maintain", "write", "triage", "none"] as const;
/** Same-repo PRs are trusted whoever opened them; three author permissions show it does not depend on that. */
const SAME_REPO_AUTHORS: readonly Perm[] = ["write", "read", "none"];
type Commenter = (typeof COMMENTERS)[number];
/**
 * When the command comes: `none` (no comment), `at-head` (on the opened head), `after-push` (the author pushed a
 * new SHA first; the command is for that one), `then-push` (the command, then the author pushes a new SHA).
 */
type Timing = "none" | "at-head" | "after-push" | "then-push";

interface Case {
  n: number;
  association: (typeof ASSOCIATIONS)[number];
  commenterAssociation: (typeof ASSOCIATIONS)[number];
  author: Perm;
  fork: boolean;
  timing: Timing;
  command?: CommandText;
  commenter?: Commenter;
}

const RANK: Record<Perm, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
const atLeast = (p: Perm, needed: Perm) => RANK[p] >= RANK[needed];

// ---- the rule, written independently of src/ ----------------------------------------------------------

type Step = { kind: "open"; sha: string } | { kind: "push"; sha: string } | { kind: "comment"; body: CommandText; by: Perm };

/** The SHAs the rule allows to reach a runner, and how many build dispatches the App's documented behaviour makes per SHA. */
function expected(c: Case, steps: Step[]): { allowed: Set<string>; dispatches: Map<string, number> } {
  const trusted = !c.fork || atLeast(c.author, "write");
  const allowed = new Set<string>();
  const dispatches = new Map<string, number>();
  const add = (sha: string) => dispatches.set(sha, (dispatches.get(sha) ?? 0) + 1);
  let head = "";
  for (const s of steps) {
    if (s.kind !== "comment") {
      head = s.sha;
      if (trusted) {
        allowed.add(head);
        add(head);
      }
      continue;
    }
    if (s.body === "/promote") continue; // never a build: the PR is open, so the promotion is refused either way
    if (!atLeast(s.by, "write")) continue; // refused: a build command needs write access
    allowed.add(head); // a writer asked for exactly this head
    const built = (dispatches.get(head) ?? 0) > 0;
    if (s.body === "/ok-to-test" && built) continue; // already building: +1, nothing started twice
    if ((s.body.startsWith("/retest") || s.body === RERUN) && !built) continue; // nothing to retest yet: a reply
    add(head);
  }
  return { allowed, dispatches };
}

// ---- GitHub, one world for every case ----------------------------------------------------------------

// No runner is online: a dispatched build stays queued (what matters here is whether it was dispatched at all).
const world = useWorld({ runners: [] });
failOnUnhandledRejections();
let app: TestApp;

beforeEach(async () => {
  world.policy(POLICY);
  app = await createTestApp();
});

/** A pool of installations (each case its own repository): tokens are cached per installation, as in production. */
const installationOf = (c: Case) => 10_000 + (c.n % 16);
const sha = (n: number, k: number) => `${k.toString(16)}${n.toString(16).padStart(7, "0")}`.padEnd(40, "c");

function prEvent(c: Case, repo: string, action: "opened" | "synchronize", head: string) {
  return examplePayload("pull_request", action, {
    repo,
    headSha: head,
    installationId: installationOf(c),
    sender: "author",
    ...(c.fork ? { fork: "outsider/fork" } : {}),
    edit: (p) => {
      p.repository.default_branch = "main";
      p.number = PR;
      p.pull_request.number = PR;
      p.pull_request.author_association = c.association;
    },
  });
}

let commentId = 1;
function commentEvent(c: Case, repo: string, body: string, by: string) {
  return examplePayload("issue_comment", "created", {
    repo,
    installationId: installationOf(c),
    sender: by,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.issue.number = PR;
      p.issue.author_association = c.association;
      p.issue.pull_request = {
        url: `https://api.github.com/repos/${repo}/pulls/${PR}`,
        html_url: `https://github.com/${repo}/pull/${PR}`,
        diff_url: null,
        patch_url: null,
      };
      p.comment.id = commentId++;
      p.comment.body = body;
      p.comment.author_association = c.commenterAssociation;
      p.comment.user = { ...p.comment.user, login: by, type: "User" };
      p.comment.performed_via_github_app = null;
    },
  });
}

/** "Re-run" clicked on the head's `flibs/build (aarch64)` in the checks UI. */
function rerunEvent(c: Case, repo: string, head: string, by: string) {
  return examplePayload("check_run", "rerequested", {
    repo,
    installationId: installationOf(c),
    headSha: head,
    sender: by,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.check_run.name = "flibs/build (aarch64)";
      p.check_run.pull_requests = [
        {
          number: PR,
          id: 1,
          url: "",
          head: { ref: "feature", sha: head, repo: { id: 1, url: "", name: "fork" } },
          base: { ref: "main", sha: head, repo: { id: 2, url: "", name: repo.split("/")[1] } },
        },
      ];
    },
  });
}

interface Outcome {
  forbidden: string[];
  missing: string[];
}

/** Plays one case against the shared App and compares its build dispatches with the rule. */
async function play(c: Case, target: TestApp = app): Promise<Outcome> {
  const repo = `${OWNER}/u${c.n}`;
  // The repository's caller workflows (what a dispatch starts, each case a copy of the same first commit); the
  // PR's heads are made-up commits whose files are served at any ref.
  await world.repo(repo, {});
  world.files(repo, { Dockerfile: DOCKERFILE, "container.yaml": "image: my-org/hello\n" });
  const pull = world.pull({ repo, number: PR, head: sha(c.n, 1), author: "author", ...(c.fork ? { fork: "outsider/fork" } : {}) });
  world.role("author", c.author === "none" ? "none" : c.author, repo);
  const commenterLogin = c.commenter === "self" ? "author" : `commenter-${c.commenter}`;
  const commenterPerm: Perm = c.commenter === "self" || c.commenter === undefined ? c.author : c.commenter;
  if (c.commenter && c.commenter !== "self") world.role(commenterLogin, c.commenter === "none" ? "none" : c.commenter, repo);

  const steps: Step[] = [{ kind: "open", sha: pull.head }];
  const push = { kind: "push" as const, sha: sha(c.n, 2) };
  const comment = c.command ? { kind: "comment" as const, body: c.command, by: commenterPerm } : undefined;
  if (c.timing === "at-head") steps.push(comment!);
  if (c.timing === "after-push") steps.push(push, comment!);
  if (c.timing === "then-push") steps.push(comment!, push);

  for (const s of steps) {
    if (s.kind === "open") await target.receive("pull_request", prEvent(c, repo, "opened", s.sha));
    else if (s.kind === "push") {
      world.pushTo(PR, s.sha, repo);
      await target.receive("pull_request", prEvent(c, repo, "synchronize", s.sha));
    } else if (s.body === RERUN) await target.receive("check_run", rerunEvent(c, repo, world.pullOf(PR, repo).head, commenterLogin));
    else await target.receive("issue_comment", commentEvent(c, repo, s.body, commenterLogin));
  }

  const want = expected(c, steps);
  const got = new Map<string, number>();
  for (const d of world.github.calls(DISPATCH)) {
    if (`${d.params.owner}/${d.params.repo}` !== repo) continue;
    const body = d.body as { inputs?: { sha?: string } };
    // Only the build workflow runs the PR's code on the build runners.
    if (d.params.workflow_id !== "flibs.yml") continue;
    const s = body.inputs?.sha ?? "";
    got.set(s, (got.get(s) ?? 0) + 1);
  }
  const forbidden = [...got.keys()].filter((s) => !want.allowed.has(s));
  const missing = [...want.dispatches].filter(([s, n]) => (got.get(s) ?? 0) < n).map(([s]) => s);
  // Extra dispatches of an allowed SHA are not a gate breach, but they are not the App's documented behaviour either.
  const extra = [...got].filter(([s, n]) => want.allowed.has(s) && n > (want.dispatches.get(s) ?? 0)).map(([s]) => s);
  return { forbidden, missing: [...missing, ...extra] };
}

function* cases(timings: readonly Timing[], offset: number): Generator<Case> {
  let n = offset;
  for (const fork of [true, false]) {
    for (const author of fork ? PERMISSIONS : SAME_REPO_AUTHORS) {
      for (const timing of timings) {
        if (timing === "none") {
          yield { n, association: ASSOCIATIONS[n % 6]!, commenterAssociation: ASSOCIATIONS[(n + 3) % 6]!, author, fork, timing };
          n++;
          continue;
        }
        for (const command of COMMANDS) {
          for (const commenter of COMMENTERS) {
            // Association rotates over every other factor (it must not matter), and disagrees with the permission often.
            yield {
              n,
              association: ASSOCIATIONS[n % 6]!,
              commenterAssociation: ASSOCIATIONS[(n * 5 + 1) % 6]!,
              author,
              fork,
              timing,
              command,
              commenter,
            };
            n++;
          }
        }
      }
    }
  }
}

const BATCH = 8;

async function runMatrix(what: string, timings: readonly Timing[], offset: number) {
  let tried = 0;
  const lost: Array<{ c: Case; forbidden: string[] }> = [];
  const missing: Array<{ c: Case; shas: string[] }> = [];
  const started = Date.now();
  // Cases run BATCH at a time (distinct repositories, so they cannot interfere; the App serves them concurrently).
  const all = [...cases(timings, offset)];
  for (let i = 0; i < all.length; i += BATCH) {
    await Promise.all(
      all.slice(i, i + BATCH).map(async (c) => {
        tried++;
        const o = await play(c);
        if (o.forbidden.length) lost.push({ c, forbidden: o.forbidden });
        if (o.missing.length) missing.push({ c, shas: o.missing });
      }),
    );
  }
  record({ area: AREA, what: `${what}: no forbidden dispatch`, tried, held: tried - lost.length, lost: lost.length });
  record({ area: AREA, what: `${what}: allowed builds dispatched`, tried, held: tried - missing.length, lost: missing.length });
  console.log(
    `${AREA} / ${what}: ${tried} cases in ${Date.now() - started} ms, ${lost.length} forbidden dispatch(es), ${missing.length} allowed build(s) missing`,
  );
  expect(world.github.problems).toEqual([]);
  expect(lost.slice(0, 5)).toEqual([]);
  expect(lost).toHaveLength(0);
  expect(missing.slice(0, 5)).toEqual([]);
  return tried;
}

describe("untrusted code never reaches a build runner", () => {
  test("opened only, and a command on the opened head", async () => {
    const n = await runMatrix("opened, command on the head", ["none", "at-head"], 0);
    expect(n).toBe((PERMISSIONS.length + SAME_REPO_AUTHORS.length) * (1 + COMMANDS.length * COMMENTERS.length));
  }, 120_000);

  test("a command after a further push (for the new head)", async () => {
    const n = await runMatrix("push, then command", ["after-push"], 100_000);
    expect(n).toBe((PERMISSIONS.length + SAME_REPO_AUTHORS.length) * COMMANDS.length * COMMENTERS.length);
  }, 120_000);

  test("a push after the command needs a new approval", async () => {
    const n = await runMatrix("command, then push", ["then-push"], 200_000);
    expect(n).toBe((PERMISSIONS.length + SAME_REPO_AUTHORS.length) * COMMANDS.length * COMMENTERS.length);
  }, 120_000);

  test("the harness sees a breach: an App that dispatches every PR head is caught on every untrusted case", async () => {
    const leaky: ApplicationFunction = (probot) => {
      probot.on("pull_request", async (context) => {
        const { owner, repo } = context.repo();
        const sha = context.payload.pull_request.head.sha;
        await context.octokit.request(DISPATCH, {
          owner,
          repo,
          workflow_id: "flibs.yml",
          ref: "main",
          inputs: { sha, arches: '["x86_64"]', build_id: `${sha}.1`, policy: "{}" },
        });
      });
    };
    const broken = await createTestApp({ appFn: leaky });
    const sample = [...cases(["none", "then-push"], 300_000)].filter(
      (c) => c.fork && !atLeast(c.author, "write") && (c.timing === "none" || c.command === "/ok-to-test"),
    );
    let caught = 0;
    for (const c of sample) if ((await play(c, broken)).forbidden.length > 0) caught++;
    expect(sample.length).toBe(18);
    expect(caught).toBe(sample.length);
  }, 120_000);

  test("the rule itself: a fork by a reader waits, /ok-to-test by a writer allows that head only", () => {
    const c: Case = {
      n: 0,
      association: "OWNER",
      commenterAssociation: "NONE",
      author: "read",
      fork: true,
      timing: "then-push",
      command: "/ok-to-test",
      commenter: "write",
    };
    const e = expected(c, [
      { kind: "open", sha: "a" },
      { kind: "comment", body: "/ok-to-test", by: "write" },
      { kind: "push", sha: "b" },
    ]);
    expect([...e.allowed]).toEqual(["a"]);
    expect(Object.fromEntries(e.dispatches)).toEqual({ a: 1 });
    const triage = expected({ ...c, commenter: "triage" }, [
      { kind: "open", sha: "a" },
      { kind: "comment", body: "/build", by: "triage" },
    ]);
    expect(triage.allowed.size).toBe(0);
    const sameRepo = expected({ ...c, fork: false }, [
      { kind: "open", sha: "a" },
      { kind: "push", sha: "b" },
    ]);
    expect([...sameRepo.allowed]).toEqual(["a", "b"]);
  });
});
