/**
 * Reliability, fuzzing: 10,000 generated cases per target (Dockerfiles, container.yaml, org policy, PR comment
 * bodies) through the core's entry points (review, parseContainerConfig, parsePolicy(Text), parseComment and
 * authorize). The guarantee: no throw escapes the core, and what comes back is a typed value (findings with a
 * known rule, a severity and a position inside the file; or a typed config error; known commands only).
 * A finding of rule `internal` counts as lost too: it means a rule or parser threw and the engine's safety
 * net caught it. The seed is fixed (FUZZ_SEED overrides it); fast-check prints seed and path on a failure.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  authorize,
  COMMAND_NAMES,
  parseComment,
  requiredPermission,
  type Command,
  type ParsedComment,
} from "../../src/core/commands/index.js";
import {
  containerConfigSchema,
  DEFAULT_POLICY,
  explainNoArches,
  parseContainerConfig,
  parsePolicy,
  parsePolicyText,
  plannedArches,
  policySchema,
  runnerLabels,
  type Permission,
  type Policy,
} from "../../src/core/config/index.js";
import type { ParsedConfig } from "../../src/core/config/yaml-source.js";
import type { Finding } from "../../src/core/findings.js";
import { hasAtLeast } from "../../src/core/permissions.js";
import { ARCHES, isArch, type Arch } from "../../src/core/platform.js";
import { dockerfilePath, review, RULES, type ReviewResult } from "../../src/core/review/index.js";
import {
  randomComment,
  randomDockerfile,
  randomYaml,
  policyValue,
  structuredComment,
  structuredContainerYaml,
  structuredDockerfile,
  structuredPolicyYaml,
  yamlBomb,
  type CommentItem,
} from "./fuzz-arbitraries.js";
import { record } from "./ledger.js";

const RUNS = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
const TIMEOUT = 120_000;
/** A case slower than this counts as lost: input must not stall the App (the machine running CI is shared). */
const SLOW_CASE_MS = 3_000;

/** Runs a property RUNS times, records tried/held/lost in the ledger, and fails the test on the first lost case. */
function fuzz<T>(what: string, arb: fc.Arbitrary<T>, check: (value: T) => void): void {
  let tried = 0;
  let lost = 0;
  const property = fc.property(arb, (value) => {
    tried++;
    try {
      const started = performance.now();
      check(value);
      const ms = performance.now() - started;
      if (ms > SLOW_CASE_MS) fail(`one case took ${ms.toFixed(0)} ms`, value);
    } catch (e) {
      lost++;
      throw e;
    }
  });
  try {
    // On a failure fast-check's report names the seed, the path and the counterexample.
    fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });
  } finally {
    record({ area: "fuzzing", what, tried, held: tried - lost, lost });
  }
  expect(lost).toBe(0);
  expect(tried).toBe(RUNS);
}

function fail(message: string, value: unknown): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}

const RULE_IDS = new Set(RULES.map((r) => r.id));
const SEVERITIES = new Set(["error", "warning", "info"]);

/** Lines as git and GitHub count them. */
const linesOf = (text: string) => text.split(/\r?\n/);

/** A finding is typed and points inside the file it names (line within the file, column within the line + 1). */
function checkFinding(f: Finding, files: Record<string, string | undefined>): void {
  if (typeof f.rule !== "string" || !RULE_IDS.has(f.rule)) fail("finding with an unknown rule", f);
  if (f.rule === "internal") fail("a rule or parser threw (caught as an internal finding)", f);
  if (!SEVERITIES.has(f.severity)) fail("finding with no severity", f);
  if (typeof f.message !== "string" || f.message.trim() === "") fail("finding with no message", f);
  if (!(f.file in files)) fail("finding on a file that was not reviewed", f);
  if (!Number.isInteger(f.line) || f.line < 1) fail("finding line is not a positive integer", f);
  if (!Number.isInteger(f.column) || f.column < 1) fail("finding column is not a positive integer", f);
  const text = files[f.file];
  if (text === undefined) return;
  const lines = linesOf(text);
  if (f.line > lines.length) fail(`finding past the file's ${lines.length} lines`, f);
  const width = (lines[f.line - 1] ?? "").length + 1;
  if (f.column > width) fail(`finding column past the end of line ${f.line} (${width - 1} characters)`, f);
  if (f.endLine !== undefined && (!Number.isInteger(f.endLine) || f.endLine < f.line || f.endLine > lines.length))
    fail("finding endLine out of range", f);
  if (f.endColumn !== undefined && (!Number.isInteger(f.endColumn) || f.endColumn < 1)) fail("finding endColumn out of range", f);
}

