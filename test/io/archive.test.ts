import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extract, listArchive } from "../../src/engine/io/archive.js";
import { type ArchiveEntry, makeTar, makeZip } from "../support/archives.js";
import { listTree, tempDir } from "../support/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const bundle: ArchiveEntry[] = [
  { path: "istio-1.30.4/", type: "dir" },
  { path: "istio-1.30.4/bin/istioctl", body: "#!/bin/sh\necho istioctl\n", mode: 0o755 },
  { path: "istio-1.30.4/manifests/profiles/demo.yaml", body: "profile: demo\n" },
  { path: "istio-1.30.4/samples/README.md", body: "# samples\n", mode: 0o600 },
];

const formats = [
  ["tar.gz", (e: ArchiveEntry[]) => makeTar(e)],
  ["tar", (e: ArchiveEntry[]) => makeTar(e, { gzip: false })],
  ["zip", (e: ArchiveEntry[]) => makeZip(e)],
] as const;

async function archive(name: string, bytes: Buffer): Promise<string> {
  // The name never says the format: detection is by magic bytes.
  const src = join(dir, name);
  await writeFile(src, bytes);
  return src;
}

const mode = async (p: string) => (await lstat(p)).mode & 0o777;

describe.each(formats)("extract (%s)", (format, make) => {
  it("extracts with modes kept, then reports no change on a second run", async () => {
    const src = await archive("download.bin", make(bundle));
    const dest = join(dir, "out");
    const first = await extract({ src, dest });
    expect(first).toMatchObject({ changed: true, format });
    expect(await readFile(join(dest, "istio-1.30.4/bin/istioctl"), "utf8")).toContain("echo istioctl");
    expect(await mode(join(dest, "istio-1.30.4/bin/istioctl"))).toBe(0o755);
    expect(await mode(join(dest, "istio-1.30.4/samples/README.md"))).toBe(0o600);
    expect((await extract({ src, dest })).changed).toBe(false);
  });

  it("strips leading components and honours include patterns", async () => {
    const src = await archive("a", make(bundle));
    const dest = join(dir, "bin");
    const r = await extract({ src, dest, stripComponents: 2, include: ["istioctl"] });
    expect(r.files).toEqual(["istioctl"]);
    expect(await listTree(dest)).toEqual(["istioctl"]);
  });

  it("notices a changed file and a changed mode", async () => {
    const src = await archive("a", make(bundle));
    const dest = join(dir, "out");
    await extract({ src, dest });
    await writeFile(join(dest, "istio-1.30.4/manifests/profiles/demo.yaml"), "edited\n");
    expect((await extract({ src, dest })).changed).toBe(true);
    expect(await readFile(join(dest, "istio-1.30.4/manifests/profiles/demo.yaml"), "utf8")).toBe("profile: demo\n");
    await chmod(join(dest, "istio-1.30.4/bin/istioctl"), 0o644);
    expect((await extract({ src, dest })).changed).toBe(true);
    expect((await extract({ src, dest, mode: 0o700 })).changed).toBe(true);
    expect(await mode(join(dest, "istio-1.30.4/samples/README.md"))).toBe(0o700);
  });

  it("keeps a symlink that stays inside dest", async () => {
    const src = await archive(
      "a",
      make([...bundle, { path: "istio-1.30.4/istioctl", type: "symlink", target: "bin/istioctl" }]),
    );
    const dest = join(dir, "out");
    await extract({ src, dest });
    expect(await readlink(join(dest, "istio-1.30.4/istioctl"))).toBe("bin/istioctl");
    expect((await extract({ src, dest })).changed).toBe(false);
  });

  it.each([
    ["a '..' path", [{ path: "../evil", body: "x" }], /"\.\.\/evil" contains a '\.\.' path component/],
    ["a nested '..' path", [{ path: "ok/../../evil", body: "x" }], /contains a '\.\.'/],
    ["an absolute path", [{ path: "/tmp/evil", body: "x" }], /"\/tmp\/evil" is an absolute path/],
    [
      "a symlink pointing out, then a file through it",
      [
        { path: "link", type: "symlink", target: "../outside" },
        { path: "link/evil", body: "x" },
      ],
      /symlink "link" points outside the destination/,
    ],
    [
      "a file through an in-archive symlink",
      [
        { path: "d/", type: "dir" },
        { path: "ln", type: "symlink", target: "d" },
        { path: "ln/evil", body: "x" },
      ],
      /"ln\/evil" would be written through the symlink "ln"/,
    ],
    ["an absolute symlink", [{ path: "abs", type: "symlink", target: "/etc/passwd" }], /points outside/],
  ] as [string, ArchiveEntry[], RegExp][])(
    "refuses %s and writes nothing anywhere",
    async (_name, entries, message) => {
      const src = await archive("hostile", make([{ path: "first.txt", body: "harmless" }, ...entries]));
      const dest = join(dir, "a", "b", "out");
      await expect(extract({ src, dest })).rejects.toThrow(message);
      expect(await listTree(dir)).toEqual(["hostile"]);
    },
  );

  it("refuses to write through a symlink already on disk in dest", async () => {
    const src = await archive("a", make([{ path: "conf/evil", body: "x" }]));
    const dest = join(dir, "out");
    await mkdir(join(dir, "elsewhere"));
    await mkdir(dest);
    await symlink(join(dir, "elsewhere"), join(dest, "conf"));
    await expect(extract({ src, dest })).rejects.toThrow(/would be written through the existing symlink/);
    expect(await listTree(join(dir, "elsewhere"))).toEqual([]);
  });
});

describe("tar hard links", () => {
  it("links to a file extracted earlier", async () => {
    const src = await archive(
      "a",
      makeTar([
        { path: "pkg/bin/istioctl", body: "bin", mode: 0o755 },
        { path: "pkg/istioctl", type: "hardlink", target: "pkg/bin/istioctl" },
      ]),
    );
    const dest = join(dir, "out");
    await extract({ src, dest, stripComponents: 1 });
    expect((await lstat(join(dest, "istioctl"))).ino).toBe((await lstat(join(dest, "bin/istioctl"))).ino);
    expect((await extract({ src, dest, stripComponents: 1 })).changed).toBe(false);
  });

  it("refuses a hard link to a path outside dest", async () => {
    const src = await archive("a", makeTar([{ path: "passwd", type: "hardlink", target: "../../etc/passwd" }]));
    await expect(extract({ src, dest: join(dir, "out") })).rejects.toThrow(/hard link "passwd" points outside/);
    expect(await listTree(dir)).toEqual(["a"]);
  });
});

describe("listArchive", () => {
  it("lists what would be extracted without writing", async () => {
    const src = await archive("a", makeTar(bundle));
    const listed = await listArchive(src, { stripComponents: 1, include: ["bin/*"], dest: join(dir, "none") });
    expect(listed.format).toBe("tar.gz");
    expect(listed.entries.map((e) => e.rel)).toEqual(["bin/istioctl"]);
    expect(await listTree(dir)).toEqual(["a"]);
  });

  it("names the file when it is not an archive", async () => {
    const src = await archive("notes.tar.gz", Buffer.from("just text"));
    await expect(listArchive(src)).rejects.toThrow(`cannot read archive ${src}: not a tar, tar.gz or zip archive`);
  });

  it("fails on a corrupt gzip before writing anything", async () => {
    const good = makeTar(bundle);
    const src = await archive("bad", Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 9)]));
    await expect(extract({ src, dest: join(dir, "out") })).rejects.toThrow(/cannot read archive/);
    expect(await listTree(dir)).toEqual(["bad"]);
  });
});
