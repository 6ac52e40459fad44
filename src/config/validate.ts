import { describeIssues, type Settings, toSettings } from './settings.js';
import { configFileSchema } from './schema.js';
import { UserError } from './userError.js';

/** Validates a parsed config object (every problem at once, with its path) and fills in defaults. */
export function settingsFrom(raw: unknown, source = 'config'): Settings {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`invalid configuration:\n${describeIssues(source, parsed.error.issues)}`);
  }
  return toSettings(parsed.data);
}
