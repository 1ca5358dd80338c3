/**
 * The driver of the fuzz protocol against child programs that misbehave: each misbehaviour is an
 * answer with its reason and a message a user can act on, the child is started again after it
 * dies or hangs, and no child outlives the driver's `close`.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { CaseDocument } from "../../src/conformance/case-format.js";
import { ChildProgram, exitGraceMs } from "../../src/conformance/child-program.js";
import { oneUnitCase } from "../support/fixtures.js";

const script = fileURLToPath(new URL("../support/children/misbehaving.mjs", import.meta.url));

/** The smallest case there is, with an id for the answer to copy (the children here read nothing else). */
function smallCase(id: string): CaseDocument {
  return oneUnitCase({ id });
}

const started: ChildProgram[] = [];

/** A driver of the misbehaving child in the given mode. */
function child(mode: string, options: { count?: number; timeoutMs?: number } = {}): ChildProgram {
  const program = new ChildProgram({
    command: process.execPath,
    args: [script, mode, ...(options.count === undefined ? [] : [String(options.count)])],
    timeoutMs: options.timeoutMs ?? 5000,
    logPath: null,
  });
  started.push(program);
  return program;
}

/** Whether a process is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((program) => program.close()));
});

describe("a child program", () => {
  it("answers each case with the line it writes, in order, in one process", async () => {
    const program = child("echo");
    for (const id of ["a", "b", "c"]) {
      expect(await program.ask(smallCase(id))).toEqual({ kind: "answer", value: { format: "backprop-ref/result@1", id } });
    }
    expect(program.starts).toBe(1);
  });

  it("waits for the end of a line written in pieces", async () => {
    expect(await child("slow-chunks").ask(smallCase("a"))).toEqual({ kind: "answer", value: { format: "backprop-ref/result@1", id: "a" } });
  });

  it("reports a crash with its exit status and the last lines of its standard error, and starts again for the next case", async () => {
    const program = child("crash-after", { count: 1 });
    expect((await program.ask(smallCase("a"))).kind).toBe("answer");
    const crash = await program.ask(smallCase("b"));
    expect(crash).toMatchObject({ kind: "failure", reason: "exited" });
    expect(crash.kind === "failure" && crash.message).toBe(
      "exited with status 3 before answering; the last lines of its standard error:\n" +
        "  Traceback (most recent call last):\n  ValueError: shapes (2,3) and (2,1) not aligned",
    );
    expect(await program.ask(smallCase("c"))).toEqual({ kind: "answer", value: { format: "backprop-ref/result@1", id: "c" } });
    expect(program.starts).toBe(2);
  });

  it("reports a program that exits before its first answer", async () => {
    const answer = await child("exit-at-start").ask(smallCase("a"));
    expect(answer).toMatchObject({ kind: "failure", reason: "exited" });
    expect(answer.kind === "failure" && answer.message).toContain("exited with status 4 before answering");
    expect(answer.kind === "failure" && answer.message).toContain("cannot start: missing model");
  });

  it("kills a program that takes longer than the time limit, and starts it again for the next case", async () => {
    const program = child("hang", { timeoutMs: 200 });
    const asked = program.ask(smallCase("a"));
    // The child starts when the first case is sent.
    const first = program.pid!;
    const answer = await asked;
    expect(answer).toEqual({
      kind: "failure",
      reason: "timeout",
      message: "took longer than 200 ms to answer; it was killed, and is started again for the next case",
    });
    expect(program.pid).toBeNull();
    expect((await program.ask(smallCase("b"))).kind).toBe("failure");
    expect(program.starts).toBe(2);
    expect(alive(first)).toBe(false);
  });

  it("quotes the first 200 characters of a line that is not JSON", async () => {
    const answer = await child("garbage").ask(smallCase("a"));
    expect(answer).toMatchObject({ kind: "failure", reason: "garbage" });
    const message = answer.kind === "failure" ? answer.message : "";
    expect(message).toMatch(/^wrote "loss is 0\.25 0\.25 .{150,}"…: its answer is not valid JSON: /);
    expect(message.length).toBeLessThan(400);
  });

  it("says that JSON has no NaN, and where the answer holds one", async () => {
    const answer = await child("nan").ask(smallCase("a"));
    expect(answer).toMatchObject({ kind: "failure", reason: "garbage" });
    expect(answer.kind === "failure" && answer.message).toMatch(/NaN/);
    expect(answer.kind === "failure" && answer.message).toMatch(/loss/);
  });

  it("takes a second line written for one case as the answer to the next, whose id then differs", async () => {
    const program = child("two-lines");
    expect(await program.ask(smallCase("a"))).toEqual({ kind: "answer", value: { format: "backprop-ref/result@1", id: "a" } });
    expect(await program.ask(smallCase("b"))).toEqual({ kind: "answer", value: { format: "backprop-ref/result@1", id: "a" } });
  });

  it("reports a command that cannot be run", async () => {
    const program = new ChildProgram({ command: "/no/such/program", args: [], timeoutMs: 1000, logPath: null });
    started.push(program);
    const answer = await program.ask(smallCase("a"));
    expect(answer).toEqual({ kind: "failure", reason: "not-started", message: 'could not run "/no/such/program": ENOENT' });
  });

  it("leaves no process behind: one that exits when its input closes, and one that does not, killed after the grace period", async () => {
    const polite = child("echo");
    await polite.ask(smallCase("a"));
    const politePid = polite.pid!;
    await polite.close();
    expect(alive(politePid)).toBe(false);

    const stubborn = child("ignore-end");
    await stubborn.ask(smallCase("a"));
    const stubbornPid = stubborn.pid!;
    const before = Date.now();
    await stubborn.close();
    expect(Date.now() - before).toBeGreaterThanOrEqual(exitGraceMs - 50);
    expect(alive(stubbornPid)).toBe(false);
  });
});
