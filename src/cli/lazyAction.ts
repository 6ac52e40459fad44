/** A command's action: what commander passes it (its arguments, options, the command). */
// biome-ignore lint/suspicious/noExplicitAny: commander types its actions with any[]
type Action = (...args: any[]) => Promise<void>;

/**
 * A command's action, loaded when the command runs: `--help`, `--version` and every other
 * command load none of its modules (pg, Arrow, Parquet, the queue, Ink…).
 */
export function lazyAction<M extends Record<K, Action>, K extends string>(
  load: () => Promise<M>,
  name: K,
): Action {
  return async (...args) => {
    const mod = await load();
    await mod[name](...args);
  };
}
