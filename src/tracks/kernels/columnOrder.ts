/**
 * The computed columns re-keyed in the contract's order (Maps iterate in insertion order,
 * so writers can walk them in table order). Throws when a contract column is missing.
 */
export function inContractOrder(
  cols: ReadonlyMap<string, Float64Array>,
  names: readonly string[],
): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const name of names) {
    const col = cols.get(name);
    if (col === undefined) throw new Error(`kernel did not compute column ${name}`);
    out.set(name, col);
  }
  return out;
}
