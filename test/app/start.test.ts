import { readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ROOT, freePort, spawnApp, waitForHttp, type AppProcess } from "../helpers/app-process.js";

const manifestFile = parse(readFileSync(`${ROOT}/app.yml`, "utf8")) as Record<string, unknown>;
let app: AppProcess | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function manifestIn(html: string): Record<string, unknown> {
  const m = /name="manifest"[^>]*value='([^']*)'/.exec(html);
  expect(m, `no manifest field in the setup page:\n${html.slice(0, 500)}`).not.toBeNull();
  return JSON.parse(m![1]!.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&")) as Record<string, unknown>;
}

describe("npm start without credentials", () => {
  test("serves Probot's setup page, which registers the App from app.yml", async () => {
    const port = await freePort();
    app = spawnApp("npm", ["start", "--silent"], { PORT: String(port) });
    await waitForHttp(`http://127.0.0.1:${port}/probot`, app);

    const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/probot");

    const page = await fetch(`http://127.0.0.1:${port}/probot`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="https://github.com/settings/apps/new"');
    const manifest = manifestIn(html);
    expect(manifest).toMatchObject({
      name: "flibs",
      public: false,
      default_permissions: manifestFile.default_permissions,
      default_events: manifestFile.default_events,
      hook_attributes: { url: `http://127.0.0.1:${port}/` },
      redirect_url: `http://127.0.0.1:${port}/probot/setup`,
    });
    expect(app.output()).toContain("setup mode");
  });

  test("registers on GitHub Enterprise Server and for an organisation when GHE_HOST and GH_ORG are set", async () => {
    const port = await freePort();
    app = spawnApp("npm", ["start", "--silent"], { PORT: String(port), GHE_HOST: "ghe.example.com", GH_ORG: "my-org" });
    await waitForHttp(`http://127.0.0.1:${port}/probot`, app);

    const html = await (await fetch(`http://127.0.0.1:${port}/probot`)).text();
    expect(html).toContain('action="https://ghe.example.com/organizations/my-org/settings/apps/new"');
    expect(manifestIn(html).default_permissions).toEqual(manifestFile.default_permissions);
  });
});

describe("npm start in production", () => {
  test("refuses to start without WEBHOOK_SECRET (Probot would fall back to its public development secret)", async () => {
    const port = await freePort();
    const { testPrivateKey } = await import("../helpers/github-app.js");
    app = spawnApp("npm", ["start", "--silent"], {
      PORT: String(port),
      NODE_ENV: "production",
      APP_ID: "12345",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: "",
    });
    const code = await Promise.race([app.exited, new Promise<string>((r) => setTimeout(() => r("still running"), 20_000))]);
    expect(code).not.toBe("still running");
    expect(code).not.toBe(0);
    expect(app.output()).toContain("WEBHOOK_SECRET is not set and NODE_ENV is production");
  });
});
