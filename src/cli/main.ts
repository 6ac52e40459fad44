#!/usr/bin/env node
import { main } from './program.js';

// Pipes and files are written synchronously on Linux, so exiting here loses no output,
// and nothing left open (a pool, a timer) can keep a finished command alive.
process.exit(await main(process.argv));
