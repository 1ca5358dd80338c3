/**
 * Another implementation as a child process that speaks the fuzz protocol: one compact
 * `backprop-ref/case@1` document per line on its standard input, one answer per line on its
 * standard output, in order; it exits when its standard input closes. Its standard error is
 * appended to a log file.
 *
 * A child that misbehaves never hangs the fuzzer or outlives it. Each answer is one of:
 * - the line, parsed as JSON (any value: the judge decides whether it is a result);
 * - `exited`: the child ended before answering, with its exit status or signal and the last
 *   lines of its standard error; the next case starts it again;
 * - `timeout`: no line within the time limit; the child is killed and started again for the
 *   next case;
 * - `garbage`: a line that is not JSON, quoted up to 200 characters, or a line longer than
 *   {@link maximumLineBytes};
 * - `not-started`: the command could not be run at all (no such file, not executable).
 *
 * Every child started is killed when {@link ChildProgram.close} is called, and, should the
 * fuzzer's own process end first, when it exits.
 *
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { FormatError } from "../numeric/errors.js";
import { readJson } from "../numeric/read-json.js";
import type { Answer } from "./fuzz-judge.js";
import type { CaseDocument } from "./case-format.js";

/** How a child program is run. */
export interface ProgramOptions {
  /** The command, found on the `PATH` as a shell would. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** How long one answer may take, in milliseconds. */
  readonly timeoutMs: number;
  /** The file its standard error is appended to, or `null` to keep only the last lines in memory. */
  readonly logPath: string | null;
  /** The working directory. Default the fuzzer's. */
  readonly cwd?: string;
}

/** The longest answer line read, in bytes (a result of the largest case is a few hundred kilobytes). */
export const maximumLineBytes = 64 * 1024 * 1024;

/** How many of the last lines of standard error a report quotes. */
export const quotedErrorLines = 10;

/** How long a child may take to exit after its standard input closes, in milliseconds, before it is killed. */
export const exitGraceMs = 2000;

/** Children still running, killed if the fuzzer's process exits first. */
const running = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** One run of the child: its process, what it has written, and the answer being waited for. */
interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  /** Bytes of standard output not yet ending in a newline. */
  pending: Buffer[];
  pendingBytes: number;
  /** Whole lines not yet taken by a question. */
  readonly lines: string[];
  /** The question waiting for a line, if any. */
  waiting: ((answer: Answer) => void) | null;
  /** Set when the process has ended: how, in words. */
  ended: string | null;
  /** Set when the process could not be started. */
  spawnError: string | null;
}

/** A child program answering cases, started on the first question and again after it dies. */
export class ChildProgram {
  readonly #options: ProgramOptions;
  #run: Run | null = null;
  #starts = 0;
  /** The last lines of standard error, across restarts. */
  readonly #errorTail: string[] = [];
  #errorPartial = "";

  /**
   * @param options - the command, its arguments, the time limit and the log file
   */
  constructor(options: ProgramOptions) {
    this.#options = options;
  }

  /** How many times the child has been started. */
  get starts(): number {
    return this.#starts;
  }

  /** The process number of the child now running, or `null` when none is. */
  get pid(): number | null {
    return this.#run === null || this.#run.ended !== null ? null : (this.#run.child.pid ?? null);
  }

  /** The last lines the child wrote to its standard error. */
  get errorTail(): readonly string[] {
    return [...this.#errorTail, ...(this.#errorPartial === "" ? [] : [this.#errorPartial])].slice(-quotedErrorLines);
  }

  /**
   * Sends a case and waits for its answer.
   *
   * @param document - the case, written as one line of compact JSON
   */
  ask(document: CaseDocument): Promise<Answer> {
    return this.askLine(JSON.stringify(document));
  }

  /**
   * Sends one line, as it is, and waits for the answer: for malformed cases, whose text may not be JSON.
   *
   * @param line - the text to send, without a line break
   */
  async askLine(line: string): Promise<Answer> {
    const run = this.#run !== null && this.#run.ended === null ? this.#run : this.#start();
    if (run.spawnError !== null) return { kind: "failure", reason: "not-started", message: run.spawnError };
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        run.waiting = null;
        this.#kill(run);
        resolve({
          kind: "failure",
          reason: "timeout",
          message: `took longer than ${this.#options.timeoutMs} ms to answer; it was killed, and is started again for the next case`,
        });
      }, this.#options.timeoutMs);
      run.waiting = (answer) => {
        clearTimeout(timer);
        run.waiting = null;
        resolve(answer);
      };
      if (run.lines.length > 0) {
        run.waiting(this.#parse(run.lines.shift()!));
        return;
      }
      if (run.ended !== null) {
        run.waiting(this.#exited(run));
        return;
      }
      run.child.stdin.write(`${line}\n`);
    });
  }

