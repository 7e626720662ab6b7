/**
 * fast-check arbitraries for the fuzzing part of the reliability suite: Dockerfiles, container.yaml, the
 * organisation policy and PR comment bodies, each as random text and as structured, near-valid input that
 * reaches deeper into the parsers (continuations, heredocs, escape directives, anchors, duplicates, fences).
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { ARCHES } from "../../src/core/platform.js";

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** Text that is any mix of code points (lone surrogates included), or of characters the parsers treat specially. */
export function noisyText(special: string[], maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
    fc.string({ unit: fc.constantFrom(...special), maxLength }),
    fc
      .array(fc.oneof(fc.constantFrom(...special), fc.string({ unit: "grapheme-ascii", maxLength: 6 })), { maxLength })
      .map((a) => a.join("")),
  );
}

// ---------------------------------------------------------------------------------------------- Dockerfiles

const DOCKERFILE_CHARS = [
  "F",
  "R",
  "O",
  "M",
  "U",
  "N",
  "L",
  "A",
  "B",
  "E",
  "C",
  "P",
  "Y",
  "S",
  "D",
  "T",
  "G",
  "V",
  "a",
  "r",
  "x",
  "1",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "\\",
  "`",
  "#",
  "$",
  "{",
  "}",
  ":",
  "-",
  "+",
  "<",
  "<<",
  "=",
  '"',
  "'",
  "[",
  "]",
  ",",
  "/",
  "@",
  "|",
  "&",
  ";",
  "\uFEFF",
  "é",
  "\u00a0",
  "\u2028",
  "😀",
  "\u0000",
  "FROM ",
  "RUN ",
  "LABEL ",
  "USER ",
  "ARG ",
  "ENV ",
  "COPY ",
  "ADD ",
  "# flibs-ignore ",
  "# escape=",
  "EOF",
  "<<EOF",
  "\\\n",
  "`\n",
];

export const randomDockerfile: fc.Arbitrary<string> = noisyText(DOCKERFILE_CHARS, 300);

const RULE_IDS = [
  "dockerfile-parse",
  "base-image-registry",
  "base-image-tag",
  "required-labels",
  "user-root",
  "user-missing",
  "add-url",
  "add-local-file",
  "maintainer-deprecated",
  "dnf-assume-yes",
  "dnf-clean-all",
  "no-gpgcheck",
  "build-time-repo",
  "curl-pipe-shell",
  "ignore-comment",
  "no-such-rule",
  "internal",
];

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const varName = pick("BASE", "TAG", "U", "X", "VERSION", "a", "_", "A1");
const varRef = fc.oneof(
  varName.map((v) => `$${v}`),
  varName.map((v) => `\${${v}}`),
  fc.tuple(varName, pick(":-", "-", ":+", "+"), fc.string({ maxLength: 8 })).map(([v, op, w]) => `\${${v}${op}${w}}`),
  pick("$", "${", "${}", "\\$BASE", "$$", "${BASE", "$1"),
);
const imageRef = fc.oneof(
  pick(
    "registry.fedoraproject.org/fedora:41",
    "registry.fedoraproject.org/fedora",
    "quay.io/fedora/fedora:rawhide",
    "fedora",
    "fedora:latest",
    "docker.io/library/alpine:3",
    "scratch",
    "localhost:5000/x/y:1",
    "index.docker.io/x",
    "quay.io/fedora/fedora@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Fedora:UPPER",
    "a/b/c/d:e",
    ":tag",
    "@sha256:",
    "0",
    "1",
    "builder",
    "${BASE}:${TAG}",
    "$BASE",
    "registry.fedoraproject.org/$X",
  ),
  fc
    .tuple(
      pick("", "registry.fedoraproject.org/", "quay.io/fedora/", "quay.io/", "ghcr.io/o/", "127.0.0.1:5000/"),
      name,
      pick("", ":41", ":latest", ":${TAG}", "@sha256:abc", ":"),
    )
    .map(([h, n, t]) => `${h}${n}${t}`),
  varRef,
);
const shellWord = pick(
  "dnf",
  "yum",
  "microdnf",
  "install",
  "-y",
  "--assumeyes",
  "clean",
  "all",
  "&&",
  "||",
  "|",
  ";",
  "curl",
  "-fsSL",
  "dnf5",
  "in",
  "up",
  "rei",
  "--releasever",
  "then",
  "do",
  "rm",
  "-rf",
  "/var/cache/libdnf5",
  "https://example.com/x.sh",
  "wget",
  "-O-",
  "sh",
  "bash",
  "-c",
  "rpm",
  "--nogpgcheck",
  "--import",
  "echo",
  "tee",
  "/etc/yum.repos.d/x.repo",
  "dnf config-manager --add-repo https://x/y.repo",
  "$(curl x)",
  "`id`",
  "'quoted value'",
  '"double quoted"',
  "\\",
  "#notacomment",
  "'",
  '"',
  "[",
  "]",
  "{",
  "}",
);
const token: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: shellWord },
  { weight: 2, arbitrary: name },
  { weight: 2, arbitrary: varRef },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 4 }) },
);
const labelKey = pick("com.redhat.component", "name", "version", "summary", "maintainer", "description", "io.k8s.display-name", "a b", "");
const labelValue = fc.oneof(
  name,
  varRef,
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 12 }).map((s) => `'${s}'`),
  pick('"unterminated', "'", "a\\ b", "Jane <jane@example.com>", ""),
);
const flag = pick(
  "--mount=type=cache,target=/var/cache/dnf",
  "--mount=type=tmpfs,dst=/var/cache/libdnf5",
  "--mount=type=",
  "--mount=,,=",
  "--network=none",
  "--from=builder",
  "--chown=1001:0",
  "--platform=$BUILDPLATFORM",
  "--link",
  "--chmod=755",
  "--",
  "--=",
);

