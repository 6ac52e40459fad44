// Child process of the bench: runs one extraction unit and prints its figures and this
// process's peak RSS as one JSON line (so memory is measured for the extraction alone).
import os from 'node:os';
import { settingsFrom } from '../src/config/load.js';
import { openDatabase } from '../src/db/connection/open.js';
import { runExtractionUnit } from '../src/tracks/extraction/runUnit.js';

const [url, pair, outDir] = process.argv.slice(2) as [string, string, string];
const db = await openDatabase({
  target: { kind: 'url', url, source: '--db' },
  dataDir: os.tmpdir(),
});
try {
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
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ ms: outcome.ms, rows: outcome.rows, bytes: outcome.bytes, maxRssMb })}\n`,
  );
} finally {
  await db.close();
}
