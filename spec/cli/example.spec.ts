import { describe, expect, it } from "vitest";
import { runCommand } from "../support/command.js";

const run = runCommand;

describe("backprop-ref example", () => {
  it("prints the worked example", async () => {
    const { status, stdout } = await run(["example"]);
    expect(status).toBe(0);
    expect(stdout).toContain("Forward pass");
    expect(stdout).toContain("passed: worst relative error");
  });
});
