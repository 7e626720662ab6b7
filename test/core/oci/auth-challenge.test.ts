import { describe, expect, it } from "vitest";
import { parseAuthChallenges } from "../../../src/core/oci/auth-challenge.js";

describe("parseAuthChallenges", () => {
  it("reads a Bearer challenge with realm, service and scope", () => {
    expect(parseAuthChallenges('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:my-org/app:pull"')).toEqual([
      { scheme: "bearer", params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:my-org/app:pull" } },
    ]);
  });

  it("keeps commas and escaped quotes inside quoted values, and unquoted tokens", () => {
    expect(
      parseAuthChallenges('Bearer realm="https://auth.example.com/token",scope="repository:a:pull,push",error=insufficient_scope'),
    ).toEqual([
      {
        scheme: "bearer",
        params: { realm: "https://auth.example.com/token", scope: "repository:a:pull,push", error: "insufficient_scope" },
      },
    ]);
    expect(parseAuthChallenges('Basic realm="a \\"quoted\\" realm"')[0]!.params.realm).toBe('a "quoted" realm');
  });

  it("reads Basic, case-insensitive schemes and several challenges in one header", () => {
    expect(parseAuthChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: "basic", params: { realm: "Registry Realm" } }]);
    expect(parseAuthChallenges('BASIC realm="x", Bearer realm="https://t.example.com", service = "s"')).toEqual([
      { scheme: "basic", params: { realm: "x" } },
      { scheme: "bearer", params: { realm: "https://t.example.com", service: "s" } },
    ]);
  });

  it("tolerates garbage without throwing", () => {
    expect(parseAuthChallenges("")).toEqual([]);
    expect(parseAuthChallenges('Bearer realm="unterminated')).toEqual([{ scheme: "bearer", params: { realm: "unterminated" } }]);
    expect(() => parseAuthChallenges('=,,"" ;;; Bearer')).not.toThrow();
  });
});
