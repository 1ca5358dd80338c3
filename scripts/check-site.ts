/**
 * The site check: reads every HTML page of a built site and reports what a reader would see
 * broken, without a browser.
 *
 * - a KaTeX error element (`katex-error`: a formula KaTeX could not typeset);
 * - raw TeX left in the visible text: `$$`, a TeX command such as `\frac`, or `$…$` around
 *   `\`, `^`, `_` or `{` (code blocks and typeset formulas are not visible text here);
 * - a page with typeset math that does not link the KaTeX stylesheet, or links one that is
 *   missing;
 * - a font file that the KaTeX stylesheet names but the site lacks;
 * - an internal link (`href`, `src`) to a file that does not exist, or to an anchor that the
 *   target page does not have.
 *
 * Usage: `npx tsx scripts/check-site.ts [site]` (default `site`); exits 1 and lists every
 * problem if there is any.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type HTMLElement } from "node-html-parser";

/** One problem found in the site: the page (relative to the site's root) and what is wrong. */
export interface SiteProblem {
  /** The page or file, relative to the site's root, with `/` separators. */
  readonly page: string;
  /** What is wrong, in words. */
  readonly problem: string;
}

/** The pages of a site that were read, and the problems found in them. */
export interface SiteReport {
  /** How many HTML pages were read. */
  readonly pages: number;
  /** How many of them carry typeset math. */
  readonly mathPages: number;
  /** Every problem found, in page order. */
  readonly problems: readonly SiteProblem[];
}

/** TeX that should have been typeset: a display delimiter, a command, or inline math with TeX in it. */
const rawTex =
  /\$\$|\\(?:frac|sum|partial|delta|odot|mathrm|text|left|right|top|lbrace|rbrace|eta|cdot|times|le|ge|approx|quad|sqrt|log|exp|max)\b|\$[^$\n]*[\\^_{][^$\n]*\$/;

/**
 * Checks every HTML page under a built site.
 *
 * @param siteDirectory - the site's root folder (the `out` of typedoc.json)
 */
export function checkSite(siteDirectory: string): SiteReport {
  const rootDirectory = resolve(siteDirectory);
  if (!existsSync(join(rootDirectory, "index.html"))) {
    return { pages: 0, mathPages: 0, problems: [{ page: "index.html", problem: `no site at ${rootDirectory}: run npm run docs first` }] };
  }
  const files = listFiles(rootDirectory).filter((file) => file.endsWith(".html"));
  // Each page is parsed once and let go: what the links of other pages need from it, its ids
  // and names, is kept; its tree is not (839 trees held at once cost more in garbage
  // collection than the parsing itself).
  const anchors = new Map<string, ReadonlySet<string>>();
  const pageLinks: { readonly file: string; readonly links: readonly string[] }[] = [];
  const problems: SiteProblem[][] = [];
  let mathPages = 0;
  const checkedStylesheets = new Set<string>();
  for (const file of files) {
    const page = relative(rootDirectory, file).split(sep).join("/");
    const found: SiteProblem[] = [];
    problems.push(found);
    const report = (problem: string): void => {
      found.push({ page, problem });
    };
    const document = parse(readFileSync(file, "utf8"), { blockTextElements: { script: true, style: true } });
    anchors.set(
      file,
      new Set(
        document
          .querySelectorAll("[id], [name]")
          .flatMap((element) => [element.getAttribute("id"), element.getAttribute("name")].filter((name) => name !== undefined)),
      ),
    );
    pageLinks.push({
      file,
      links: document.querySelectorAll("[href], [src]").map((element) => element.getAttribute("href") ?? element.getAttribute("src") ?? ""),
    });

    for (const element of document.querySelectorAll(".katex-error")) {
      report(`KaTeX error: ${element.getAttribute("title") ?? element.text}`);
    }

    const hasMath = document.querySelector(".katex") !== null;
    const stylesheets = document
      .querySelectorAll('link[rel="stylesheet"]')
      .map((link) => link.getAttribute("href") ?? "")
      .filter((href) => /katex(\.min)?\.css$/.test(href));

    const visible = visibleText(document);
    const leftover = rawTex.exec(visible);
    if (leftover !== null) {
      const start = Math.max(0, leftover.index - 40);
      report(`raw TeX in the visible text: …${visible.slice(start, leftover.index + 60).replace(/\s+/g, " ")}…`);
    }

    if (hasMath) {
      mathPages++;
      if (stylesheets.length === 0) report("typeset math but no KaTeX stylesheet");
    }
    for (const href of stylesheets) {
      const stylesheet = resolve(dirname(file), href);
      if (!existsSync(stylesheet)) {
        report(`KaTeX stylesheet ${href} is missing`);
      } else if (!checkedStylesheets.has(stylesheet)) {
        checkedStylesheets.add(stylesheet);
        for (const font of fontUrls(readFileSync(stylesheet, "utf8"))) {
          if (!existsSync(resolve(dirname(stylesheet), font))) {
            found.push({ page: relative(rootDirectory, stylesheet).split(sep).join("/"), problem: `font file ${font} is missing` });
          }
        }
      }
    }
  }

  pageLinks.forEach(({ file, links }, index) => {
    const page = relative(rootDirectory, file).split(sep).join("/");
    for (const link of links) {
      if (link === "" || /^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith("//")) continue;
      const [path = "", anchor] = link.split("#", 2);
      const target = path === "" ? file : resolve(dirname(file), decodeURIComponent(path.split("?")[0]!));
      if (!target.startsWith(rootDirectory) || !existsSync(target) || statSync(target).isDirectory()) {
        problems[index]!.push({ page, problem: `broken link ${link}: no file ${relative(rootDirectory, target)}` });
        continue;
      }
      if (anchor !== undefined && anchor !== "" && target.endsWith(".html")) {
        const id = decodeURIComponent(anchor);
        if (anchors.get(target)?.has(id) !== true) {
          problems[index]!.push({ page, problem: `broken link ${link}: no anchor #${id} in ${relative(rootDirectory, target)}` });
        }
      }
    }
  });
  return { pages: files.length, mathPages, problems: problems.flat() };
}

/** The text a reader sees: without scripts, styles, code and typeset formulas. The page's tree loses those elements. */
function visibleText(document: HTMLElement): string {
  for (const element of document.querySelectorAll("script, style, pre, code, .katex, .katex-display, head")) {
    element.remove();
  }
  return document.text;
}

/** The relative `url(…)`s of a stylesheet. */
function fontUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)]
    .map((match) => match[1]!)
    .filter((url) => !/^[a-z][a-z0-9+.-]*:/i.test(url));
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      return entry.isDirectory() ? listFiles(path) : [path];
    });
}

/** Formats a report for the terminal: one line per problem, then a summary. */
export function formatSiteReport(report: SiteReport): string {
  const lines = report.problems.map(({ page, problem }) => `${page}: ${problem}`);
  lines.push(
    report.problems.length === 0
      ? `site check passed: ${report.pages} pages, ${report.mathPages} with typeset math`
      : `site check failed: ${report.problems.length} problems in ${report.pages} pages`,
  );
  return lines.join("\n");
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = checkSite(process.argv[2] ?? "site");
  console.log(formatSiteReport(report));
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
