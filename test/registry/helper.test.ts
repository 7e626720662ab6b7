import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushTestImage, skopeoInspectRaw, startRegistry, type TestRegistry } from "../helpers/registry.js";

describe("test registry helper", () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  beforeAll(async () => {
    [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: { username: "alice", password: "s3cret" } })]);
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), authReg?.stop()]);
  });

  it("pushes a 2-arch OCI layout whose index digest skopeo reads back", async () => {
    const img = await pushTestImage(reg, "helper/app:1");
    try {
      const judged = await skopeoInspectRaw(img.ref);
      expect(judged.digest).toBe(img.indexDigest);
      const index = JSON.parse(judged.raw) as { manifests: Array<{ platform: { architecture: string } }> };
      expect(index.manifests.map((m) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
    } finally {
      await img.cleanup();
    }
  });

  it("requires credentials on the htpasswd instance", async () => {
    const res = await fetch(`${authReg.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm="flibs-test"/);
    const img = await pushTestImage(authReg, "private/app:1");
    try {
      expect((await skopeoInspectRaw(img.ref, authReg.credentials)).digest).toBe(img.indexDigest);
    } finally {
      await img.cleanup();
    }
  });
});
