#!/usr/bin/env node
// `npm run bench`: the review engine on a generated 1,000-line Dockerfile (median in-process time, goal
// < 20 ms) and the wall time of `flibs review` (goal < 0.3 s on a small repo). Uses dist/ (npm run build).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);

if (!existsSync(join(ROOT, "dist", "core", "review", "index.js"))) {
  console.error("bench: dist/ is missing; run `npm run build` first");
  process.exit(1);
}
const { review } = await import(join(ROOT, "dist", "core", "review", "index.js"));

/** A 1,000-line Dockerfile: many stages (chained by name), long continued RUNs, LABELs, COPYs, ignores, some findings. */
function generateDockerfile(lines = 1000) {
  const out = ["ARG BASE=registry.fedoraproject.org/fedora", "ARG TAG=41"];
  let stage = 0;
  while (out.length < lines) {
    const name = `stage${stage}`;
    out.push(
      stage === 0
        ? `FROM \${BASE}:\${TAG} AS ${name}`
        : `FROM ${stage % 3 === 0 ? "quay.io/fedora/fedora:41" : `stage${stage - 1}`} AS ${name}`,
    );
    out.push(
      `LABEL com.redhat.component="c${stage}" \\`,
      `      name="n${stage}" version="1.${stage}" \\`,
      `      summary="stage ${stage}" maintainer="Bench <bench@example.com>"`,
    );
    out.push(`ENV APP_${stage}=/opt/app${stage} PATH=/opt/app${stage}/bin:$PATH`);
    out.push("RUN dnf -y --setopt=tsflags=nodocs install \\");
    for (let i = 0; i < 12; i++) out.push(`      package-${stage}-${i} \\`);
    out.push("    && dnf clean all");
    out.push(`# flibs-ignore add-local-file keeps ADD for the bench`, `ADD conf${stage}.txt /etc/conf${stage}.txt`);
    out.push(`COPY --chown=1001:0 src${stage}/ /opt/app${stage}/`);
    out.push(
      `RUN set -e; curl -fsSLo /tmp/x${stage}.tar.gz https://example.com/x${stage}.tar.gz && \\`,
      `    tar -xzf /tmp/x${stage}.tar.gz -C /opt && rm -f /tmp/x${stage}.tar.gz`,
    );
    out.push(`RUN yum install legacy-${stage}`); // findings too: no -y, no clean all
    out.push(`WORKDIR /opt/app${stage}`, "USER 1001", "");
    stage++;
  }
  out.length = lines;
  return `${out.join("\n")}\n`;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const text = generateDockerfile(1000);
const input = { dockerfile: { path: "Dockerfile", text }, containerYaml: { path: "container.yaml", text: "image: bench/app\n" } };
for (let i = 0; i < 5; i++) review(input); // warm-up: JIT, lazy module init
const times = [];
let findings = 0;
for (let i = 0; i < RUNS; i++) {
  const start = process.hrtime.bigint();
  findings = review(input).findings.length;
  times.push(ms(start));
}
const inProcess = median(times);
console.log(
  `review, 1,000-line Dockerfile, in-process: median ${inProcess.toFixed(2)} ms over ${RUNS} runs (min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)}; ${findings} findings; goal < 20 ms)`,
);

function wall(dir) {
  const runs = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "flibs.js"), "review", dir, "--format", "json"], { encoding: "utf8" });
    runs.push(ms(start));
    if (r.status !== 0 && r.status !== 1) throw new Error(`flibs review exited ${r.status}: ${r.stderr}`);
  }
  return median(runs);
}

const tmp = mkdtempSync(join(tmpdir(), "flibs-bench-"));
try {
  writeFileSync(join(tmp, "Dockerfile"), text);
  writeFileSync(join(tmp, "container.yaml"), "image: bench/app\n");
  const big = wall(tmp);
  const small = wall(join(ROOT, "test", "fixtures", "review", "clean"));
  console.log(`flibs review wall time, 1,000-line Dockerfile: median ${(big / 1000).toFixed(3)} s over ${CLI_RUNS} runs`);
  console.log(
    `flibs review wall time, small repo (test/fixtures/review/clean): median ${(small / 1000).toFixed(3)} s over ${CLI_RUNS} runs (goal < 0.3 s)`,
  );
  const ok = inProcess < 20 && small < 300;
  console.log(ok ? "bench: within goals" : "bench: OVER GOAL");
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
