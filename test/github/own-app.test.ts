import { describe, expect, it } from "vitest";
import { ownAppId, type GitHubClient } from "../../src/github/octokit.js";

const client = (auth: () => Promise<unknown>) => ({ auth }) as unknown as GitHubClient;

describe("the App's own id, which decides whose check runs flibs trusts", () => {
  it("is the App's id for an App client, and none for a plain token (no App to compare with)", async () => {
    expect(await ownAppId(client(async () => ({ type: "app", appId: 77, token: "jwt" })))).toBe(77);
    expect(await ownAppId(client(async () => ({ type: "token", tokenType: "oauth", token: "t" })))).toBeUndefined();
  });
  it("fails closed: a lookup that fails throws instead of reading as 'trust every check run'", async () => {
    await expect(ownAppId(client(async () => Promise.reject(new Error("invalid key"))))).rejects.toThrow(/cannot tell which App flibs is/);
    await expect(ownAppId(client(async () => ({ type: "installation", token: "x" })))).rejects.toThrow(/cannot tell which App flibs is/);
  });
});
