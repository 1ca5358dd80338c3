import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSite, formatSiteReport } from "../../scripts/check-site.js";

// The site is built from typedoc.json as `npm run docs` builds it, into a folder of its
// own so that the test never touches `site/`, then served on 127.0.0.1 and read in Debian's
// Chromium. With SITE_SCREENSHOTS=screen (the first screen of each) or SITE_SCREENSHOTS=full
// (the whole page), screenshots of the key pages go to `screenshots/` for a person to look at;
// the test itself needs none, and they cost a third of its time.

const root = join(import.meta.dirname, "..", "..");
const chromiumPath = "/usr/bin/chromium";
const screenshots = join(root, "screenshots");
const screenshotMode = process.env.SITE_SCREENSHOTS;

/** The pages a reader opens first, in reading order, with the file name of their screenshot. */
const keyPages = [
  ["index.html", "00-readme"],
  ["documents/1._Notation_and_shapes.html", "01-notation"],
  ["documents/2._Feedforward.html", "02-feedforward"],
  ["documents/3._The_output_error_and_the_loss.html", "03-output-error"],
  ["documents/4._The_hidden_error_through_the_transposed_weights.html", "04-hidden-error"],
  ["documents/5._Delta_weights_and_the_update.html", "05-delta-weights"],
  ["documents/6._Batches.html", "06-batches"],
  ["documents/7._Activations_and_losses.html", "07-activations-and-losses"],
  ["documents/8._Gradient_checking.html", "08-gradient-checking"],
  ["documents/9._Forward_mode.html", "09-forward-mode"],
  ["documents/10._The_second_derivative.html", "10-second-derivative"],
  ["documents/11._The_intuitive_rule_against_the_exact_gradient.html", "11-intuitive-rule"],
  ["documents/12._Using_backprop-ref_as_a_baseline.html", "12-baseline"],
  ["documents/13._Weight_decay.html", "12b-weight-decay"],
  ["documents/Worked_example__every_number_of_one_step.html", "13-worked-example"],
  ["modules/model_backprop.html", "14-backprop-module"],
  ["functions/model_backprop.hiddenError.html", "15-hidden-error-function"],
] as const;

/**
 * The few browser objects the page functions below read. The project compiles for Node
 * without the DOM library, and functions passed to `page.evaluate` run in the browser, so they
 * reach `document` through `globalThis` with these types.
 */
interface BrowserDocument {
  readonly body: { readonly style: { readonly display: string } };
  querySelectorAll(selector: string): Iterable<{ getBoundingClientRect(): { width: number; height: number }; readonly textContent: string | null }>;
  readonly fonts: Iterable<{ readonly family: string; readonly status: string }> & {
    readonly ready: Promise<unknown>;
    check(font: string): boolean;
  };
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
};

let site = "";
let server: Server | undefined;
let browser: Browser | undefined;
let origin = "";

