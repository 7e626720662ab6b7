/**
 * A minimal reader for the tar streams of image layers: regular files by path, with PAX/GNU long names and
 * the OCI whiteouts (`.wh.<name>` deletes a path from lower layers).
 */
export interface TarEntry {
  path: string;
  type: "file" | "dir" | "link" | "other";
  data?: Uint8Array;
}

function str(b: Uint8Array, off: number, len: number): string {
  const s = Buffer.from(b.subarray(off, off + len)).toString("utf8");
  const nul = s.indexOf("\0");
  return nul >= 0 ? s.slice(0, nul) : s;
}

function octal(b: Uint8Array, off: number, len: number): number {
  const s = str(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

export function* readTar(tar: Uint8Array): Generator<TarEntry> {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) return;
    const size = octal(h, 124, 12);
    const flag = String.fromCharCode(h[156] ?? 48);
    const prefix = str(h, 345, 155);
    let path = longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    longName = undefined;
    const dataStart = off + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (flag === "L") {
      longName = str(data, 0, data.length);
      continue;
    }
    if (flag === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString("utf8"));
      if (m) longName = m[1];
      continue;
    }
    if (flag === "g") continue;
    path = path.replace(/^\.?\//, "").replace(/\/$/, "");
    const type = flag === "0" || flag === "\0" || flag === "7" ? "file" : flag === "5" ? "dir" : flag === "1" || flag === "2" ? "link" : "other";
    yield type === "file" ? { path, type, data } : { path, type };
  }
}

/**
 * Applies layers in order and returns the final content of `wanted` paths (relative, no leading slash; one
 * ending in `/` takes every file under it).
 * A later layer's file replaces an earlier one; a whiteout removes it.
 */
export function filesFromLayers(layers: Iterable<Uint8Array>, wanted: readonly string[]): Map<string, Uint8Array> {
  const want = new Set(wanted);
  const out = new Map<string, Uint8Array>();
  for (const layer of layers) {
    for (const e of readTar(layer)) {
      const slash = e.path.lastIndexOf("/");
      const base = e.path.slice(slash + 1);
      if (base.startsWith(".wh.")) {
        const dir = e.path.slice(0, slash + 1);
        if (base === ".wh..wh..opq") {
          for (const k of [...out.keys()]) if (k.startsWith(dir)) out.delete(k);
        } else out.delete(dir + base.slice(4));
        continue;
      }
      if (e.type === "file" && e.data && (want.has(e.path) || wanted.some((w) => w.endsWith("/") && e.path.startsWith(w)))) out.set(e.path, e.data);
    }
  }
  return out;
}
