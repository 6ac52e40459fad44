#!/usr/bin/env node
import v8 from 'node:v8';

// React (the dashboard) picks its build when first loaded: the production one unless asked.
process.env['NODE_ENV'] ??= 'production';
// The supervisor and dashboard keep little alive (about 27 MB of heap) but allocate
// often; left to its defaults V8 lets the heap swell to three times that between
// collections. The heap's maximum sizes are fixed when the process starts, but its growth
// is not: keep the young generation at its initial size (1 MB semi-spaces; the dashboard
// lets it grow again once it draws, src/ui/loadDashboard.ts) and let the old one grow 30 %
// over what survives a full collection; collect the young generation on this thread
// (helper threads only wait for a core the workers hold: measured, scavenges cost about
// half). Not for the track workers, which allocate large arrays and keep the defaults.
if (!process.argv.some((a) => a === 'worker' || a === 'track')) {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=30');
  v8.setFlagsFromString('--no-parallel-scavenge');
}
const { exitProcess, ignoreStdioErrors } = await import('./exit.js');
ignoreStdioErrors();
// The one answer that needs no argument parser (commander is a third of a bare start-up).
const only = process.argv.length === 3 ? process.argv[2] : undefined;
if (only === '--version' || only === '-V') {
  const { packageVersion } = await import('../config/version.js');
  process.stdout.write(`${packageVersion()}\n`);
  exitProcess(0);
}
const { main } = await import('./program.js');

// Pipes and files are written synchronously on Linux, so exiting here loses no output,
// and nothing left open (a pool, a timer) can keep a finished command alive.
exitProcess(await main(process.argv));
