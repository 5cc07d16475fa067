import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

// Tests see the same settings as the stack: infra/env.sh is the one source of defaults.
const envScript = resolve(__dirname, '../../infra/env.sh');
const output = execFileSync('bash', ['-c', `source "${envScript}" && env -0`], {
  env: process.env,
  encoding: 'utf8',
});
for (const entry of output.split('\0')) {
  const separator = entry.indexOf('=');
  if (separator <= 0) continue;
  const key = entry.slice(0, separator);
  if (process.env[key] === undefined) process.env[key] = entry.slice(separator + 1);
}