export interface DfPiece {
  /** Physical lines; `\\` at a line end stands for the file's escape character. */
  lines: string[];
}

const ESC = "\u0001ESC\u0001";

const tokens = (min: number, max: number) => fc.array(token, { minLength: min, maxLength: max });

/** An instruction's argument tokens, joined by spaces or continuations (with comment and blank lines inside). */
function spread(parts: string[], breaks: Array<0 | 1 | 2 | 3>): string[] {
  const lines: string[] = [];
  let cur = "";
  parts.forEach((p, i) => {
    const b = breaks[i % Math.max(1, breaks.length)] ?? 0;
    if (i > 0 && b > 0) {
      lines.push(`${cur} ${ESC}`);
      if (b === 2) lines.push("# a comment inside the instruction");
      if (b === 3) lines.push("");
      cur = `    ${p}`;
    } else cur = i === 0 ? p : `${cur} ${p}`;
  });
  lines.push(cur);
  return lines;
}

const breaks = fc.array(pick<0 | 1 | 2 | 3>(0, 0, 0, 1, 1, 2, 3), { minLength: 1, maxLength: 6 });
const keywordCase = (k: string) => pick(k, k, k, k.toLowerCase(), k[0] + k.slice(1).toLowerCase());

const instruction: fc.Arbitrary<string[]> = fc.oneof(
  // FROM [flags] image [AS name]
  fc
    .tuple(
      keywordCase("FROM"),
      fc.option(flag, { nil: undefined }),
      imageRef,
      fc.option(fc.tuple(pick("AS", "as", "As", "to"), name), { nil: undefined }),
      breaks,
    )
    .map(([k, f, img, as, br]) => spread([k, ...(f ? [f] : []), img, ...(as ? as : [])], br)),
  // RUN shell form, exec form, heredoc
  fc
    .tuple(
      fc.oneof(
        keywordCase("RUN"),
        keywordCase("RUN").map((k) => `ONBUILD ${k}`),
      ),
      fc.option(flag, { nil: undefined }),
      tokens(0, 12),
      breaks,
    )
    .map(([k, f, t, br]) => spread([k, ...(f ? [f] : []), ...t], br)),
  fc
    .tuple(keywordCase("RUN"), fc.array(fc.oneof(shellWord, fc.string({ maxLength: 6 })), { maxLength: 6 }))
    .map(([k, argv]) => [`${k} ${JSON.stringify(argv)}`]),
  fc.tuple(keywordCase("RUN"), pick("[", '["sh", "-c"', '["a", 1]', "[]", '[""]')).map(([k, a]) => [`${k} ${a}`]),
  fc
    .tuple(
      pick("RUN", "COPY", "ADD"),
      pick("<<EOF", "<<-EOF", '<<"EOF"', "<<EOF bash", "<<EOF /etc/x", "<<A <<B"),
      tokens(0, 4),
      fc.array(tokens(0, 5), { maxLength: 4 }),
      pick("EOF", "\tEOF", "A", "", "NOTEND"),
    )
    .map(([k, h, t, body, end]) => [`${k} ${h} ${t.join(" ")}`, ...body.map((b) => b.join(" ")), ...(end === "" ? [] : [end])]),
  // LABEL k=v ..., MAINTAINER
  fc
    .tuple(keywordCase("LABEL"), fc.array(fc.tuple(labelKey, pick("=", " ", "= ", "=="), labelValue), { maxLength: 6 }), breaks)
    .map(([k, kv, br]) => spread([k, ...kv.map(([a, s, b]) => `${a}${s}${b}`)], br)),
  fc.tuple(keywordCase("MAINTAINER"), tokens(0, 4)).map(([k, t]) => [`${k} ${t.join(" ")}`]),
  // ENV / ARG
  fc
    .tuple(
      pick("ENV", "ARG", "env", "arg"),
      fc.array(fc.tuple(varName, fc.option(fc.oneof(labelValue, imageRef), { nil: undefined })), { maxLength: 4 }),
      breaks,
    )
    .map(([k, defs, br]) => spread([k, ...defs.map(([n, v]) => (v === undefined ? n : `${n}=${v}`))], br)),
  fc.tuple(pick("ENV"), varName, tokens(1, 3)).map(([k, n, t]) => [`${k} ${n} ${t.join(" ")}`]),
  // ADD / COPY
  fc
    .tuple(
      pick("ADD", "COPY", "add", "copy"),
      fc.option(flag, { nil: undefined }),
      fc.array(
        fc.oneof(
          pick(
            "https://example.com/a.tar.gz",
            "http://x/y",
            "git@github.com:o/r.git",
            "app.tar.gz",
            "src/",
            ".",
            "*.rpm",
            "/etc/x",
            "${U}",
          ),
          name,
        ),
        { maxLength: 4 },
      ),
      breaks,
    )
    .map(([k, f, paths, br]) => spread([k, ...(f ? [f] : []), ...paths], br)),
  fc.tuple(pick("COPY", "ADD"), pick('["a", "b"]', '["https://x/y", "/z"]', "[")).map(([k, a]) => [`${k} ${a}`]),
  // USER
  fc
    .tuple(
      keywordCase("USER"),
      fc.oneof(pick("root", "0", "0:0", "root:root", "1001", "1001:0", "${U}", "$U", "", "ROOT", "toor", " root "), name),
    )
    .map(([k, u]) => [`${k} ${u}`]),
  // the rest, and words Docker does not know
  fc
    .tuple(
      pick(
        "CMD",
        "ENTRYPOINT",
        "WORKDIR",
        "SHELL",
        "ONBUILD",
        "HEALTHCHECK",
        "EXPOSE",
        "VOLUME",
        "STOPSIGNAL",
        "FOO",
        "RUNX",
        "\\",
        "`",
        "-",
        "FROM:",
      ),
      tokens(0, 5),
    )
    .map(([k, t]) => [`${k} ${t.join(" ")}`.trimEnd()]),
);

