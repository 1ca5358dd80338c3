import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSavePath, saveAtomically } from "../../src/cli/save.js";
import { FileError } from "../../src/numeric/errors.js";
import { runCommand, scratchFolder } from "../support/command.js";

const directory = scratchFolder("save");

describe("saving a file", () => {
  it("refuses, before any work, a path that cannot be written, saying why", async () => {
    const file = join(directory, "plain.txt");
    writeFileSync(file, "");
    mkdirSync(join(directory, "folder"));
    const cases: [string, string][] = [
      ["", "--save must name a file, got an empty name"],
      [
        join(directory, "missing", "m.json"),
        `--save ${join(directory, "missing", "m.json")}: the folder ${join(directory, "missing")} does not exist`,
      ],
      [join(file, "m.json"), `--save ${join(file, "m.json")}: ${file} is not a folder`],
      [join(directory, "folder"), `--save ${join(directory, "folder")}: it is a folder; name a file in it`],
      ["/dev/null", "--save /dev/null: it is not a regular file (a device, a pipe or a socket), so it cannot be replaced"],
    ];
    for (const [path, message] of cases) await expect(checkSavePath(path, "--save")).rejects.toThrow(new FileError(message));
    // No file can be made in /proc, whoever asks (root included): the probe's failure is the refusal.
    await expect(checkSavePath("/proc/model.json", "--save")).rejects.toThrow(
      /^--save \/proc\/model\.json: cannot write in the folder \/proc: E[A-Z]+$/,
    );
    await expect(checkSavePath(join(directory, "new.json"), "--save")).resolves.toBeUndefined();
    await expect(checkSavePath(file, "--save")).resolves.toBeUndefined();
    expect(readdirSync(directory).sort()).toStrictEqual(["folder", "plain.txt"]);
  });

  it("writes the whole text, replacing an old file, and leaves no temporary file", async () => {
    const path = join(directory, "model.json");
    writeFileSync(path, "old");
    await saveAtomically(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(directory).filter((name) => name.endsWith(".tmp"))).toStrictEqual([]);
    // A temporary file left by a killed run of a process with this one's number is in nobody's way.
    const left = `.model.json.${process.pid}.tmp`;
    writeFileSync(join(directory, left), "partial");
    await checkSavePath(path, "--save");
    await saveAtomically(path, "newer");
    expect(readFileSync(path, "utf8")).toBe("newer");
    expect(readdirSync(directory).filter((name) => name.endsWith(".tmp"))).toStrictEqual([left]);
  });

  it("leaves what stood at the path, and no temporary file, when the write fails", async () => {
    // A folder at the path: the temporary file is written, and the rename over the folder fails.
    const path = join(directory, "kept");
    mkdirSync(path);
    writeFileSync(join(path, "inside.txt"), "old");
    await expect(saveAtomically(path, "new")).rejects.toThrow(/^cannot write .*kept: EISDIR$/);
    expect(readFileSync(join(path, "inside.txt"), "utf8")).toBe("old");
    expect(readdirSync(directory).filter((name) => name.startsWith(".kept"))).toStrictEqual([]);
  });

  it("a process killed while it writes leaves the old file or the whole new one, never a part", async () => {
    const path = join(directory, "killed.json");
    writeFileSync(path, "old");
    const script = `import { saveAtomically } from ${JSON.stringify(new URL("../../src/cli/save.ts", import.meta.url).pathname)};
      await saveAtomically(${JSON.stringify(path)}, "x".repeat(64 * 1024 * 1024));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Killed as soon as its temporary file holds some bytes, that is, while it writes the 64 MB.
    const temporary = () => readdirSync(directory).find((name) => name.startsWith(`.killed.json.${child.pid}-`));
    const written = () => {
      const name = temporary();
      return name === undefined ? 0 : statSync(join(directory, name)).size;
    };
    while (written() === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 1));
    child.kill("SIGKILL");
    await exited;
    // The old file, or (had the write finished first) the whole new one: never a part.
    const left = readFileSync(path, "utf8");
    expect(left === "old" || left.length === 64 * 1024 * 1024).toBe(true);
  });
});

describe("train --save", () => {
  it("refuses a path it cannot write before training starts, so that no run is lost", async () => {
    // MNIST for 100,000 epochs would train for days: an answer at all shows the path was checked first.
    const missing = join(directory, "missing", "model.json");
    expect(await runCommand(["train", "--dataset", "mnist", "--epochs", "100000", "--save", missing])).toStrictEqual({
      status: 2,
      stdout: "",
      stderr: `backprop-ref train: --save ${missing}: the folder ${join(directory, "missing")} does not exist\n`,
    });
    expect((await runCommand(["train", "--dataset", "mnist", "--epochs", "100000", "--save", "/dev/null"])).stderr).toBe(
      'backprop-ref train: --save must name the model\'s .json file (the plot goes beside it, .svg for .json), got "/dev/null"\n',
    );
    expect((await runCommand(["train", "--dataset", "mnist", "--epochs", "100000", "--save", "plot.svg"])).stderr).toContain(
      '--save must name the model\'s .json file (the plot goes beside it, .svg for .json), got "plot.svg"',
    );
    mkdirSync(join(directory, "folder.json"));
    expect(
      (await runCommand(["train", "--dataset", "mnist", "--epochs", "100000", "--save", join(directory, "folder.json")])).stderr,
    ).toContain("folder.json: it is a folder; name a file in it");
  });

  it("saves the model and its plot beside it, the plot named from the model's name", async () => {
    const model = join(directory, "xor.json");
    const { status, stdout } = await runCommand(["train", "--dataset", "xor", "--epochs", "10", "--save", model]);
    expect(status).toBe(0);
    expect(stdout.trim().split("\n").at(-1)).toBe(`saved the model to ${model} and the plot to ${join(directory, "xor.svg")}`);
    expect(readFileSync(join(directory, "xor.svg"), "utf8")).toMatch(/^<svg /);
  });
});
