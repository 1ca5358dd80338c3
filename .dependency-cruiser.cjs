/**
 * The layers of src/ (docs/architecture.md), as rules that `npm test` checks with
 * dependency-cruiser: each folder imports only from itself and the folders above it in this
 * list, nothing imports in a circle, and neither the library nor the scripts import the specs.
 *
 *   1 numeric   2 model   3 oracles   4 training   5 conformance   6 cli
 *
 * `npm run lint:layers` runs the check; spec/architecture.spec.ts also plants an import against
 * the layers and a circle in a copy of the tree and sees each rule fail.
 */
const layers = ["numeric", "model", "oracles", "training", "conformance", "cli"];

/** A rule for one layer: it may not import any layer below it in the list. */
function onlyFromAbove(layer, index) {
  const below = layers.slice(index + 1);
  return {
    name: `${layer}-imports-only-from-above`,
    severity: "error",
    comment: `src/${layer}/ may import only from ${layers
      .slice(0, index + 1)
      .map((name) => `src/${name}/`)
      .join(", ")}: it is layer ${index + 1} of the architecture (docs/architecture.md)`,
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${below.join("|")})/` },
  };
}

module.exports = {
  forbidden: [
    ...layers.slice(0, -1).map(onlyFromAbove),
    {
      name: "no-circular",
      severity: "error",
      comment: "two modules that import each other (directly or through others): move what they share one layer down",
      from: {},
      to: { circular: true },
    },
    {
      name: "library-imports-no-spec-or-script",
      severity: "error",
      comment: "the library (src/) is what is published: it cannot import the specs or the scripts",
      from: { path: "^src/" },
      to: { path: "^(spec|scripts)/" },
    },
    {
      name: "scripts-import-no-spec",
      severity: "error",
      comment: "a script imports the library, never the specs: what both need lives in src/ (or in scripts/, for a spec to import)",
      from: { path: "^scripts/" },
      to: { path: "^spec/" },
    },
    {
      name: "only-the-public-api-imports-the-index",
      severity: "error",
      comment: "src/index.ts re-exports the whole library for its users; the library's own modules import the module that defines a thing",
      from: { path: "^(src|spec|scripts)/" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "no-unresolvable-import",
      severity: "error",
      comment: "an import that names a module that does not exist",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|site|reports|\\.stryker-tmp)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types"],
    },
  },
};