function checkReview(r: ReviewResult, files: Record<string, string | undefined>): void {
  if (!Array.isArray(r.findings)) fail("review returned no findings array", r);
  for (const f of r.findings) checkFinding(f, files);
  const { errors, warnings, infos } = r.summary;
  if (errors + warnings + infos !== r.findings.length) fail("summary counts do not add up", r.summary);
  if (errors !== r.findings.filter((f) => f.severity === "error").length) fail("summary error count is wrong", r.summary);
}

function checkParsed(
  parsed: ParsedConfig<unknown>,
  file: string,
  text: string,
  schema: { safeParse(v: unknown): { success: boolean } },
): void {
  if (parsed.ok) {
    if (parsed.findings.length !== 0) fail("a valid config came with findings", parsed.findings);
    if (!schema.safeParse(parsed.value).success) fail("a valid config does not satisfy its own schema", parsed.value);
    return;
  }
  if (parsed.findings.length === 0) fail("an invalid config came with no finding", parsed);
  for (const f of parsed.findings) {
    if (f.rule !== "config-syntax" && f.rule !== "config-schema") fail("config finding of another rule", f);
    if (f.severity !== "error") fail("config finding is not an error", f);
    checkFinding(f, { [file]: text });
  }
}

/** A Dockerfile that passes every default rule. */
const GOOD_DOCKERFILE = [
  "FROM registry.fedoraproject.org/fedora:41",
  'LABEL com.redhat.component="demo" name="demo" version="1" summary="A demo" maintainer="Jane <jane@example.com>"',
  "RUN dnf install -y httpd && dnf clean all",
  "USER 1001",
  "",
].join("\n");

/** The least a review reads besides container.yaml (these cases are about the YAML). */
const SHORT_DOCKERFILE = "FROM registry.fedoraproject.org/fedora:41\n";

/** One that trips most rules, for running the rules under generated policies. */
const BUSY_DOCKERFILE = [
  "ARG BASE=docker.io/library/fedora",
  "FROM ${BASE} AS build",
  "# flibs-ignore base-image-tag pinned by the build arg",
  "FROM quay.io/fedora/fedora",
  "MAINTAINER someone",
  "LABEL name=x",
  "ADD https://example.com/a.tar.gz /tmp/",
  "ADD app.tar.gz /app/",
  "RUN curl -fsSL https://example.com/i.sh | sh && dnf install httpd \\",
  "    && rpm --nogpgcheck -i x.rpm && dnf config-manager --add-repo https://x/y.repo",
  "USER root",
  "",
].join("\n");

const POLICIES: Policy[] = [
  DEFAULT_POLICY,
  policySchema.parse({ rules: Object.fromEntries(RULES.map((r) => [r.id, "info"])) }),
  policySchema.parse({
    approved_base_registries: ["docker.io", "quay.io/"],
    required_labels: ["name"],
    rules: { "user-missing": "off", "dockerfile-parse": "warning" },
  }),
];
const policyChoice = fc.constantFrom(...POLICIES);
const PERMISSIONS: Array<Permission | "none"> = ["none", "read", "triage", "write", "maintain", "admin"];

const buildArgsYaml = fc
  .dictionary(
    fc.constantFrom("BASE", "TAG", "U", "X", "VERSION"),
    fc.constantFrom("registry.fedoraproject.org/fedora", "41", "root", "1001", "$X", "${BASE}", "", "a b"),
    { maxKeys: 4 },
  )
  .map((args) => `build_args: ${JSON.stringify(args)}\n`);