beforeAll(async () => {
  site = mkdtempSync(join(tmpdir(), "backprop-ref-site-"));
  // TypeDoc's own entry point (its bin only forks it), and without its type check: the static
  // checks of `npm test` type-check the same sources, and the check is a third of TypeDoc's time.
  const typedoc = join(root, "node_modules", "typedoc", "dist", "cli.js");
  const build = spawnSync(process.execPath, [typedoc, "--out", site, "--skipErrorChecking"], {
    cwd: root,
    encoding: "utf8",
  });
  if (build.status !== 0) {
    throw new Error(`npm run docs would fail: typedoc exited with ${build.status}\n${build.stdout}\n${build.stderr}`);
  }
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname));
    let file = join(site, path);
    if (!file.startsWith(site + sep) && file !== site) {
      response.writeHead(403).end();
      return;
    }
    if (path === "/favicon.ico") {
      // The browser asks every site for one; TypeDoc's site has none, which is not an error.
      response.writeHead(204).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      response.writeHead(404).end(`no ${path}`);
      return;
    }
    response.writeHead(200, { "content-type": contentTypes[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  if (site !== "") rmSync(site, { recursive: true, force: true });
});

describe("the documentation site", () => {
  it("passes the site check: no TeX errors, no raw TeX, stylesheet and fonts present, no broken links", () => {
    const report = checkSite(site);
    expect(report.problems, formatSiteReport(report)).toEqual([]);
    expect(report.mathPages).toBeGreaterThan(20);
  });

  it("has every page of the derivation and the worked example", () => {
    for (const [page] of keyPages) expect(existsSync(join(site, page)), `${page} was not built`).toBe(true);
  });

  it("shows typeset formulas in a real browser, with the KaTeX fonts loaded and no console errors", async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium is missing at ${chromiumPath}; the browser test needs Debian's chromium package: ` +
          "run `apt-get update && apt-get install -y chromium` (or `npm run setup`)",
      );
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    if (screenshotMode !== undefined) mkdirSync(screenshots, { recursive: true });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    // Three pages at a time: Chromium renders in processes of its own, so while one page lays
    // out its formulas another can load.
    const checkPage = async ([path, name]: (typeof keyPages)[number]): Promise<void> => {
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${path}: console error: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`${path}: page error: ${error.message}`));
      page.on("requestfailed", (request) => problems.push(`${path}: request failed: ${request.url()}`));
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${path}: ${response.status()} for ${response.url()}`);
      });
      await page.goto(`${origin}/${path}`, { waitUntil: "load" });
      // TypeDoc hides the body until its script has set the page up.
      await page.waitForFunction(() => (globalThis as unknown as { document: BrowserDocument }).document.body.style.display !== "none");
      const math = await page.evaluate(async () => {
        const document = (globalThis as unknown as { document: BrowserDocument }).document;
        await document.fonts.ready;
        const formulas = [...document.querySelectorAll(".col-content .katex")];
        const empty = formulas.filter((element) => {
          const box = element.getBoundingClientRect();
          return box.width === 0 || box.height === 0;
        });
        const fonts = [...document.fonts].filter((font) => font.family.replaceAll('"', "").startsWith("KaTeX_"));
        return {
          formulas: formulas.length,
          empty: empty.map((element) => element.textContent?.slice(0, 60) ?? ""),
          loaded: fonts.filter((font) => font.status === "loaded").map((font) => font.family.replaceAll('"', "")),
          failed: fonts.filter((font) => font.status === "error").map((font) => font.family.replaceAll('"', "")),
          mainReady: document.fonts.check('16px "KaTeX_Main"') && document.fonts.check('italic 16px "KaTeX_Math"'),
        };
      });
      if (math.formulas === 0) problems.push(`${path}: no typeset formula`);
      for (const text of math.empty) problems.push(`${path}: a formula has zero size: ${text}`);
      for (const family of math.failed) problems.push(`${path}: KaTeX font ${family} failed to load`);
      if (!math.loaded.includes("KaTeX_Main") || !math.loaded.includes("KaTeX_Math") || !math.mainReady) {
        problems.push(`${path}: the KaTeX fonts did not load (loaded: ${math.loaded.join(", ") || "none"})`);
      }
      if (screenshotMode !== undefined) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: screenshotMode === "full" });
      await page.close();
    };
    const queue = [...keyPages];
    await Promise.all(
      [1, 2, 3].map(async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) await checkPage(next);
      }),
    );
    expect(problems).toEqual([]);

    // The code is one click away from the formula: "Defined in" opens the source at the line.
    const page = await context.newPage();
    await page.goto(`${origin}/functions/model_backprop.hiddenError.html`);
    await page.waitForFunction(() => (globalThis as unknown as { document: BrowserDocument }).document.body.style.display !== "none");
    await page.click('a[href*="source/src/model/backprop.ts.html#L"]');
    await page.waitForURL(/source\/src\/model\/backprop\.ts\.html#L\d+$/);
    expect(await page.locator(":target").textContent()).toMatch(/export function hiddenError\(/);
    if (screenshotMode !== undefined) await page.screenshot({ path: join(screenshots, "16-hidden-error-source.png") });
    await page.close();
  }, 90_000);
});
