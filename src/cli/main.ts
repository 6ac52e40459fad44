#!/usr/bin/env node
import v8 from 'node:v8';

// React (the dashboard) picks its build when first loaded: the production one unless asked.
process.env['NODE_ENV'] ??= 'production';
// A small young generation for the supervisor and dashboard, which allocate little but
// often (the default lets RSS balloon between collections). Not for the track workers,
// which allocate large arrays and are faster with the default.
if (!process.argv.some((a) => a === 'worker' || a === 'track')) {
  v8.setFlagsFromString('--max-semi-space-size=2');
}
const { main } = await import('./program.js');

// Pipes and files are written synchronously on Linux, so exiting here loses no output,
// and nothing left open (a pool, a timer) can keep a finished command alive.
process.exit(await main(process.argv));
