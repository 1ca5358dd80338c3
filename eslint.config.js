// ESLint for the whole tree: JavaScript's recommended rules, typescript-eslint's recommended
// rules with type information for the TypeScript files, and no formatting rules (those are
// Prettier's: eslint-config-prettier). `npm run lint` runs ESLint, Prettier and the layer rules.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const node = {
  process: "readonly",
  console: "readonly",
  performance: "readonly",
  URL: "readonly",
  Buffer: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
  globalThis: "readonly",
};

export default tseslint.config(
  { ignores: ["assembly/", "dist/", "site/", "reports/", "coverage/", "screenshots/", ".stryker-tmp/", "node_modules/"] },
  js.configs.recommended,
  { languageOptions: { globals: node } },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    // One program for the whole tree, from tsconfig.json (which includes every TypeScript file),
    // rather than the project service's program per file: the same rules in about half the time.
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` says on purpose that a destructured or caught value is not used.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // A spec's expectations are full of vitest's asymmetric matchers (`expect.stringMatching`),
    // which are typed \`any\`.
    files: ["spec/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
  prettier,
);
