#!/usr/bin/env node
'use strict';
// Runs the compiled CLI when the project is built (npm start builds it), else the TypeScript sources.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(built) && !process.env.SIS_CERTIFY_FROM_SOURCE) {
  require(built).main?.(process.argv);
} else {
  process.env.SWC_NODE_PROJECT = join(root, 'tsconfig.json');
  require('@swc-node/register');
  require(join(root, 'src', 'cli', 'main.ts')).main(process.argv);
}
