import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const add = (line: string) => hits("add-local-file", [...GOOD, line]);

/**
 * ADD unpacks a local tar archive, plain or compressed with gzip, bzip2, xz or zstd (the Dockerfile
 * reference, ADD: "Adding local tar archives"); for anything else COPY does the same. Quotes around a
 * source are the shell's, not part of the name.
 */
const CASES: Array<[string, string, boolean]> = [
  ["a plain file", "ADD app.conf /etc/app/", true],
  ["a directory", "ADD src/ /opt/app-root/src/", true],
  [".tar", "ADD overlay.tar /", false],
  [".tar.gz", "ADD rootfs.tar.gz /", false],
  [".tgz", "ADD site.tgz /var/www/", false],
  [".gz", "ADD words.gz /usr/share/dict/", false],
  [".bz2", "ADD corpus.bz2 /srv/", false],
  [".xz", "ADD modules.xz /srv/", false],
  [".zst", "ADD data.zst /srv/", false],
  [".tar.zst", "ADD rootfs.tar.zst /", false],
  [".zip (not unpacked)", "ADD release.zip /opt/", true],
  [".rpm (not unpacked)", "ADD app.rpm /tmp/", true],
  ["a quoted archive", 'ADD "site.tgz" /var/www/', false],
  ["a single-quoted archive", "ADD 'site.tgz' /var/www/", false],
  ["a quoted plain file", 'ADD "app.properties" /etc/app/', true],
  ["a quoted URL (add-url's)", 'ADD "https://example.com/key.asc" /etc/pki/', false],
  ["JSON form, plain file", 'ADD ["entrypoint.sh", "/usr/local/bin/"]', true],
  ["JSON form, archive", 'ADD ["vendor.tar.gz", "/opt/"]', false],
  ["an archive and a plain file", "ADD vendor.tar.gz LICENSE /opt/app/", true],
  ["a URL and a plain file", "ADD https://example.com/a.txt notes.txt /opt/", true],
];

describe("add-local-file", () => {
  it.each(CASES)("%s: %s", (_name, line, reported) => {
    expect(add(line).length > 0).toBe(reported);
  });
  it("suggests COPY for local files that are not archives", () => {
    const fs = add("ADD --chown=1001:0 app.conf run.sh /etc/app/");
    expect(at(fs)).toEqual(["4:1"]);
    expect(fs[0]?.message).toBe("ADD of local `app.conf`, `run.sh`: use COPY");
    expect(fs[0]?.severity).toBe("warning");
  });
  it("names only the plain files beside an archive, unquoted", () => {
    expect(add('ADD vendor.tar.gz "LICENSE" /opt/app/')[0]?.message).toBe("ADD of local `LICENSE`: use COPY");
  });
});