  /** Closes the child's standard input and waits for it to exit, killing it after {@link exitGraceMs}. */
  async close(): Promise<void> {
    const run = this.#run;
    if (run === null || run.ended !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#kill(run), exitGraceMs);
      run.child.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      run.child.stdin.end();
    });
  }

  #start(): Run {
    this.#starts++;
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", () => {
        for (const child of running) child.kill("SIGKILL");
      });
    }
    const child = spawn(this.#options.command, [...this.#options.args], {
      cwd: this.#options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const run: Run = { child, pending: [], pendingBytes: 0, lines: [], waiting: null, ended: null, spawnError: null };
    this.#run = run;
    running.add(child);
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        run.spawnError = `could not run ${JSON.stringify(this.#options.command)}: ${error.code ?? error.message}`;
        run.ended = run.spawnError;
        running.delete(child);
        run.waiting?.({ kind: "failure", reason: "not-started", message: run.spawnError });
      }
    });
    // A child that stops reading its input makes writes fail with EPIPE; its exit is reported instead.
    child.stdin.on("error", () => undefined);
    child.stdout.on("data", (chunk: Buffer) => this.#stdout(run, chunk));
    child.stderr.on("data", (chunk: Buffer) => this.#stderr(chunk));
    child.on("close", (code, signal) => {
      running.delete(child);
      run.ended ??= signal !== null ? `was ended by the signal ${signal}` : `exited with status ${code}`;
      if (run.pendingBytes > 0) run.lines.push(Buffer.concat(run.pending).toString("utf8"));
      run.pending = [];
      run.pendingBytes = 0;
      if (run.waiting !== null) run.waiting(run.lines.length > 0 ? this.#parse(run.lines.shift()!) : this.#exited(run));
    });
    return run;
  }

  #stdout(run: Run, chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      run.pending.push(chunk.subarray(start, newline));
      run.lines.push(Buffer.concat(run.pending).toString("utf8"));
      run.pending = [];
      run.pendingBytes = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      run.pending.push(chunk.subarray(start));
      run.pendingBytes += chunk.length - start;
    }
    if (run.pendingBytes > maximumLineBytes) {
      this.#kill(run);
      run.waiting?.({
        kind: "failure",
        reason: "garbage",
        message: `wrote a line longer than ${maximumLineBytes} bytes; it was killed, and is started again for the next case`,
      });
      return;
    }
    if (run.waiting !== null && run.lines.length > 0) run.waiting(this.#parse(run.lines.shift()!));
  }

  #stderr(chunk: Buffer): void {
    if (this.#options.logPath !== null) appendFileSync(this.#options.logPath, chunk);
    const parts = (this.#errorPartial + chunk.toString("utf8")).split("\n");
    this.#errorPartial = parts.pop()!;
    this.#errorTail.push(...parts);
    this.#errorTail.splice(0, Math.max(0, this.#errorTail.length - quotedErrorLines));
  }

  #parse(line: string): Answer {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    try {
      return { kind: "answer", value: readJson(text, "its answer") };
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      const quoted = text.length > 200 ? `${JSON.stringify(text.slice(0, 200))}…` : JSON.stringify(text);
      return { kind: "failure", reason: "garbage", message: `wrote ${quoted}: ${error.message}` };
    }
  }

  #exited(run: Run): Answer {
    const tail = this.errorTail;
    const error =
      tail.length === 0 ? "it wrote nothing to its standard error" : `the last lines of its standard error:\n  ${tail.join("\n  ")}`;
    return { kind: "failure", reason: "exited", message: `${run.ended} before answering; ${error}` };
  }

  #kill(run: Run): void {
    run.ended ??= "was killed";
    run.child.kill("SIGKILL");
  }
}
