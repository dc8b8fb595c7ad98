import { appendFile, lstat, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError, extract, listArchive } from "../../src/engine/io/archive.js";
import { type ArchiveEntry, makeTar, makeZip } from "../support/archives.js";
import { listTree, tempDir } from "../support/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function archive(name: string, bytes: Buffer): Promise<string> {
  const src = join(dir, name);
  await writeFile(src, bytes);
  return src;
}

const tarOnly = (e: ArchiveEntry[]) => makeTar(e, { gzip: false });
const formats = [
  ["tar", tarOnly],
  ["zip", (e: ArchiveEntry[]) => makeZip(e)],
] as const;

describe.each(formats)("links that look inside and resolve outside (%s)", (_format, make) => {
  it.each([
    [
      "e -> d/l/.. after d/l -> ..",
      [
        { path: "d/", type: "dir" },
        { path: "d/l", type: "symlink", target: ".." },
        { path: "e", type: "symlink", target: "d/l/.." },
      ],
      /symlink "e" points outside the destination \(to "d\/l\/\.\."\): leaves the destination/,
    ],
    [
      "e -> d/l/.. before d/l -> .. (the later link redirects the earlier one)",
      [
        { path: "d/", type: "dir" },
        { path: "e", type: "symlink", target: "d/l/.." },
        { path: "d/l", type: "symlink", target: ".." },
      ],
      /symlink "d\/l" points outside the destination \(to "\.\."\): makes symlink "e"/,
    ],
    [
      "a chain of links that climbs one level per hop",
      [
        { path: "a/b/", type: "dir" },
        { path: "a/b/up", type: "symlink", target: "../.." },
        { path: "top", type: "symlink", target: "a/b/up/../x" },
      ],
      /symlink "top" .*leaves the destination/,
    ],
    [
      "a directory in place of a symlink that an earlier link resolved through",
      [
        { path: "a/b/", type: "dir" },
        { path: "s", type: "symlink", target: "a/b" },
        { path: "x", type: "symlink", target: "s/../.." },
        { path: "s/", type: "dir" },
      ],
      /entry "s\/" replaces a symlink and makes symlink "x" \(to "s\/\.\.\/\.\."\) leaves the destination/,
    ],
    [
      "a symlink loop",
      [
        { path: "x", type: "symlink", target: "y/z" },
        { path: "y", type: "symlink", target: "x" },
      ],
      /symlink loop/,
    ],
  ] as [string, ArchiveEntry[], RegExp][])("refuses %s and writes nothing", async (_name, entries, message) => {
    const src = await archive("hostile", make(entries));
    const dest = join(dir, "out");
    await expect(extract({ src, dest })).rejects.toThrow(message);
    expect(await listTree(dir)).toEqual(["hostile"]);
  });

  it("keeps links that climb and come back inside", async () => {
    const src = await archive(
      "ok",
      make([
        { path: "d/l/", type: "dir" },
        { path: "d/l/f", body: "inside" },
        { path: "e", type: "symlink", target: "d/l/../l/f" },
        { path: "d/up", type: "symlink", target: ".." },
      ]),
    );
    const dest = join(dir, "out");
    await extract({ src, dest });
    expect(await readFile(join(dest, "e"), "utf8")).toBe("inside");
  });

  it("resolves through a link already on disk in dest", async () => {
    const dest = join(dir, "out");
    await mkdir(join(dest, "d"), { recursive: true });
    await symlink("..", join(dest, "d/l"));
    const src = await archive("hostile", make([{ path: "e", type: "symlink", target: "d/l/.." }]));
    await expect(extract({ src, dest })).rejects.toThrow(/symlink "e" points outside .*leaves the destination/);
    await expect(lstat(join(dest, "e"))).rejects.toThrow(/ENOENT/);
  });
});

