// A TypeDoc plugin that typesets the math of the doc comments and the docs/ pages with KaTeX at
// build time, so that the site shows formulas without running any script.
//
// - `$…$` and `$$…$$` are parsed by @vscode/markdown-it-katex, registered through TypeDoc's
//   `markdownItLoader` option. The option is set once the bootstrap has ended: a value set
//   earlier is overwritten when TypeDoc reads its configuration.
// - Every formula is rendered with KaTeX's `throwOnError` and `strict: "error"`; a TeX error is
//   logged as a TypeDoc error naming the page and the formula, which fails the build.
// - Every page links the KaTeX stylesheet, and the stylesheet and its fonts are copied into
//   `assets/katex/` of the site, so the site works offline.
// - "Defined in" links point into the site itself: typedoc.json's `sourceLinkTemplate` writes
//   `source-link:{path}#L{line}`, each page's such links are rewritten to `source/{path}.html#L…`,
//   and every linked source file is written there as a page with one anchor per line, so the
//   code is one click away from every formula without a code host.
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, JSX, PageEvent, RendererEvent } from "typedoc";

const require = createRequire(import.meta.url);
const katex = require("katex");
const markdownItKatex = require("@vscode/markdown-it-katex").default;

/** Where the stylesheet and fonts go, relative to the site's root. */
const katexAssets = "assets/katex";

/**
 * A wide formula or table of numbers scrolls inside the text column instead of widening the
 * page; code blocks keep their columns aligned rather than wrapping.
 */
const layout = `
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2em 0; }
.col-content pre { white-space: pre; overflow-x: auto; }
`;

/** The repository's root, against which TypeDoc's `{path}` in source links is relative. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the pages of the source files go, relative to the site's root. */
const sourcePages = "source";

/** @param {string} text */
function escapeHtml(text) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/**
 * A source file as a page: one block element per line (joined without newlines, which a `pre`
 * would show as blank lines), each with the anchor `L{line}` that TypeDoc's links name; the
 * linked line is highlighted and scrolled below the doc comment above it.
 *
 * @param {string} path - relative to the repository's root
 * @param {string} relativeRoot - from the page to the site's root
 */
function sourcePage(path, relativeRoot) {
  const lines = readFileSync(join(root, path), "utf8").replace(/\n$/, "").split("\n");
  const body = lines
    .map(
      (line, index) =>
        `<span class="line" id="L${index + 1}"><a class="number" href="#L${index + 1}">${index + 1}</a>${escapeHtml(line)}</span>`,
    )
    .join("");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(path)} | backprop-ref</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { margin: 0; font-family: system-ui, sans-serif; }
header { padding: 0.5rem 1rem; border-bottom: 1px solid #ccc; }
pre { margin: 0; padding: 1rem 0; font-size: 0.85rem; line-height: 1.4; }
.line { display: block; padding-right: 1rem; white-space: pre-wrap; }
.line:target { background: #fff3b0; scroll-margin-top: 40vh; }
.number { display: inline-block; width: 4em; padding-right: 1em; text-align: right; color: #888; text-decoration: none; user-select: none; }
</style></head>
<body><header><a href="${relativeRoot}index.html">backprop-ref</a> / <strong>${escapeHtml(path)}</strong></header>
<pre><code>${body}</code></pre></body></html>
`;
}

/** @param {Application} app */
export function load(app) {
  /** The page being rendered, to say where a TeX error is. */
  let page = "(before rendering)";
  /** @type {Set<string>} */
  const texErrors = new Set();

  // The markdown plugin catches KaTeX's exceptions and writes a `katex-error` element instead;
  // this KaTeX wrapper records each one first, so the build can fail on it.
  const strictKatex = {
    ...katex,
    renderToString(tex, options) {
      try {
        return katex.renderToString(tex, { ...options, throwOnError: true, strict: "error" });
      } catch (error) {
        texErrors.add(`${page}: ${error instanceof Error ? error.message : String(error)} in ${JSON.stringify(tex)}`);
        throw error;
      }
    },
  };

  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    app.options.setValue("markdownItLoader", (parser) => {
      parser.use(markdownItKatex, { katex: strictKatex, throwOnError: false });
    });
  });

  app.renderer.on(PageEvent.BEGIN, (event) => {
    page = event.url;
  });

  /** @type {Set<string>} */
  const linkedSources = new Set();
  app.renderer.on(PageEvent.END, (event) => {
    const relativeRoot = "../".repeat(event.url.split("/").length - 1);
    event.contents = event.contents?.replace(/href="source-link:([^"#]+)#L(\d+)"/g, (_, path, line) => {
      linkedSources.add(path);
      return `href="${relativeRoot}${sourcePages}/${path}.html#L${line}"`;
    });
  });

  app.renderer.hooks.on("head.end", (context) =>
    JSX.createElement(
      JSX.Fragment,
      null,
      JSX.createElement("link", { rel: "stylesheet", href: context.relativeURL(`${katexAssets}/katex.min.css`, true) }),
      JSX.createElement("style", null, JSX.createElement(JSX.Raw, { html: layout })),
    ),
  );

  app.renderer.on(RendererEvent.END, (event) => {
    const katexDist = join(dirname(require.resolve("katex/package.json")), "dist");
    const target = join(event.outputDirectory, katexAssets);
    mkdirSync(target, { recursive: true });
    cpSync(join(katexDist, "katex.min.css"), join(target, "katex.min.css"));
    cpSync(join(katexDist, "fonts"), join(target, "fonts"), { recursive: true });
    for (const path of linkedSources) {
      const file = join(event.outputDirectory, sourcePages, `${path}.html`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, sourcePage(path, "../".repeat(`${sourcePages}/${path}`.split("/").length - 1)));
    }
    for (const message of texErrors) app.logger.error(`TeX error on ${message}`);
  });
}
