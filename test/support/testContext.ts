import { settingsFrom } from '../../src/config/validate.js';
import { openDatabase } from '../../src/db/connection/open.js';
import type { Context } from '../../src/db/context.js';
import { readDataset, resolveScope } from '../../src/db/dataset.js';
import type { TestDatabase } from './testDatabase.js';

/**
 * A command's context in this process, on a test database: `config` as a config file's
 * content, run logs under `{dir}/data`, Track 3's files under `{dir}/out`. Close its
 * database (`ctx.db.close()`) before dropping the test database.
 */
export async function openTestContext(
  db: TestDatabase,
  dir: string,
  config: object = {},
): Promise<Context> {
  const settings = settingsFrom(config);
  const open = await openDatabase({
    target: { kind: 'url', url: db.url, source: '--db' },
    dataDir: `${dir}/data`,
  });
  const dataset = await open.withPgClient((c) => readDataset(c));
  return {
    settings,
    dataDir: `${dir}/data`,
    outDir: `${dir}/out`,
    db: open,
    dataset,
    scope: resolveScope(settings, dataset),
  };
}