describe("hard links", () => {
  // The archive from the issue: dest/root -> / and dest/victim hard-linked to a file outside.
  it("refuses root -> / with a hard link through it, and the outside file is untouched", async () => {
    const outside = join(dir, "outside.txt");
    await writeFile(outside, "precious\n");
    const src = await archive(
      "hostile",
      tarOnly([
        { path: "root", type: "symlink", target: "/" },
        { path: "victim", type: "hardlink", target: `root${outside}` },
      ]),
    );
    const dest = join(dir, "out");
    await expect(extract({ src, dest })).rejects.toThrow(ArchiveError);
    await expect(extract({ src, dest })).rejects.toThrow(/symlink "root" points outside.*; hard link "victim"/);
    expect(await listTree(dir)).toEqual(["hostile", "outside.txt"]);
  });

  it("refuses a hard link through relative links that leave dest", async () => {
    const outside = join(dir, "outside.txt");
    await writeFile(outside, "precious\n");
    const dest = join(dir, "a", "out");
    const src = await archive(
      "hostile",
      tarOnly([
        { path: "d/", type: "dir" },
        { path: "d/l", type: "symlink", target: ".." },
        { path: "root", type: "symlink", target: "d/l/../.." },
        { path: "victim", type: "hardlink", target: "root/outside.txt" },
      ]),
    );
    await expect(extract({ src, dest })).rejects.toThrow(
      /symlink "root" points outside.*; hard link "victim" must point at a regular file extracted earlier/,
    );
    expect(await readFile(outside, "utf8")).toBe("precious\n");
    expect(await listTree(join(dir, "a"))).toEqual([]);
  });

  it.each([
    ["a directory", [{ path: "d/", type: "dir" }], "d"],
    [
      "a file reached through an in-archive symlink",
      [
        { path: "s/f", body: "x" },
        { path: "ln", type: "symlink", target: "s" },
      ],
      "ln/f",
    ],
    [
      "a symlink",
      [
        { path: "f", body: "x" },
        { path: "ln", type: "symlink", target: "f" },
      ],
      "ln",
    ],
    ["a file that comes later", [], "later"],
  ] as [string, ArchiveEntry[], string][])("refuses a hard link to %s", async (_name, before, target) => {
    const src = await archive(
      "hostile",
      tarOnly([...before, { path: "h", type: "hardlink", target }, { path: "later", body: "x" }]),
    );
    await expect(extract({ src, dest: join(dir, "out") })).rejects.toThrow(
      `hard link "h" must point at a regular file extracted earlier from this archive, not "${target}"`,
    );
    expect(await listTree(dir)).toEqual(["hostile"]);
  });

  it("refuses a hard link to a file that was on disk before, not in the archive", async () => {
    const dest = join(dir, "out");
    await mkdir(dest);
    await writeFile(join(dest, "existing"), "mine");
    const src = await archive("hostile", tarOnly([{ path: "h", type: "hardlink", target: "existing" }]));
    await expect(extract({ src, dest })).rejects.toThrow(/hard link "h" must point at a regular file extracted/);
  });

  it("the escape archive as GNU-style tar made by the tar package is refused too", async () => {
    // Build the tree on disk and let node-tar write it, so the headers are a real archiver's.
    const tree = join(dir, "tree");
    await mkdir(join(tree, "d"), { recursive: true });
    await symlink("..", join(tree, "d/l"));
    await symlink("d/l/..", join(tree, "e"));
    const src = join(dir, "real.tar");
    await create({ file: src, cwd: tree, portable: true }, ["d", "e"]);
    const dest = join(dir, "out");
    // node-tar may write e before d/l; either way one of the two is named as the escape.
    await expect(extract({ src, dest })).rejects.toThrow(/points outside the destination.*"e".*leaves the destination/);
    await expect(lstat(dest)).rejects.toThrow(/ENOENT/);
  });

  it("a hard link inside dest to an earlier file, appended to, changes only dest", async () => {
    const src = await archive(
      "ok",
      tarOnly([
        { path: "f", body: "one\n" },
        { path: "h", type: "hardlink", target: "f" },
      ]),
    );
    const dest = join(dir, "out");
    await extract({ src, dest });
    await appendFile(join(dest, "h"), "two\n");
    expect(await readFile(join(dest, "f"), "utf8")).toBe("one\ntwo\n");
  });
});

