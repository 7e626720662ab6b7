/**
 * `oci-archive:FILE`: an OCI image layout in one tar file (what skopeo's oci-archive transport reads and
 * writes). Written reproducibly (entries sorted, owner 0, the given mtime), streamed file by file; read by
 * extracting only the names a layout has (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), so an archive
 * cannot write anywhere else.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { FlibsError } from "../core/errors.js";
import { layoutFiles, OciLayout } from "./oci-layout.js";

const BLOCK = 512;
const MAX_SIZE = 8 ** 11 - 1;

function header(name: string, size: number, type: "0" | "5", mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new FlibsError("internal", `archive entry name too long: ${name}`);
  if (size > MAX_SIZE) throw new FlibsError("io", `${name} is larger than a tar entry can hold (8 GiB)`);
  const h = Buffer.alloc(BLOCK, 0);
  const octal = (v: number, off: number, len: number) => h.write(`${v.toString(8).padStart(len - 1, "0")}\0`, off, len, "ascii");
  h.write(name, 0, 100, "utf8");
  octal(type === "5" ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.max(0, Math.floor(mtime)), 136, 12);
  h.write("        ", 148, 8, "ascii");
  h.write(type, 156, 1, "ascii");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return h;
}

/** Writes the layout at `layout` into the tar `file`, every entry dated `mtime` (seconds). */
export async function writeLayoutArchive(layout: OciLayout, file: string, mtime: number): Promise<void> {
  const files = await layoutFiles(layout);
  const out = await open(file, "w");
  try {
    const dirs = new Set<string>();
    for (const name of files) {
      const parts = name.split("/").slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const dir = `${parts.slice(0, i).join("/")}/`;
        if (!dirs.has(dir)) {
          dirs.add(dir);
          await out.write(header(dir, 0, "5", mtime));
        }
      }
      const path = join(layout.dir, name);
      const { size } = await stat(path);
      await out.write(header(name, size, "0", mtime));
      let written = 0;
      for await (const chunk of createReadStream(path)) {
        await out.write(chunk as Buffer);
        written += (chunk as Buffer).length;
      }
      if (written !== size) throw new FlibsError("io", `${name} changed while it was archived`);
      if (size % BLOCK) await out.write(Buffer.alloc(BLOCK - (size % BLOCK)));
    }
    await out.write(Buffer.alloc(2 * BLOCK));
  } finally {
    await out.close();
  }
}

const LAYOUT_NAME = /^(?:oci-layout|index\.json|blobs\/[a-z0-9]+\/[a-f0-9]{64,128})$/;

function text(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len).toString("utf8");
  const nul = s.indexOf("\0");
  return nul >= 0 ? s.slice(0, nul) : s;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  if (bytesRead < len) throw new FlibsError("io", "the archive ends in the middle of an entry");
  return buf;
}

async function copyRange(from: FileHandle, start: number, size: number, to: FileHandle): Promise<void> {
  const buf = Buffer.alloc(Math.min(size, 1 << 20));
  for (let done = 0; done < size;) {
    const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, size - done), start + done);
    if (bytesRead === 0) throw new FlibsError("io", "the archive ends in the middle of an entry");
    await to.write(buf.subarray(0, bytesRead));
    done += bytesRead;
  }
}

/** Extracts the layout in tar `file` into `dir` (created) and opens it. PAX and GNU long names are read. */
export async function extractLayoutArchive(file: string, dir: string): Promise<OciLayout> {
  const fh = await open(file, "r").catch(() => {
    throw new FlibsError("not-found", `cannot read the archive ${file}`);
  });
  try {
    const total = (await fh.stat()).size;
    let pos = 0;
    let longName: string | undefined;
    let paxSize: number | undefined;
    while (pos + BLOCK <= total) {
      const h = await readAt(fh, pos, BLOCK);
      pos += BLOCK;
      if (h.every((b) => b === 0)) break;
      const type = String.fromCharCode(h[156] ?? 48);
      const sizeField = text(h, 124, 12).trim();
      const size = paxSize ?? (sizeField ? parseInt(sizeField, 8) : 0);
      const prefix = text(h, 345, 155);
      const name = (longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100))).replace(/^\.\//, "");
      const dataAt = pos;
      pos += Math.ceil(size / BLOCK) * BLOCK;
      if (type === "x" || type === "L") {
        const body = (await readAt(fh, dataAt, size)).toString("utf8");
        if (type === "L") longName = body.replace(/\0.*$/s, "");
        else {
          longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1] ?? longName;
          const s = /(?:^|\n)\d+ size=(\d+)\n/.exec(body)?.[1];
          paxSize = s !== undefined ? Number(s) : undefined;
        }
        continue;
      }
      longName = undefined;
      paxSize = undefined;
      if (type === "g" || type === "5" || name === "" || name.endsWith("/")) continue;
      if ((type !== "0" && type !== "\0") || !LAYOUT_NAME.test(name)) {
        throw new FlibsError("refused", `${file} holds ${JSON.stringify(name)}, which is not part of an OCI image layout`);
      }
      const target = join(dir, name);
      await mkdir(join(target, ".."), { recursive: true });
      const out = await open(target, "w");
      try {
        await copyRange(fh, dataAt, size, out);
      } finally {
        await out.close();
      }
    }
  } finally {
    await fh.close();
  }
  return OciLayout.open(dir).catch(() => {
    throw new FlibsError("not-found", `${file} is not an OCI image layout archive (no oci-layout file in it)`);
  });
}
