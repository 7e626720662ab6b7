import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, test } from "vitest";
import { FakeGitHub, checkRequest, notFound } from "../helpers/github.js";

// These tests drive the fake by hand (not useFakeGitHub), because they provoke the problems it must report.
let github: FakeGitHub;
afterEach(() => github?.stop());

const client = (baseUrl = "https://api.github.com") =>
  new Octokit({ auth: "test-token", baseUrl, log: { debug() {}, info() {}, warn() {}, error() {} } });

describe("checkRequest against GitHub's OpenAPI description", () => {
  test("accepts a valid check-run create and names its operation", () => {
    const r = checkRequest("POST", "https://api.github.com/repos/o/r/check-runs", {
      name: "flibs/review",
      head_sha: "a".repeat(40),
      status: "completed",
      conclusion: "failure",
      output: {
        title: "t",
        summary: "s",
        annotations: [{ path: "Dockerfile", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" }],
      },
    });
    expect(r).toEqual({
      ok: true,
      route: "POST /repos/{owner}/{repo}/check-runs",
      operationId: "checks/create",
      params: { owner: "o", repo: "r" },
    });
  });

  test("rejects a body that does not match the operation's schema, saying where", () => {
    const r = checkRequest("POST", "https://api.github.com/repos/o/r/check-runs", {
      name: "flibs/review",
      head_sha: "abc",
      status: "done",
      output: { title: "t", annotations: [{ path: "Dockerfile", start_line: 1, annotation_level: "error", message: "m" }] },
    });
    expect(r.ok).toBe(false);
    const error = (r as { error: string }).error;
    expect(error).toContain("POST /repos/{owner}/{repo}/check-runs: the body does not match the spec");
    expect(error).toContain("body/status must be equal to one of the allowed values");
    expect(error).toContain("body/output must have required property 'summary'");
    expect(error).toContain("body/output/annotations/0 must have required property 'end_line'");
    expect(error).toContain(
      "body/output/annotations/0/annotation_level must be equal to one of the allowed values (notice, warning, failure)",
    );
  });

  test("rejects a missing required body and wrong types in a workflow dispatch", () => {
    expect(checkRequest("POST", "https://api.github.com/repos/o/r/actions/workflows/flibs.yml/dispatches", undefined)).toMatchObject({
      ok: false,
      error: expect.stringContaining("the request body is required"),
    });
    expect(checkRequest("POST", "https://api.github.com/repos/o/r/actions/workflows/flibs.yml/dispatches", { ref: 7 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("body/ref must be string"),
    });
  });

  test("rejects an unknown path, a wrong method and an unknown query parameter", () => {
    expect(checkRequest("GET", "https://api.github.com/repos/o/r/check-runz/1", undefined)).toMatchObject({
      ok: false,
      error: "GET /repos/o/r/check-runz/1 is not an operation of GitHub's REST API",
    });
    expect(checkRequest("DELETE", "https://api.github.com/repos/o/r/check-runs/1", undefined)).toMatchObject({
      ok: false,
      error: expect.stringContaining("(that path takes GET, PATCH)"),
    });
    expect(checkRequest("GET", "https://api.github.com/repos/o/r/contents/Dockerfile?reff=main", undefined)).toMatchObject({
      ok: false,
      error: expect.stringContaining("unknown query parameter(s) reff"),
    });
  });

  test("matches the most specific template, decodes parameters, and strips the GHES /api/v3 prefix", () => {
    expect(checkRequest("PATCH", "https://ghe.example.com/api/v3/repos/o/r/check-runs/12", { conclusion: "success" })).toMatchObject({
      ok: true,
      route: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      params: { check_run_id: "12" },
    });
    expect(checkRequest("GET", "https://api.github.com/repos/o/r/contents/images%2Fweb%2FDockerfile?ref=abc", undefined)).toMatchObject({
      ok: true,
      params: { path: "images/web/Dockerfile" },
    });
    expect(checkRequest("GET", "https://api.github.com/repos/o/r/collaborators/some-user/permission", undefined)).toMatchObject({
      ok: true,
      operationId: "repos/get-collaborator-permission-level",
    });
  });
});

describe("FakeGitHub", () => {
  test("a request with a wrong body fails verify() even though the caller swallowed the error", async () => {
    github = new FakeGitHub().start().acceptCheckRuns();
    await client()
      .request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "x", head_sha: "abc", status: "finished" as never })
      .catch(() => undefined);
    expect(github.requests).toHaveLength(1);
    expect(() => github.verify()).toThrow(
      /FakeGitHub saw 1 problem\(s\):\n- POST \/repos\/\{owner\}\/\{repo\}\/check-runs: the body does not match the spec:\n {2}body\/status must be equal to one of the allowed values/,
    );
  });

  test("an unknown path, a request no route answers, and another host are problems too", async () => {
    github = new FakeGitHub().start();
    const gh = client();
    await gh.request("GET /repos/{owner}/{repo}/not-an-endpoint", { owner: "o", repo: "r" }).catch(() => undefined);
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }).catch((e: { status: number }) => expect(e.status).toBe(501));
    await fetch("https://example.com/elsewhere").catch(() => undefined);
    expect(github.problems).toEqual([
      "GET /repos/o/r/not-an-endpoint is not an operation of GitHub's REST API",
      "no route answers GET /repos/{owner}/{repo} (GET /repos/o/r); register one with github.on(...)",
      expect.stringMatching(/^request to a host the fake does not serve: GET .*example\.com/),
    ]);
    expect(() => github.verify()).toThrow(/3 problem/);
  });

  test("routes must name a real operation", () => {
    github = new FakeGitHub().start();
    expect(() => github.on("POST /repos/{owner}/{repo}/check-run", { status: 201 })).toThrow("is not an operation of GitHub's REST API");
  });

  test("records requests, serves files per ref, and falls through routes that decline", async () => {
    github = new FakeGitHub().start();
    github.repoFiles("o/r", { Dockerfile: "FROM scratch\n" }, { ref: "abc" });
    github.on("GET /repos/{owner}/{repo}/contents/{path}", (req) => (req.query.ref === "other" ? notFound() : undefined));
    const gh = client();
    const raw = await gh.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "o",
      repo: "r",
      path: "Dockerfile",
      ref: "abc",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe("FROM scratch\n");
    const json = await gh.repos.getContent({ owner: "o", repo: "r", path: "Dockerfile", ref: "abc" });
    expect(Buffer.from((json.data as { content: string }).content, "base64").toString()).toBe("FROM scratch\n");
    await expect(gh.repos.getContent({ owner: "o", repo: "r", path: "Dockerfile", ref: "other" })).rejects.toMatchObject({ status: 404 });
    await expect(gh.repos.getContent({ owner: "o", repo: "r", path: "missing", ref: "abc" })).rejects.toMatchObject({ status: 404 });
    expect(github.calls("GET /repos/{owner}/{repo}/contents/{path}").map((r) => `${r.params.path}@${r.query.ref}`)).toEqual([
      "Dockerfile@abc",
      "Dockerfile@abc",
      "Dockerfile@other",
      "missing@abc",
    ]);
    expect(github.writes()).toEqual([]);
    github.verify();
  });

  test("serves GitHub Enterprise Server under its /api/v3 base path", async () => {
    github = new FakeGitHub({ baseUrl: "https://ghe.example.com/api/v3" }).start().acceptCheckRuns(7);
    const res = await client("https://ghe.example.com/api/v3").checks.create({ owner: "o", repo: "r", name: "n", head_sha: "abc" });
    expect(res.data.id).toBe(7);
    expect(github.calls()[0]).toMatchObject({ path: "/repos/o/r/check-runs", route: "POST /repos/{owner}/{repo}/check-runs" });
    github.verify();
  });
});