const comment: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .tuple(
      pick("# flibs-ignore", "#flibs-ignore", "  # flibs-ignore", "# FLIBS-IGNORE", "# flibs-ignore:"),
      fc.array(pick(...RULE_IDS), { maxLength: 3 }),
      pick(",", " ", ", "),
      fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    )
    .map(([head, ids, sep, reason]) => [`${head} ${ids.join(sep)}${reason === undefined ? "" : ` ${reason}`}`.trimEnd()]),
  fc.string({ maxLength: 30 }).map((s) => [`# ${s}`]),
  pick([""], ["   "], ["\t"], [ESC], ["#"], ["# escape=`"], ["# syntax=docker/dockerfile:1"]),
);

const longLine: fc.Arbitrary<string[]> = fc
  .tuple(
    pick("RUN echo ", "LABEL summary=", "FROM ", "# ", "USER ", "ENV X="),
    pick("a", "$A", "${A:-b}", "é", "😀", " ", "\\ ", "<<EOF"),
    fc.integer({ min: 1_000, max: 12_000 }),
  )
  .map(([head, unit, n]) => [head + unit.repeat(Math.ceil(n / unit.length))]);

export interface StructuredDockerfile {
  text: string;
  escape: "\\" | "`";
}

/** Dockerfile-like text: directives, instructions with continuations and heredocs, comments, ignores, odd encodings. */
export const structuredDockerfile: fc.Arbitrary<StructuredDockerfile> = fc
  .record({
    bom: fc.boolean(),
    escape: pick<"\\" | "`">("\\", "\\", "\\", "`"),
    directive: pick("", "", "# escape=\\", "# escape=`", "#escape=`", "# syntax=docker/dockerfile:1", "# escape=x", "# ESCAPE=`"),
    pieces: fc.array(fc.oneof({ weight: 8, arbitrary: instruction }, { weight: 3, arbitrary: comment }), { maxLength: 14 }),
    // one file in twenty has a very long line (they cost the parser most; the rest stay short)
    long: fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(longLine, fc.nat()) }),
    eol: pick("\n", "\n", "\r\n", "mixed", "\r"),
    mixes: fc.array(pick("\n", "\r\n", "\r"), { minLength: 1, maxLength: 8 }),
    trailing: fc.boolean(),
    indent: pick("", "", " ", "\t"),
  })
  .map(({ bom, escape, directive, pieces, long, eol, mixes, trailing, indent }) => {
    const esc: "\\" | "`" = directive.includes("`") ? "`" : directive.includes("escape=\\") ? "\\" : escape;
    const all = [...pieces];
    if (long) all.splice(long[1] % (all.length + 1), 0, long[0]);
    const lines = [...(directive ? [directive] : []), ...all.flat().map((l) => indent + l.replaceAll(ESC, esc))];
    let text = "";
    lines.forEach((l, i) => {
      const end = eol === "mixed" ? (mixes[i % mixes.length] as string) : eol;
      text += l + (i < lines.length - 1 || trailing ? end : "");
    });
    return { text: (bom ? "\uFEFF" : "") + text, escape: esc };
  });

