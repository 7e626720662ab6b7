/**
 * The stable registry's credentials (an environment secret of the promote job) must not reach whatever host the
 * candidate input names: each credential goes to its own registry only.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeContext } from "../../action/src/context.js";
import type { ActionInputs } from "../../action/src/inputs.js";
import { createJobDir, type JobDir } from "../../src/builder/job-storage.js";

let work: string;
let job: JobDir;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "flibs-creds-"));
  await writeFile(join(work, "container.yaml"), "image: hello\n");
  job = await createJobDir(work);
});
afterEach(async () => {
  await job.remove();
  await rm(work, { recursive: true, force: true });
});

const base: ActionInputs = {
  mode: "promote",
  scratch: false,
  latest: true,
  context: "",
  registry: "candidates.example.com/cand",
  stableRegistry: "stable.example.com/prod",
  insecureRegistries: [],
  builder: "auto",
  componentDrift: "warn",
  isolation: "oci",
  username: "stable-bot",
  password: "stable-secret",
  candidateUsername: "octocat",
  candidatePassword: "job-token",
} as ActionInputs;

async function auths(inputs: Partial<ActionInputs>): Promise<Record<string, string>> {
  const c = await makeContext({ ...base, context: work, ...inputs } as ActionInputs, {}, job);
  const file = JSON.parse(await readFile(c.authFile!, "utf8")) as { auths: Record<string, { auth: string }> };
  return Object.fromEntries(Object.entries(file.auths).map(([h, a]) => [h, Buffer.from(a.auth, "base64").toString()]));
}

describe("each registry credential goes to its own host", () => {
  it("promote: the stable secret goes to the stable host only; the candidate is read with its own credentials", async () => {
    expect(await auths({})).toEqual({ "candidates.example.com": "octocat:job-token", "stable.example.com": "stable-bot:stable-secret" });
  });
  it("promote with no candidate credentials: the candidate host gets none (never the stable secret)", async () => {
    expect(await auths({ candidateUsername: undefined, candidatePassword: undefined })).toEqual({
      "stable.example.com": "stable-bot:stable-secret",
    });
  });
  it("build: the credentials are the candidate registry's", async () => {
    expect(await auths({ mode: "build", stableRegistry: undefined, username: "octocat", password: "job-token" })).toEqual({
      "candidates.example.com": "octocat:job-token",
    });
  });
});