describe.each(formats)("max_size (%s)", (_format, make) => {
  const MiB = 1024 ** 2;

  it("refuses an archive whose files add up to more than max_size, before writing", async () => {
    const zeros = Buffer.alloc(4 * MiB);
    const src = await archive(
      "bomb",
      make([
        { path: "a", body: zeros },
        { path: "b", body: zeros },
      ]),
    );
    const dest = join(dir, "out");
    await expect(extract({ src, dest, maxSize: 6 * MiB })).rejects.toThrow(
      /refusing to extract .*bomb: the files in it add up to more than max_size \(6 MiB\) by entry "b"/,
    );
    expect(await listTree(dir)).toEqual(["bomb"]);
    await expect(listArchive(src, { maxSize: 6 * MiB })).rejects.toThrow(/more than max_size/);
    expect((await extract({ src, dest, maxSize: 8 * MiB })).files).toEqual(["a", "b"]);
  });

  it("refuses a header that declares more than the 2 GiB default, without reading the body", async () => {
    // 3 GiB declared, 1 KiB present: the size check must come from the header alone.
    const src = await archive("bomb", make([{ path: "huge", body: Buffer.alloc(1024), size: 3 * 1024 ** 3 }]));
    await expect(extract({ src, dest: join(dir, "out") })).rejects.toThrow(
      /more than max_size \(2 GiB\) by entry "huge"/,
    );
    expect(await listTree(dir)).toEqual(["bomb"]);
  });
});

describe("max_size against a lying zip", () => {
  it("stops a body that inflates past its declared size, and leaves no partial file", async () => {
    // Declares 100 bytes; the deflated data is 8 MiB of zeros (about 8 KiB on the wire).
    const src = await archive("liar.zip", makeZip([{ path: "x", body: Buffer.alloc(8 * 1024 ** 2), size: 100 }]));
    const dest = join(dir, "out");
    await expect(extract({ src, dest, maxSize: 1024 ** 2 })).rejects.toThrow(/extracting .*liar\.zip/);
    expect(await listTree(dest)).toEqual([]);
  });
});

describe.each(formats)("setuid, setgid and sticky bits (%s)", (_format, make) => {
  const entries: ArchiveEntry[] = [
    { path: "shared/", type: "dir", mode: 0o1777 },
    { path: "bin/su", body: "#!/bin/sh\n", mode: 0o4755 },
    { path: "bin/sg", body: "#!/bin/sh\n", mode: 0o2755 },
  ];
  const bits = async (p: string) => (await lstat(p)).mode & 0o7777;

  it("drops them by default", async () => {
    const src = await archive("a", make(entries));
    const dest = join(dir, "out");
    await extract({ src, dest });
    expect(await bits(join(dest, "bin/su"))).toBe(0o755);
    expect(await bits(join(dest, "bin/sg"))).toBe(0o755);
    expect(await bits(join(dest, "shared"))).toBe(0o777);
    expect((await extract({ src, dest })).changed).toBe(false);
  });

  it("keeps them with keepSetuid, and a later run without it drops them", async () => {
    const src = await archive("a", make(entries));
    const dest = join(dir, "out");
    await extract({ src, dest, keepSetuid: true });
    expect(await bits(join(dest, "bin/su"))).toBe(0o4755);
    expect(await bits(join(dest, "bin/sg"))).toBe(0o2755);
    expect(await bits(join(dest, "shared"))).toBe(0o1777);
    expect((await extract({ src, dest, keepSetuid: true })).changed).toBe(false);
    expect((await extract({ src, dest })).changed).toBe(true);
    expect(await bits(join(dest, "bin/su"))).toBe(0o755);
  });
});