// ------------------------------------------------------------------------------------------------ YAML

const YAML_CHARS = [
  "a",
  "b",
  "x",
  "1",
  "0",
  ".",
  " ",
  "  ",
  "\n",
  "\r\n",
  "\r",
  "\t",
  ":",
  ": ",
  "- ",
  "-",
  "&a ",
  "*a",
  "&",
  "*",
  "[",
  "]",
  "{",
  "}",
  ",",
  "!",
  "!!",
  "|",
  ">",
  "'",
  '"',
  "#",
  "?",
  "%",
  "@",
  "`",
  "---",
  "...",
  "<<",
  "~",
  "null",
  "true",
  "1e999",
  "0x",
  ".inf",
  "\uFEFF",
  "é",
  "😀",
  "\u0000",
  "\\",
  "image",
  "tests",
  "platforms",
  "only",
  "arches",
  "rules",
  "build_args",
  "x86_64",
  "\u2028",
];

export const randomYaml: fc.Arbitrary<string> = noisyText(YAML_CHARS, 200);

const hugeNumber = pick(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, Infinity, -Infinity, Number.NaN, -0);
const odd: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  hugeNumber,
  fc.string({ maxLength: 10 }),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
/** A value that is usually of the right shape and sometimes of any other. */
const or = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: odd });
const archish = pick<string>(...ARCHES, "amd64", "X86_64", "", "arm");
const sometimes = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const containerObject: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    image: sometimes(or(fc.oneof(pick("fedora/httpd", "httpd", "a/b/c", "Fedora", "x:tag", "reg.io/x", "-x", "a__b", "a--b"), name))),
    dockerfile: sometimes(or(pick("Dockerfile", "./Dockerfile", "././build/Dockerfile", "", "../outside", "/abs", "Containerfile"))),
    platforms: sometimes(
      or(
        fc.record(
          { only: sometimes(or(fc.array(archish, { maxLength: 5 }))), not: sometimes(or(fc.array(archish, { maxLength: 5 }))) },
          { requiredKeys: [] },
        ),
      ),
    ),
    tags: sometimes(or(fc.array(fc.oneof(pick("latest", "1.0", "-bad", "a".repeat(129), "ok_tag"), name), { maxLength: 4 }))),
    version: sometimes(or(fc.oneof(name, pick("1.0", "41")))),
    build_args: sometimes(or(fc.dictionary(varName, or(fc.oneof(imageRef, name)), { maxKeys: 4 }))),
    tests: sometimes(
      or(
        fc.array(
          fc.record(
            {
              name: or(name),
              command: or(fc.oneof(pick("true", "rpm -q httpd", ""), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }))),
              expect: or(name),
              arches: or(fc.array(archish, { maxLength: 3 })),
              extra: odd,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    ),
    unknown: sometimes(odd),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));

