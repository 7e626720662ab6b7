import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialFilePaths, loadCredentials, normaliseAuthKey } from "../../src/registry/credentials.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("registry credentials", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flibs-creds-"));
    await mkdir(join(dir, ".docker"));
    await writeFile(
      join(dir, ".docker", "config.json"),
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hubuser:hubpass") },
          "ghcr.io": { auth: b64("docker-user:docker-pass") },
          "registry.example.com:5000": { identitytoken: "refresh-me", auth: b64("<token>:") },
        },
        credsStore: "desktop",
      }),
    );
    await writeFile(
      join(dir, "auth.json"),
      JSON.stringify({ auths: { "ghcr.io": { auth: b64("podman-user:pa:ss") }, "quay.io/my-org": { auth: b64("robot:tok") } } }),
    );
    await writeFile(join(dir, "broken.json"), "{ not json");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the files in precedence order from the given env and home", () => {
    expect(credentialFilePaths({ REGISTRY_AUTH_FILE: "/a/auth.json", XDG_RUNTIME_DIR: "/run/user/1" }, "/home/u")).toEqual([
      "/a/auth.json",
      "/run/user/1/containers/auth.json",
      "/home/u/.config/containers/auth.json",
      "/home/u/.docker/config.json",
    ]);
    expect(credentialFilePaths({ DOCKER_CONFIG: "/etc/dc" }, "/h").at(-1)).toBe("/etc/dc/config.json");
  });

  it("normalises auth keys", () => {
    expect(normaliseAuthKey("https://index.docker.io/v1/")).toBe("docker.io");
    expect(normaliseAuthKey("https://GHCR.io")).toBe("ghcr.io");
    expect(normaliseAuthKey("quay.io/my-org/")).toBe("quay.io/my-org");
  });

  it("prefers auth.json over the docker config, and the most specific namespace", async () => {
    const lookup = await loadCredentials([join(dir, "auth.json"), join(dir, "missing.json"), join(dir, ".docker", "config.json")]);
    expect(lookup("ghcr.io")).toEqual({ kind: "basic", username: "podman-user", password: "pa:ss" });
    expect(lookup("docker.io", "library/alpine")).toEqual({ kind: "basic", username: "hubuser", password: "hubpass" });
    expect(lookup("quay.io", "my-org/app")).toEqual({ kind: "basic", username: "robot", password: "tok" });
    expect(lookup("quay.io", "other/app")).toBeUndefined();
    expect(lookup("registry.example.com:5000")).toEqual({ kind: "identity-token", username: "<token>", token: "refresh-me" });
  });

  it("reports a broken file as a config error", async () => {
    await expect(loadCredentials([join(dir, "broken.json")])).rejects.toMatchObject({
      code: "config",
      message: expect.stringMatching(/not valid JSON/),
    });
  });
});
