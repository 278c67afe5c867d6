#!/usr/bin/env node
// A `solc` command-line stand-in backed by solc-js (npm `solc`), so py-solc-x can use it as
// `solc_binary`: the native compiler cannot be downloaded on our machines.
// Supports the two calls py-solc-x makes: `--version` and `--standard-json` (input on stdin).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const projectRoot = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);

function optionValue(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : null;
}

if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('this wrapper only supports --version and --standard-json\n');
  process.exit(2);
}

const searchRoots = [
  optionValue('--base-path'),
  path.join(projectRoot, 'contracts', 'src'),
  path.join(projectRoot, 'node_modules'),
].filter(Boolean);

// Import callback: `@openzeppelin/...` resolves into node_modules, local imports into contracts/src.
function findImports(importPath) {
  for (const root of searchRoots) {
    const candidate = path.resolve(root, importPath);
    if (fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