const permissionish = pick("read", "triage", "write", "maintain", "admin", "none", "owner", "", "WRITE");
const levelish = pick("off", "info", "warning", "error", "fatal", "OFF", "");

const policyObject: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    arches: sometimes(or(fc.array(archish, { maxLength: 5 }))),
    approved_base_registries: sometimes(
      or(fc.array(pick("registry.fedoraproject.org", "quay.io/fedora", "", "docker.io", "quay.io/", "*"), { maxLength: 3 })),
    ),
    required_labels: sometimes(or(fc.array(fc.oneof(labelKey, name), { maxLength: 4 }))),
    runner_labels: sometimes(
      or(fc.dictionary(archish, or(fc.array(fc.oneof(name, pick("self-hosted", "")), { maxLength: 3 })), { maxKeys: 3 })),
    ),
    registries: sometimes(
      or(
        fc.record(
          {
            candidate: or(pick("ghcr.io/o/c", "")),
            stable: or(pick("ghcr.io/o", "")),
            insecure: or(fc.array(pick("127.0.0.1:5000", ""), { maxLength: 2 })),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    promote: sometimes(
      or(
        fc.record(
          { permission: or(permissionish), environment: or(name), latest: or(fc.boolean()), workflow: or(name) },
          { requiredKeys: [] },
        ),
      ),
    ),
    build: sometimes(
      or(
        fc.record(
          { permission: or(permissionish), component_drift: or(pick("warn", "fail", "ignore")), workflow: or(name) },
          { requiredKeys: [] },
        ),
      ),
    ),
    rules: sometimes(or(fc.dictionary(pick(...RULE_IDS), or(levelish), { maxKeys: 5 }))),
    _extends: sometimes(pick(".github", "other-org/.github:flibs.yml")),
    unknown: sometimes(odd),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));

/** Policy values as Probot's config loader could hand them over (already YAML-decoded): objects, or anything. */
export const policyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: policyObject },
  {
    weight: 1,
    arbitrary: fc.anything({
      maxDepth: 3,
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const YAML_EXTRAS = [
  "image: &i fedora/httpd\nversion: *i",
  "build_args: &b {A: x}\ntests: [{name: t, command: true, expect: *b}]",
  "base: &base {only: [x86_64]}\nplatforms:\n  <<: *base",
  "version: 1e400",
  "version: 123456789012345678901234567890",
  "tags: [0x7fffffffffffffffff, .inf, -.inf, .nan, 0o777, 1_000]",
  "image: !!binary aGVsbG8=",
  "tests: !!set {a, b}",
  "version: !!timestamp 2001-12-14",
  "image: !custom x",
  "image: !!int 3",
  "image: !!str 3",
  "version: !!float x",
  "arches: &a [x86_64, *a]",
  "? [complex, key]\n: value",
  "? image\n: fedora",
  "image: fedora\nimage: fedora",
  "rules: {internal: off, internal: error}",
  "\"image\": a\n'image': b",
  "%YAML 1.1\n---\nplatforms: {only: [x86_64]}",
  "%TAG ! tag:example.com,2000:\n---\nimage: !x y",
  "---\nimage: a\n---\nimage: b",
  "...",
  "*undefined_alias",
  "x: *nope",
  "__proto__: {polluted: true}\nconstructor: {prototype: {x: 1}}",
  "build_args: {__proto__: x, toString: y}",
  "registries:\n  candidate: ghcr.io/o/c\n  stable: &s ghcr.io/o\n  insecure: [*s]",
  "promote: {permission: *p}",
  "arches: [x86_64]\n\tbad_tab: 1",
  "image: |\n  multi\n  line",
  "image: >-\n  folded\n  text",
  "image: 'unterminated",
  "tests:\n  - name: t\n    command: [a\n",
];

const deepNesting = fc
  .tuple(pick("build_args: ", "tests: ", "x: ", "rules: ", ""), pick("[", "{a: ", "- "), fc.integer({ min: 20, max: 100 }))
  .map(([head, open, n]) => {
    if (open === "- ") return head + "\n" + Array.from({ length: Math.min(n, 400) }, (_, i) => `${" ".repeat(i * 2)}- `).join("\n") + "x";
    const close = open === "[" ? "]" : "}";
    return head + open.repeat(n) + "1" + close.repeat(n);
  });

type Mutation = "dup" | "truncate" | "crlf" | "cr" | "bom" | "yaml11" | "multidoc" | "extra" | "tabs" | "none";

function mutate(text: string, muts: Mutation[], cut: number, extra: string): string {
  let t = text;
  for (const m of muts) {
    switch (m) {
      case "dup": {
        const first = t.split("\n").find((l) => /^[A-Za-z_]/.test(l));
        if (first) t = `${t}\n${first}`;
        break;
      }
      case "truncate":
        t = t.slice(0, Math.floor(t.length * cut));
        break;
      case "crlf":
        t = t.replace(/\n/g, "\r\n");
        break;
      case "cr":
        t = t.replace(/\n/g, "\r");
        break;
      case "bom":
        t = `\uFEFF${t}`;
        break;
      case "yaml11":
        t = `%YAML 1.1\n---\n${t}`;
        break;
      case "multidoc":
        t = `${t}\n---\n${t}`;
        break;
      case "extra":
        t = `${t}\n${extra}`;
        break;
      case "tabs":
        t = t.replace(/^ {2}/gm, "\t");
        break;
      case "none":
        break;
    }
  }
  return t;
}

function yamlOf(objects: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc
    .record({
      value: objects,
      style: pick<"block" | "flow">("block", "flow"),
      muts: fc.array(
        pick<Mutation>("none", "none", "none", "dup", "truncate", "crlf", "cr", "bom", "yaml11", "multidoc", "extra", "extra", "tabs"),
        { maxLength: 3 },
      ),
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
      extra: fc.oneof(pick(...YAML_EXTRAS), deepNesting),
    })
    .map(({ value, style, muts, cut, extra }) => {
      let text: string;
      try {
        text = stringify(value, { collectionStyle: style, aliasDuplicateObjects: true });
      } catch {
        text = String(value);
      }
      return mutate(text, muts, cut, extra);
    });
}

/** container.yaml text: near-valid objects written as YAML, then mutated (duplicates, anchors, tags, truncation). */
export const structuredContainerYaml: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: yamlOf(containerObject) },
  { weight: 1, arbitrary: fc.oneof(pick(...YAML_EXTRAS), deepNesting) },
);

/** Policy (`.github/flibs.yml`) text, the same way. */
export const structuredPolicyYaml: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: yamlOf(policyObject) },
  { weight: 1, arbitrary: fc.oneof(pick(...YAML_EXTRAS), deepNesting) },
);

