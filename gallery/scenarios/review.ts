import { formatReviewForTerminal } from "../../src/cli/review/terminal.js";
import { DEFAULT_DOCS_URL, REVIEW_CHECK_NAME, reviewCheckOutput, type CheckOutput } from "../../src/core/report/review-check.js";
import { review, type ReviewResult } from "../../src/core/review/index.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { readOrgPolicy } from "../../src/github/policy.js";
import type { MarkdownScreen, Scenario, Screen } from "../types.js";

const SHA = "4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e";
const DOCS = [`${DEFAULT_DOCS_URL}#rule-`];

const GOOD_DOCKERFILE = `FROM registry.fedoraproject.org/fedora:41

ARG NAME=demo-httpd
LABEL com.redhat.component="$NAME-container" \\
      name="my-org/$NAME" \\
      version="2.4" \\
      summary="Apache httpd for the demo" \\
      maintainer="Demo Team <demo@example.com>"

RUN dnf -y --setopt=tsflags=nodocs install httpd && \\
    dnf clean all

COPY httpd.conf /etc/httpd/conf/httpd.conf
USER 1001
CMD ["/usr/sbin/httpd", "-DFOREGROUND"]
`;

const GOOD_CONFIG = `image: my-org/demo-httpd
platforms:
  not: [s390x]
tests:
  - name: httpd is installed
    command: [httpd, -v]
    expect: Apache
`;

/** A Dockerfile as a maintainer might first write one: most rules have something to say. */
const BAD_DOCKERFILE = `FROM golang:1.22 AS build
RUN go build -o /out/app ./...

FROM fedora
MAINTAINER Demo <demo@example.com>
LABEL name="demo" version="1"
RUN dnf install httpd && \\
    curl -fsSL https://example.com/install.sh | sh
ADD https://example.com/app.tar.gz /opt/
COPY --from=build /out/app /usr/bin/app
USER root
`;

/** 150 RUN lines that each install without -y and leave the cache: 300 findings, two kinds. */
function manyFindingsDockerfile(): string {
  const runs = Array.from({ length: 150 }, (_, i) => `RUN dnf install pkg-${i}`);
  return [...GOOD_DOCKERFILE.split("\n").slice(0, 12), ...runs, "USER 1001", ""].join("\n");
}

function checkScreen(title: string, out: CheckOutput, copyable: readonly string[] = []): MarkdownScreen {
  return {
    title,
    kind: "check",
    markdown: out.summary,
    check: { name: REVIEW_CHECK_NAME, conclusion: out.conclusion, title: out.title, annotations: out.annotations },
    copyable,
    links: DOCS,
  };
}

function terminalScreen(result: ReviewResult, sources: Record<string, string>, dir: string): Screen {
  return {
    title: "flibs review in a terminal",
    kind: "terminal",
    command: `flibs review ${dir}`,
    text: formatReviewForTerminal(result, sources, { colour: true }),
  };
}

/** The policy read as the App reads it (src/github/policy.ts), from an octokit that answers as GitHub would. */
async function policyRead(answer: () => Promise<unknown>) {
  const octokit = { config: { get: answer } } as unknown as GitHubClient;
  return readOrgPolicy(octokit, "my-org");
}

export const reviewScenarios: readonly Scenario[] = [
  {
    id: "review-clean",
    title: "Review: a clean container repo",
    async screens() {
      const result = review({
        dockerfile: { path: "Dockerfile", text: GOOD_DOCKERFILE },
        containerYaml: { path: "container.yaml", text: GOOD_CONFIG },
      });
      return [
        checkScreen("flibs/review, no findings", reviewCheckOutput(result, { sha: SHA }), ["Dockerfile", "container.yaml"]),
        terminalScreen(result, { Dockerfile: GOOD_DOCKERFILE, "container.yaml": GOOD_CONFIG }, "."),
      ];
    },
  },
  {
    id: "review-findings",
    title: "Review: a first Dockerfile with findings of most rules",
    async screens() {
      const result = review({ dockerfile: { path: "Dockerfile", text: BAD_DOCKERFILE } });
      return [
        checkScreen("flibs/review, errors and warnings", reviewCheckOutput(result, { sha: SHA }), [
          "https://example.com/app.tar.gz",
          'LABEL maintainer="..."',
          "dnf-assume-yes",
          "base-image-tag",
        ]),
        terminalScreen(result, { Dockerfile: BAD_DOCKERFILE }, "."),
      ];
    },
  },
  {
    id: "review-300-findings",
    title: "Review: 300 findings (150 RUN lines without -y and without a clean)",
    async screens() {
      const text = manyFindingsDockerfile();
      const result = review({ dockerfile: { path: "Dockerfile", text } });
      return [
        checkScreen(`flibs/review, ${result.findings.length} findings grouped`, reviewCheckOutput(result, { sha: SHA }), [
          "dnf-assume-yes",
          "dnf-clean-all",
        ]),
      ];
    },
  },
  {
    id: "review-invalid-config",
    title: "Review: an invalid container.yaml (a mistyped key, an OCI arch name)",
    async screens() {
      const config =
        "image: my-org/demo-httpd\nplatfroms:\n  only: [x86_64]\ntests:\n  - name: httpd | version\n    command: [httpd, -v]\n    arches: [arm64]\n";
      const result = review({
        dockerfile: { path: "Dockerfile", text: GOOD_DOCKERFILE },
        containerYaml: { path: "container.yaml", text: config },
      });
      return [
        checkScreen("flibs/review, config errors with suggestions", reviewCheckOutput(result, { sha: SHA }), [
          "arm64",
          "aarch64",
          "platfroms",
          "platforms",
        ]),
        terminalScreen(result, { Dockerfile: GOOD_DOCKERFILE, "container.yaml": config }, "."),
      ];
    },
  },
  {
    id: "review-policy-unreadable",
    title: "Review: the organisation policy cannot be read or is invalid",
    async screens() {
      const down = await policyRead(async () => {
        throw Object.assign(new Error("Server Error"), { status: 500 });
      });
      const invalid = await policyRead(async () => ({
        files: [{ config: { arches: ["x86_64", "arm64"] } }],
        config: { arches: ["x86_64", "arm64"] },
      }));
      const result = review({ dockerfile: { path: "Dockerfile", text: GOOD_DOCKERFILE } });
      const withFindings = review({ dockerfile: { path: "Dockerfile", text: BAD_DOCKERFILE } });
      const problem = (p: typeof down) => (p.ok ? [] : [p.message]);
      return [
        checkScreen(
          "flibs/review, policy unreadable (GitHub answered 500)",
          reviewCheckOutput(result, { sha: SHA, problems: problem(down) }),
        ),
        checkScreen(
          "flibs/review, policy invalid, with findings",
          reviewCheckOutput(withFindings, { sha: SHA, problems: problem(invalid) }),
          ["arm64", "aarch64"],
        ),
      ];
    },
  },
];
