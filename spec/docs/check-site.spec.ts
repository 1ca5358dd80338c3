import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkSite } from "../../scripts/check-site.js";

// A tiny site in the shape TypeDoc writes: a page with one typeset formula, the KaTeX
// stylesheet and the one font it names, and a second page the first links to.
const typeset = '<span class="katex"><span class="katex-mathml"><annotation encoding="application/x-tex">\\frac12</annotation></span><span class="katex-html">½</span></span>';

function page(body: string, head = '<link rel="stylesheet" href="assets/katex/katex.min.css">'): string {
  return `<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`;
}

const fixtures: string[] = [];
function site(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "check-site-"));
  fixtures.push(root);
  const all: Record<string, string> = {
    "index.html": page(`<p>The loss is ${typeset}.</p><a href="other.html#step">next</a>`),
    "other.html": page('<h2 id="step">A step</h2><pre><code>const price = "$$" + cost; // \\frac in code is fine</code></pre>'),
    "assets/katex/katex.min.css": '@font-face{src:url(fonts/KaTeX_Main-Regular.woff2) format("woff2")}',
    "assets/katex/fonts/KaTeX_Main-Regular.woff2": "font",
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const root of fixtures.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("the site check", () => {
  it("passes a site whose math is typeset, styled and linked correctly", () => {
    const report = checkSite(site({}));
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ pages: 2, mathPages: 1 });
  });

  it("rejects a KaTeX error element", () => {
    const root = site({ "index.html": page(`<p>${typeset} <span class="katex-error" title="\\fracc">ParseError</span></p>`) });
    expect(checkSite(root).problems).toEqual([{ page: "index.html", problem: "KaTeX error: \\fracc" }]);
  });

  it("rejects raw $$ left in the visible text", () => {
    const root = site({ "other.html": page('<h2 id="step">A step</h2><p>$$E = \\frac12 (t - o)^2$$</p>') });
    expect(checkSite(root).problems).toMatchObject([{ page: "other.html", problem: expect.stringMatching(/^raw TeX/) }]);
  });

  it("rejects inline TeX that was not typeset", () => {
    const root = site({ "other.html": page('<h2 id="step">A step</h2><p>the delta $\\delta^{(L)}$</p>') });
    expect(checkSite(root).problems).toMatchObject([{ page: "other.html", problem: expect.stringMatching(/^raw TeX/) }]);
  });

  it("rejects a math page without the KaTeX stylesheet", () => {
    const root = site({ "index.html": page(`<p>${typeset}</p>`, "") });
    expect(checkSite(root).problems).toEqual([{ page: "index.html", problem: "typeset math but no KaTeX stylesheet" }]);
  });

  it("rejects a missing font file", () => {
    const root = site({ "assets/katex/katex.min.css": "@font-face{src:url(fonts/KaTeX_Math-Italic.woff2)}" });
    expect(checkSite(root).problems).toEqual([
      { page: "assets/katex/katex.min.css", problem: "font file fonts/KaTeX_Math-Italic.woff2 is missing" },
    ]);
  });

  it("rejects a link to a missing page and to a missing anchor", () => {
    const root = site({ "index.html": page(`<p>${typeset}</p><a href="gone.html">a</a><a href="other.html#nowhere">b</a>`) });
    expect(checkSite(root).problems).toEqual([
      { page: "index.html", problem: "broken link gone.html: no file gone.html" },
      { page: "index.html", problem: "broken link other.html#nowhere: no anchor #nowhere in other.html" },
    ]);
  });

  it("says so when there is no site at all", () => {
    const root = site({});
    rmSync(join(root, "index.html"));
    expect(checkSite(root).problems).toMatchObject([{ problem: expect.stringMatching(/run npm run docs first/) }]);
  });
});
