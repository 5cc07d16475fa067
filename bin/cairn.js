#!/usr/bin/env node
// The `cairn` command: runs the compiled CLI (npm run build writes dist/cli/).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, run as is by Node */

const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
let cli;
try {
  cli = require(entry);
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(entry)) {
    process.stderr.write(
      `cairn: the CLI is not built yet: run npm run build in ${path.join(__dirname, '..')}\n`,
    );
    process.exit(1);
  }
  throw error;
}
void cli.main();
