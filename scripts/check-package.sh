#!/usr/bin/env bash
# npm run check:package: lint the package (publint, Are the Types Wrong?), pack it, install the
# tarball into an empty project elsewhere, and use it there the way a user would: the
# command (verify on the packaged vectors, first- and second-order), the library's exports from JavaScript, its types
# from TypeScript, and the schemas and vectors through the package's exports.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build"
npm run build --silent
echo "== publint"
npx publint --strict
echo "== attw"
npx attw --pack . --profile esm-only
echo "== npm pack"
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20"

echo "== the command"
cat > answers.mjs <<'JS'
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { caseResult, mistakenResult, parseCase, rejectionFormat } from "backprop-ref";
const require = createRequire(import.meta.url);
const [name, mistake] = process.argv.slice(2);
const vectors = JSON.parse(readFileSync(require.resolve(`backprop-ref/vectors/${name}`), "utf8"));
const answers = vectors.testGroups.flatMap((group) => group.tests.map((test) => {
  if (test.result === "invalid") return { format: rejectionFormat, id: test.id, message: "rejected" };
  const problem = parseCase(test.case);
  let result;
  try { result = mistake ? mistakenResult(mistake, problem) : caseResult(problem); } catch { result = caseResult(problem); }
  return { ...result, id: test.id };
}));
writeFileSync(`answers-${mistake ?? "reference"}.json`, JSON.stringify(answers));
JS
node answers.mjs tanh-squared_error-biases.json
node answers.mjs tanh-squared_error-biases.json intuitive-rule
npx backprop-ref verify --failures node_modules/backprop-ref/spec/vectors/tanh-squared_error-biases.json answers-reference.json
set +e
npx backprop-ref verify --failures node_modules/backprop-ref/spec/vectors/tanh-squared_error-biases.json answers-intuitive-rule.json | tail -3
status=${PIPESTATUS[0]}
set -e
[ "$status" = 1 ] || { echo "verify should exit 1 on the intuitive rule, exited $status"; exit 1; }
npx backprop-ref grad node_modules/backprop-ref/docs/examples/xor-2-2-1-sigmoid.json | head -4
node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { hvpResult, parseHvpCase } from "backprop-ref";
const require = createRequire(import.meta.url);
const vectors = JSON.parse(readFileSync(require.resolve("backprop-ref/vectors/hvp/tanh-squared_error-biases.json"), "utf8"));
const answers = vectors.testGroups.flatMap((group) => group.tests.map((test) => ({ ...hvpResult(parseHvpCase(test.case)), id: test.id })));
writeFileSync("answers-hvp.json", JSON.stringify(answers));
'
npx backprop-ref verify --failures node_modules/backprop-ref/spec/vectors/hvp/tanh-squared_error-biases.json answers-hvp.json

echo "== the library, its schemas and vectors from JavaScript"
node --input-type=module -e '
import { verifyTolerance, schemaViolation, generatorVersion } from "backprop-ref";
import schema from "backprop-ref/schemas/case.schema.json" with { type: "json" };
import invalid from "backprop-ref/vectors/invalid.json" with { type: "json" };
if (schema.title !== "backprop-ref/case@1" || invalid.numberOfTests < 20 || schemaViolation("case", {}) === null) process.exit(1);
console.log(`exports ok: generator ${generatorVersion}, tolerance ${JSON.stringify(verifyTolerance)}, ${invalid.numberOfTests} invalid tests`);
'

echo "== the types from TypeScript"
cat > check.ts <<'TS'
import { caseResult, readCase, verifyResult, type ResultDocument, type TestVerdict, type VectorFile } from "backprop-ref";
const result: ResultDocument = caseResult(readCase('{"format":"backprop-ref/case@1","sizes":[1,1],"activations":["sigmoid"],"loss":"squared_error","weights":[[[0.5]]],"biases":null,"inputs":[[1]],"targets":[[0]],"learningRate":0.1}'));
const verdict: TestVerdict = verifyResult(readCase(JSON.stringify({ format: "backprop-ref/case@1", sizes: [1, 1], activations: ["sigmoid"], loss: "squared_error", weights: [[[0.5]]], biases: null, inputs: [[1]], targets: [[0]], learningRate: 0.1 })), result);
const files: VectorFile[] = [];
// @ts-expect-error: a result's loss is a number
const wrong: ResultDocument = { ...result, loss: "0" };
console.log(verdict.passed, files.length, wrong === undefined);
TS
npx tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --types node check.ts
echo "types ok"
echo "package check passed: $tarball"