/** Billion laughs: `levels` anchors, each `fanout` aliases of the one before (fanout^levels nodes when expanded). */
export function yamlBomb(levels = 9, fanout = 9, key = "build_args"): string {
  const lines = [`a0: &a0 [${Array(fanout).fill('"lol"').join(", ")}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(fanout)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  lines.push(`${key}: {x: *a${levels - 1}}`);
  return `${lines.join("\n")}\n`;
}

// ------------------------------------------------------------------------------------------- PR comments

const COMMENT_CHARS = [
  "/",
  "/build",
  "/retest",
  "/promote",
  "/ok-to-test",
  "/cancel",
  "/help",
  "/Promote",
  "/usr/bin/env",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "```",
  "~~~",
  "````",
  "> ",
  "--scratch",
  "x86_64",
  "aarch64",
  "s390x",
  "ppc64le",
  "-",
  "`",
  "|",
  "<!--",
  "-->",
  "@",
  "#",
  "*",
  "\u00a0",
  "\u2028",
  "\uFEFF",
  "😀",
  "é",
  "\u0000",
];

export const randomComment: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: noisyText(COMMENT_CHARS, 200) },
  // past the 64 KiB the parser reads: a command cut in half at the limit must not become another command
  {
    weight: 1,
    arbitrary: fc
      .tuple(noisyText(COMMENT_CHARS, 20), fc.integer({ min: 65_500, max: 65_560 }), noisyText(COMMENT_CHARS, 40))
      .map(([a, n, b]) => a.repeat(Math.ceil(n / Math.max(1, a.length))).slice(0, n) + b),
  },
);

/** One line of a structured comment and what a CommonMark reader sees in it. */
export type CommentItem =
  | { kind: "command"; word: string; args: string[]; line: string }
  | { kind: "text"; line: string }
  | { kind: "fence"; lines: string[]; inner: CommentItem[]; closed: boolean };