describe("fuzzing (10,000 cases per target)", () => {
  test(
    "Dockerfile, random text -> review: no throw, typed findings inside the file",
    () => {
      fuzz("Dockerfile random text -> review", fc.tuple(randomDockerfile, policyChoice), ([text, policy]) => {
        checkReview(review({ dockerfile: { path: "Dockerfile", text }, policy }), { Dockerfile: text });
      });
    },
    TIMEOUT,
  );

  test(
    "Dockerfile, structured (continuations, heredocs, escapes, ignores, BOM, CRLF, long lines) -> review",
    () => {
      const arb = fc.tuple(structuredDockerfile, policyChoice, fc.option(buildArgsYaml, { nil: undefined }));
      fuzz("Dockerfile structured -> review", arb, ([df, policy, yaml]) => {
        const r = review({
          dockerfile: { path: "build/Dockerfile", text: df.text },
          policy,
          ...(yaml === undefined ? {} : { containerYaml: { path: "container.yaml", text: yaml } }),
        });
        checkReview(r, { "build/Dockerfile": df.text, "container.yaml": yaml });
      });
    },
    TIMEOUT,
  );

  const checkContainerYaml = (text: string) => {
    const parsed = parseContainerConfig(text);
    checkParsed(parsed, "container.yaml", text, containerConfigSchema);
    if (parsed.ok) {
      for (const policy of POLICIES) {
        const arches = plannedArches(parsed.value, policy);
        if (!arches.every((a) => policy.arches.includes(a))) fail("planned an arch the policy does not build", arches);
        const why = explainNoArches(parsed.value, policy);
        if ((arches.length === 0) !== (why !== undefined)) fail("explainNoArches disagrees with plannedArches", { arches, why });
      }
      const path = dockerfilePath(text);
      if (typeof path !== "string" || path === "" || path.startsWith("./")) fail("dockerfilePath returned no usable path", path);
    }
    const r = review({ dockerfile: { path: "Dockerfile", text: SHORT_DOCKERFILE }, containerYaml: { path: "container.yaml", text } });
    checkReview(r, { Dockerfile: SHORT_DOCKERFILE, "container.yaml": text });
    if (parsed.ok !== (r.config !== undefined)) fail("review's config disagrees with parseContainerConfig", { ok: parsed.ok });
    if (!parsed.ok && !r.findings.some((f) => f.file === "container.yaml" && f.severity === "error")) {
      fail("an invalid container.yaml got through the review with no error on it", r.findings);
    }
  };

  test(
    "container.yaml, random text -> parseContainerConfig and review",
    () => {
      fuzz("container.yaml random text -> config parse", randomYaml, checkContainerYaml);
    },
    TIMEOUT,
  );

  test(
    "container.yaml, structured near-valid (wrong types, duplicates, anchors, tags, huge numbers) -> parse and review",
    () => {
      fuzz("container.yaml structured -> config parse", structuredContainerYaml, checkContainerYaml);
    },
    TIMEOUT,
  );

  const checkPolicy = (policy: Policy) => {
    if (!policySchema.safeParse(policy).success) fail("an accepted policy does not satisfy its schema", policy);
    const r = review({ dockerfile: { path: "Dockerfile", text: BUSY_DOCKERFILE }, policy });
    checkReview(r, { Dockerfile: BUSY_DOCKERFILE });
    for (const f of r.findings) if (policy.rules[f.rule] === "off") fail("a rule the policy turns off reported", f);
    const arches = plannedArches(containerConfigSchema.parse({}), policy);
    if (arches.length === 0 || !arches.every((a) => policy.arches.includes(a))) fail("default config plans no arch of the policy", arches);
    for (const a of ARCHES) {
      const labels = runnerLabels(policy, a);
      if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === "string" && l !== ""))
        fail("runner labels", labels);
    }
    for (const name of COMMAND_NAMES) {
      const command = name === "build" ? { name, scratch: false } : name === "retest" ? { name, arches: [] } : { name };
      for (const p of PERMISSIONS) checkAuthorization(command as Command, p, policy);
    }
  };

  test(
    "org policy, random text -> parsePolicyText",
    () => {
      fuzz("policy random text -> policy parse", randomYaml, (text) => {
        const parsed = parsePolicyText(text);
        checkParsed(parsed, ".github/flibs.yml", text, policySchema);
        if (parsed.ok) checkPolicy(parsed.value);
      });
    },
    TIMEOUT,
  );

  test(
    "org policy, structured near-valid YAML -> parsePolicyText, then review/plan/authorize under it",
    () => {
      fuzz("policy structured text -> policy parse", structuredPolicyYaml, (text) => {
        const parsed = parsePolicyText(text);
        checkParsed(parsed, ".github/flibs.yml", text, policySchema);
        if (parsed.ok) checkPolicy(parsed.value);
      });
    },
    TIMEOUT,
  );

  test(
    "org policy, values as the config loader hands them over -> parsePolicy",
    () => {
      fuzz("policy values -> parsePolicy", policyValue, (value) => {
        const parsed = parsePolicy(value);
        if (parsed.ok) checkPolicy(parsed.value);
        else if (typeof parsed.message !== "string" || parsed.message === "") fail("a rejected policy has no message", parsed);
      });
    },
    TIMEOUT,
  );

  test(
    "PR comment, random text -> parseComment + authorize: known commands only",
    () => {
      fuzz(
        "comment random text -> parseComment + authorize",
        fc.tuple(randomComment, fc.constantFrom(...PERMISSIONS), policyChoice),
        ([body, permission, policy]) => {
          const parsed = parseComment(body);
          checkComment(parsed);
          for (const c of parsed.commands) checkAuthorization(c, permission, policy);
        },
      );
    },
    TIMEOUT,
  );

  test(
    "PR comment, structured (commands, arguments, fences, quotes, CR/CRLF) -> exactly the commands outside code, unknown ones reported",
    () => {
      fuzz(
        "comment structured -> parseComment + authorize",
        fc.tuple(structuredComment, fc.constantFrom(...PERMISSIONS), policyChoice),
        ([comment, permission, policy]) => {
          const parsed = parseComment(comment.body);
          checkComment(parsed);
          const expected = expectedCommands(comment.items);
          expect(parsed.commands).toEqual(expected.commands);
          if (parsed.problems.length !== expected.problems.length)
            fail("problems reported", { got: parsed.problems, expected: expected.problems });
          expected.problems.forEach((p, i) => {
            if (p.unknown && p.word.length < 40 && !parsed.problems[i]?.includes(`/${p.word}`))
              fail("an unknown command not named in its problem", { got: parsed.problems[i], word: p.word });
          });
          for (const c of parsed.commands) checkAuthorization(c, permission, policy);
        },
      );
    },
    TIMEOUT,
  );

  test(
    "YAML at the 8 KiB limit in the shapes the parser is slowest on: each parses to a finding or a value within 2 s, even on a loaded machine",
    () => {
      const N = 8 * 1024;
      const fill = (unit: string, head = "") => head + unit.repeat(Math.floor((N - head.length) / unit.length));
      const shapes: Record<string, string> = {
        "nested flow maps": fill("{a: "),
        "nested flow sequences": fill("["),
        "compact block sequences": fill("- ", "x:\n"),
        "explicit keys": fill("? "),
        "value indicators": fill(": "),
        "stray closing brackets": fill("]"),
        "stray closing braces": fill("}"),
        "empty flow items": fill(",", "["),
        "tags on one node": fill("!a "),
        "anchors on one node": fill("&a "),
        "unresolved aliases": fill("*a "),
        "duplicate keys": fill("k: v\n"),
        "unknown keys": Array.from({ length: 1200 }, (_, i) => `k${i}: v`)
          .join("\n")
          .slice(0, N),
        anchors: Array.from({ length: 1000 }, (_, i) => `a${i}: &a${i} x`)
          .join("\n")
          .slice(0, N),
        aliases: fill("*a\n", "a: &a x\nb:\n"),
        "long flow sequence": `x: [${fill("a, ").slice(6)}]`,
        "deep block nesting": `x:\n${Array.from({ length: 90 }, (_, i) => `${" ".repeat(i * 2)}- `).join("\n")}`.slice(0, N),
        "one byte too many": `image: ${"a".repeat(N)}`,
      };
      let held = 0;
      const slow: string[] = [];
      for (const [shape, text] of Object.entries(shapes)) {
        const started = performance.now();
        const results = [parseContainerConfig(text), parsePolicyText(text)];
        const ms = (performance.now() - started) / 2;
        results.forEach((r, i) =>
          checkParsed(r, i === 0 ? "container.yaml" : ".github/flibs.yml", text, i === 0 ? containerConfigSchema : policySchema),
        );
        if (ms < 2_000) held++;
        else slow.push(`${shape}: ${ms.toFixed(0)} ms`);
      }
      const tried = Object.keys(shapes).length;
      record({ area: "fuzzing", what: "YAML parser worst cases at the size limit, < 2 s each", tried, held, lost: tried - held });
      expect(slow).toEqual([]);
    },
    TIMEOUT,
  );

  test("the counterexamples fuzzing found stay fixed", () => {
    const cases: Array<[string, () => void]> = [
      [
        "lone CR in a Dockerfile is whitespace, not a line break",
        () => {
          const text = "FROM fedora\rRUN\rfoo\nUSER root\n";
          const r = review({ dockerfile: { path: "Dockerfile", text } });
          checkReview(r, { Dockerfile: text });
          expect(r.findings.filter((f) => f.message.includes("has no arguments"))).toEqual([]);
        },
      ],
      [
        "FROM continued onto the next line points at the image",
        () => {
          const text = "FROM \\\n    --platform=x quay.io/fedora/fedora to x\n";
          const r = review({ dockerfile: { path: "Dockerfile", text } });
          checkReview(r, { Dockerfile: text });
          expect(r.findings.find((f) => f.message.startsWith("FROM takes"))).toMatchObject({ line: 2, column: 5 });
        },
      ],
      [
        "an alias to no anchor is a finding, not a throw",
        () => {
          const r = parseContainerConfig("x: *nope");
          expect(r.ok).toBe(false);
          expect(r.findings[0]).toMatchObject({ rule: "config-syntax", line: 1, column: 4 });
        },
      ],
      [
        "YAML errors after a double BOM stay on their lines",
        () => {
          const text = '\uFEFF\uFEFF{\n  image: x,\n  dockerfile: "",\n  platforms: { only: [ arm ] },\n}\n';
          checkParsed(parseContainerConfig(text), "container.yaml", text, containerConfigSchema);
        },
      ],
      [
        "an oversized CRLF file is refused on a real column",
        () => {
          const text = "image: x\r\n".repeat(1000);
          checkParsed(parseContainerConfig(text), "container.yaml", text, containerConfigSchema);
        },
      ],
      [
        "a ``` line inside a ~~~ block does not close it",
        () => {
          expect(parseComment("~~~\n```\n/cancel\n~~~\n/help").commands).toEqual([{ name: "help" }]);
        },
      ],
      [
        "a lone CR ends a comment line",
        () => {
          expect(parseComment("thanks\r/retest s390x").commands).toEqual([{ name: "retest", arches: ["s390x"] }]);
        },
      ],
    ];
    const lost: string[] = [];
    for (const [name, run] of cases) {
      try {
        run();
      } catch (e) {
        lost.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    record({
      area: "fuzzing",
      what: "regressions: counterexamples found by fuzzing",
      tried: cases.length,
      held: cases.length - lost.length,
      lost: lost.length,
    });
    expect(lost).toEqual([]);
  });

  test("YAML bomb (billion laughs) in container.yaml and the policy: finishes fast, with a finding", () => {
    for (const [what, key, parse] of [
      ["container.yaml", "build_args", (t: string) => parseContainerConfig(t)],
      ["policy", "rules", (t: string) => parsePolicyText(t)],
    ] as const) {
      const bomb = yamlBomb(9, 9, key);
      const heap = process.memoryUsage().heapUsed;
      const started = performance.now();
      let parsed: ParsedConfig<unknown> | undefined;
      let threw: unknown;
      try {
        parsed = parse(bomb);
      } catch (e) {
        threw = e;
      }
      const r = review({
        dockerfile: { path: "Dockerfile", text: GOOD_DOCKERFILE },
        containerYaml: { path: "container.yaml", text: bomb },
      });
      const ms = performance.now() - started;
      const grown = process.memoryUsage().heapUsed - heap;
      const held =
        threw === undefined &&
        parsed !== undefined &&
        !parsed.ok &&
        parsed.findings.some((f) => f.rule === "config-syntax" && /alias/i.test(f.message)) &&
        r.findings.some((f) => f.file === "container.yaml" && f.rule === "config-syntax") &&
        !r.findings.some((f) => f.rule === "internal") &&
        ms < 2_000 &&
        grown < 200 * 1024 * 1024;
      record({ area: "fuzzing", what: `YAML bomb (9^9 aliases) in ${what}`, tried: 1, held: held ? 1 : 0, lost: held ? 0 : 1 });
      expect(threw).toBeUndefined();
      expect(parsed?.ok).toBe(false);
      expect(parsed?.findings.map((f) => f.rule)).toContain("config-syntax");
      expect(r.findings.filter((f) => f.file === "container.yaml").map((f) => f.rule)).toContain("config-syntax");
      expect(r.findings.map((f) => f.rule)).not.toContain("internal");
      expect(ms).toBeLessThan(2_000);
      expect(grown).toBeLessThan(200 * 1024 * 1024);
    }
  });
});

