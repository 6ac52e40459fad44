// Child process of the bench: runs one pair's extraction unit `count` times in a row, as a
// Track 3 worker runs its pairs one after another, and prints each unit's figures and this
// process's peak RSS as one JSON line (so memory is measured for the extraction alone).
// The first unit of a process also starts its Parquet encoder thread; the others find it.
import os from 'node:os';
import { settingsFrom } from '../src/config/validate.js';
import { openDatabase } from '../src/db/connection/open.js';
import { runExtractionUnit } from '../src/tracks/extraction/runUnit.js';

const [url, pair, outDir, countArg] = process.argv.slice(2) as [string, string, string, string];
const db = await openDatabase({
  target: { kind: 'url', url, source: '--db' },
  dataDir: os.tmpdir(),
});
try {
  const units: Array<{ ms: number; rows: number; bytes: number }> = [];
  for (let i = 0; i < Math.max(1, Number(countArg ?? 1)); i++) {
    const outcome = await runExtractionUnit(
      {
        withPgClient: db.withPgClient,
        settings: settingsFrom({}),
        emit: () => {},
        attempt: 1,
        worker: `${os.hostname()}:${process.pid}`,
      },
      pair,
      { outDir, compression: 'zstd' },
    );
    if (outcome.status !== 'done')
      throw new Error(`${pair}: ${outcome.status} ${outcome.error ?? ''}`);
    units.push({ ms: outcome.ms, rows: outcome.rows, bytes: outcome.bytes });
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ units, maxRssMb })}\n`);
} finally {
  await db.close();
}