const KNOWN_WORDS = ["build", "retest", "ok-to-test", "cancel", "promote", "help"];
const commandWord = fc.oneof(
  { weight: 6, arbitrary: pick(...KNOWN_WORDS).chain((w) => pick(w, w, w.toUpperCase(), w[0]?.toUpperCase() + w.slice(1))) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,12}$/) },
  { weight: 1, arbitrary: pick("a".repeat(60), "approve", "lgtm", "retest-all", "build2", "ok-to-test2") },
);
const commandArg = pick("--scratch", "--Scratch", "-s", ...ARCHES, "X86_64", "amd64", "all", "now", "`x`", "|", "@team", "<b>");
const spaceRun = pick(" ", "  ", "\t", " \t");

const commandLine: fc.Arbitrary<CommentItem> = fc
  .tuple(pick("", "", " ", "   "), commandWord, fc.array(fc.tuple(spaceRun, commandArg), { maxLength: 3 }), pick("", "", " ", "\t"))
  .map(([lead, word, args, trail]) => ({
    kind: "command",
    word,
    args: args.map(([, a]) => a),
    line: `${lead}/${word}${args.map(([s, a]) => s + a).join("")}${trail}`,
  }));

const textLine: fc.Arbitrary<CommentItem> = fc
  .oneof(
    pick(
      "",
      "LGTM",
      "please /promote this",
      "> /promote",
      ">/build",
      "- /build",
      "* /promote",
      "/usr/bin/env",
      "/ promote",
      "//build",
      "/ build",
      "/😀",
      "/-x",
      "/1",
      "see `/promote`",
      "    ",
      "<!-- /promote -->",
    ),
    fc.string({ maxLength: 30 }).filter((s) => !/^[\s\uFEFF]*(\/|```|~~~)/.test(s) && !/[\r\n\u2028\u2029]/.test(s)),
  )
  .map((line) => ({ kind: "text", line }));

const fenceBlock: fc.Arbitrary<CommentItem> = fc
  .record({
    ch: pick("`", "~"),
    len: fc.integer({ min: 3, max: 5 }),
    lead: pick("", " ", "   "),
    info: pick("", "sh", " text", "suggestion"),
    inner: fc.array(fc.oneof(commandLine, textLine, pick("```", "~~~", "``", "````x")), { maxLength: 4 }),
    closeExtra: fc.integer({ min: 0, max: 2 }),
    closed: fc.boolean(),
  })
  .map(({ ch, len, lead, info, inner, closeExtra, closed }) => {
    const open = ch.repeat(len);
    // a line inside that looks like a fence but cannot close this one (other char or shorter)
    const innerItems: CommentItem[] = inner.map((i) =>
      typeof i === "string"
        ? { kind: "text", line: i.startsWith(ch) && !i.endsWith("x") && i.length >= len ? (ch === "`" ? "~~~" : "```") : i }
        : i,
    );
    const lines = [
      `${lead}${open}${ch === "`" ? info.replace(/`/g, "") : info}`,
      ...innerItems.map((i) => (i.kind === "fence" ? "" : i.line)),
    ];
    if (closed) lines.push(`${lead}${ch.repeat(len + closeExtra)}`);
    return { kind: "fence", lines, inner: innerItems, closed };
  });

export interface StructuredComment {
  body: string;
  items: CommentItem[];
}

/** A comment as lines whose meaning is known: commands at line starts, text, code fences (closed or not). */
export const structuredComment: fc.Arbitrary<StructuredComment> = fc
  .record({
    items: fc.array(
      fc.oneof({ weight: 4, arbitrary: commandLine }, { weight: 3, arbitrary: textLine }, { weight: 1, arbitrary: fenceBlock }),
      { maxLength: 16 },
    ),
    eol: pick("\n", "\r\n", "\r"),
    bom: fc.boolean(),
  })
  .map(({ items, eol, bom }) => {
    // an unclosed fence runs to the end of the comment: what follows it is inside
    const cut = items.findIndex((i) => i.kind === "fence" && !i.closed);
    const kept = cut < 0 ? items : items.slice(0, cut + 1);
    const lines = kept.flatMap((i) => (i.kind === "fence" ? i.lines : [i.line]));
    return { body: (bom ? "\uFEFF" : "") + lines.join(eol), items: kept };
  });
