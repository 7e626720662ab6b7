/**
 * A streaming reader for the tar streams of image layers: regular files by path, with PAX/GNU long names and
 * the OCI whiteouts (`.wh.<name>` deletes a path from lower layers, `.wh..wh..opq` empties a directory). Only
 * the files asked for are kept in memory, so a layer of any size is read in constant memory.
 */
export interface TarEntry {
  path: string;
  type: "file" | "dir" | "link" | "other";
  /** The content, for files `keep` asked for. */
  data?: Uint8Array;
}

function str(b: Uint8Array, off: number, len: number): string {
  const s = Buffer.from(b.buffer, b.byteOffset + off, len).toString("utf8");
  const nul = s.indexOf("\0");
  return nul >= 0 ? s.slice(0, nul) : s;
}

function octal(b: Uint8Array, off: number, len: number): number {
  const s = str(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

interface Pending {
  path: string;
  flag: string;
  size: number;
  keep: boolean;
  chunks: Uint8Array[];
  got: number;
}

export class TarScanner {
  private buf: Uint8Array = new Uint8Array(0);
  private entry: Pending | undefined;
  private skip = 0;
  private longName: string | undefined;
  private ended = false;

  /** `keep(path)` decides which files' content is collected (long-name and PAX records are always read). */
  constructor(
    private readonly keep: (path: string) => boolean,
    private readonly onEntry: (e: TarEntry) => void,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let off = 0;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length - off);
        off += n;
        this.skip -= n;
        if (this.skip > 0) break;
      }
      if (this.entry) {
        const e = this.entry;
        const n = Math.min(e.size - e.got, this.buf.length - off);
        if (e.keep && n > 0) e.chunks.push(this.buf.slice(off, off + n));
        e.got += n;
        off += n;
        if (e.got < e.size) break;
        this.finish(e);
        this.entry = undefined;
        this.skip = (512 - (e.size % 512)) % 512;
        continue;
      }
      if (this.buf.length - off < 512) break;
      const h = this.buf.subarray(off, off + 512);
      off += 512;
      if (h.every((x) => x === 0)) {
        this.ended = true;
        break;
      }
      const flag = String.fromCharCode(h[156] ?? 48);
      const prefix = str(h, 345, 155);
      const raw = this.longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
      this.longName = undefined;
      const path = raw.replace(/^\.?\//, "").replace(/\/$/, "");
      const size = octal(h, 124, 12);
      const meta = flag === "L" || flag === "x";
      this.entry = { path, flag, size, keep: meta || (isFile(flag) && this.keep(path)), chunks: [], got: 0 };
    }
    this.buf = this.buf.subarray(off);
  }

  private finish(e: Pending): void {
    const data = e.keep ? Buffer.concat(e.chunks) : undefined;
    if (e.flag === "L") {
      this.longName = str(data!, 0, data!.length);
      return;
    }
    if (e.flag === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data!).toString("utf8"));
      if (m) this.longName = m[1];
      return;
    }
    if (e.flag === "g") return;
    const type = isFile(e.flag) ? "file" : e.flag === "5" ? "dir" : e.flag === "1" || e.flag === "2" ? "link" : "other";
    this.onEntry(data ? { path: e.path, type, data } : { path: e.path, type });
  }
}

function isFile(flag: string): boolean {
  return flag === "0" || flag === "\0" || flag === "7";
}

/**
 * Applies layers in order and keeps the final content of `wanted` paths (relative, no leading slash; one
 * ending in `/` takes every file under it). Feed each layer's tar bytes through `layer()` in order.
 */
export class LayeredFiles {
  readonly files = new Map<string, Uint8Array>();
  constructor(private readonly wanted: readonly string[]) {}

  private wants(path: string): boolean {
    return this.wanted.some((w) => (w.endsWith("/") ? path.startsWith(w) : path === w));
  }

  layer(): TarScanner {
    return new TarScanner(
      (p) => this.wants(p),
      (e) => {
        const slash = e.path.lastIndexOf("/");
        const base = e.path.slice(slash + 1);
        if (base.startsWith(".wh.")) {
          const dir = e.path.slice(0, slash + 1);
          if (base === ".wh..wh..opq") {
            for (const k of [...this.files.keys()]) if (k.startsWith(dir)) this.files.delete(k);
          } else {
            const gone = dir + base.slice(4);
            for (const k of [...this.files.keys()]) if (k === gone || k.startsWith(`${gone}/`)) this.files.delete(k);
          }
          return;
        }
        if (e.type === "file" && e.data) this.files.set(e.path, e.data);
      },
    );
  }
}

/**
 * The same result as `LayeredFiles`, read the other way: feed layers from the topmost down, and stop as soon
 * as what you need is known (an upper layer's copy of a file wins, so lower layers cannot change it). A
 * whiteout, an opaque directory or a non-directory over a wanted path hides what lies below it; it acts on
 * the layers below its own only (OCI image spec, "whiteouts"). The package read of `publish` stops at the
 * layer that last wrote the package database, instead of downloading and unpacking the base image's layers.
 */
export class TopDownFiles {
  readonly files = new Map<string, Uint8Array>();
  /** Paths hidden from the layers still to come: exact paths (and what is under them) or `dir/` prefixes. */
  private readonly hidden: string[] = [];
  private pending: string[] = [];
  private current = new Set<string>();
  constructor(private readonly wanted: readonly string[]) {}

  private wants(path: string): boolean {
    return this.wanted.some((w) => (w.endsWith("/") ? path.startsWith(w) : path === w));
  }

  /** Whether `path` (a file path, or a directory as `dir/`) is, holds or lies in something wanted. */
  private matters(path: string): boolean {
    return this.wanted.some(
      (w) => w.startsWith(path.endsWith("/") || path === "" ? path : `${path}/`) || w === path || (w.endsWith("/") && path.startsWith(w)),
    );
  }

  private isHidden(path: string): boolean {
    return this.hidden.some((h) => (h === "" || h.endsWith("/") ? path.startsWith(h) : path === h || path.startsWith(`${h}/`)));
  }

  /** A scanner for the next layer down: call for the topmost layer first. */
  layer(): TarScanner {
    this.hidden.push(...this.pending);
    this.pending = [];
    this.current = new Set();
    return new TarScanner(
      (p) => this.wants(p) && !this.isHidden(p) && (!this.files.has(p) || this.current.has(p)),
      (e) => {
        const slash = e.path.lastIndexOf("/");
        const base = e.path.slice(slash + 1);
        const dir = e.path.slice(0, slash + 1);
        if (base.startsWith(".wh.")) {
          const gone = base === ".wh..wh..opq" ? dir : dir + base.slice(4);
          if (this.matters(gone)) this.pending.push(gone);
          return;
        }
        if (this.isHidden(e.path)) return;
        if (e.type === "file" && e.data) {
          this.files.set(e.path, e.data);
          this.current.add(e.path);
        }
        // A file or link where a wanted path's directory was: nothing of it below counts.
        if (e.type !== "dir" && this.wanted.some((w) => w.startsWith(`${e.path}/`))) this.pending.push(e.path);
      },
    );
  }
}

/** `LayeredFiles` over layers already in memory. */
export function filesFromLayers(layers: Iterable<Uint8Array>, wanted: readonly string[]): Map<string, Uint8Array> {
  const acc = new LayeredFiles(wanted);
  for (const l of layers) acc.layer().push(l);
  return acc.files;
}

/** Every entry of one tar in memory (content of files included). */
export function readTar(tar: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  new TarScanner(
    () => true,
    (e) => out.push(e),
  ).push(tar);
  return out;
}