function checkComment(parsed: ParsedComment): void {
  if (!Array.isArray(parsed.commands) || !Array.isArray(parsed.problems)) fail("parseComment returned no arrays", parsed);
  if (parsed.commands.length > 10) fail("more than 10 commands", parsed.commands.length);
  for (const c of parsed.commands) {
    if (!COMMAND_NAMES.includes(c.name)) fail("unknown command parsed", c);
    if (c.name === "build" && typeof c.scratch !== "boolean") fail("build without scratch flag", c);
    if (c.name === "retest" && (!c.arches.every(isArch) || new Set(c.arches).size !== c.arches.length)) fail("retest with bad arches", c);
    if (Object.keys(c).some((k) => !["name", "scratch", "arches"].includes(k))) fail("command with extra fields", c);
  }
  for (const p of parsed.problems) {
    if (typeof p !== "string" || p === "") fail("problem is not a message", p);
    if (/[\r\n]/.test(p)) fail("problem message spans lines (markdown it is echoed into would break)", p);
  }
}

function checkAuthorization(command: Command, permission: Permission | "none", policy: Policy): void {
  const auth = authorize(command, "octocat", permission, policy);
  const needed = requiredPermission(command, policy);
  const shouldAllow = needed === undefined || hasAtLeast(permission, needed);
  if (auth.allowed !== shouldAllow) fail("authorize disagrees with the permission order", { command, permission, needed, auth });
  if (!auth.allowed && (typeof auth.reason !== "string" || !auth.reason.includes(`/${command.name}`)))
    fail("a refusal without a reason naming the command", auth);
}

/** What a CommonMark reader expects from the generated comment: commands on lines outside code, in order. */
function expectedCommands(items: CommentItem[]): { commands: Command[]; problems: Array<{ word: string; unknown: boolean }> } {
  const commands: Command[] = [];
  const problems: Array<{ word: string; unknown: boolean }> = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.kind !== "command") continue;
    const word = item.word.toLowerCase();
    const args = item.args;
    let c: Command | undefined;
    let unknown = false;
    if (word === "build") c = args.every((a) => a === "--scratch") ? { name: "build", scratch: args.length > 0 } : undefined;
    else if (word === "retest") c = args.every(isArch) ? { name: "retest", arches: [...new Set(args)] as Arch[] } : undefined;
    else if (["ok-to-test", "cancel", "promote", "help"].includes(word)) c = args.length === 0 ? ({ name: word } as Command) : undefined;
    else unknown = true;
    if (!c) {
      problems.push({ word, unknown });
      continue;
    }
    const key = JSON.stringify(c);
    if (seen.has(key)) continue;
    if (commands.length >= 10) {
      problems.push({ word: "", unknown: false });
      break;
    }
    seen.add(key);
    commands.push(c);
  }
  return { commands, problems };
}
