/**
 * Exact arithmetic on doubles. Every finite double is an integer times a power of two
 * (m·2^e, |m| < 2^53), so an integer combination Σ wᵢ·yᵢ of a window's values is an
 * integer times 2^min(e): BigInt holds it without rounding. Slow beside float arithmetic;
 * the kernels call it only to settle a result that rounding has left next to zero.
 */

const view = new DataView(new ArrayBuffer(8));
const TWO_52 = 2 ** 52;
const TWO_32 = 2 ** 32;
/** Bits kept before the final conversion: enough for one correct rounding to 53. */
const KEEP_BITS = 64n;

/**
 * Σ weights[i]·y[start + i], computed exactly and rounded to the nearest double at the
 * end. It is 0 exactly when the sum is 0 (a nonzero sum is at least the smallest
 * subnormal). Throws on a non-finite value: callers pass windows free of NULL inputs.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: exact dyadic summation: the carry and rounding steps must stay together to be exact
export function exactDot(y: Float64Array, start: number, weights: readonly bigint[]): number {
  const n = weights.length;
  const mantissas = new Float64Array(n);
  const exponents = new Int32Array(n);
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = y[start + i]!;
    if (!Number.isFinite(v)) throw new RangeError(`exactDot: value ${v} is not finite`);
    if (v === 0) continue;
    view.setFloat64(0, v);
    const hi = view.getUint32(0);
    const field = (hi >>> 20) & 0x7ff;
    // Below 2^53, so exact as a double; subnormals have no implicit leading bit.
    const fraction = (hi & 0xfffff) * TWO_32 + view.getUint32(4);
    const m = field === 0 ? fraction : fraction + TWO_52;
    mantissas[i] = hi >>> 31 ? -m : m;
    exponents[i] = field === 0 ? -1074 : field - 1075;
    if (exponents[i]! < least) least = exponents[i]!;
  }
  if (least === Number.POSITIVE_INFINITY) return 0;
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    if (mantissas[i] === 0) continue;
    sum += weights[i]! * (BigInt(mantissas[i]!) << BigInt(exponents[i]! - least));
  }
  return toDouble(sum, least);
}

/**
 * `sum`·2^`exponent` rounded to the nearest double (ties to even); a result in the
 * subnormal range is rounded twice, so it may be one of its few bits off.
 */
function toDouble(sum: bigint, exponent: number): number {
  if (sum === 0n) return 0;
  const negative = sum < 0n;
  let magnitude = negative ? -sum : sum;
  const bits = BigInt(magnitude.toString(2).length);
  if (bits > KEEP_BITS) {
    // Keep the top 64 bits and a sticky bit for the rest, so Number() still rounds once
    // and correctly (53 of 64 bits, the dropped part only ever breaking a tie).
    const drop = bits - KEEP_BITS;
    const rest = magnitude & ((1n << drop) - 1n);
    magnitude = (magnitude >> drop) | (rest === 0n ? 0n : 1n);
    exponent += Number(drop);
  }
  const value = scaleByPowerOfTwo(Number(magnitude), exponent);
  return negative ? -value : value;
}

/** x·2^e without overflowing or underflowing the intermediate power of two. */
function scaleByPowerOfTwo(x: number, e: number): number {
  let v = x;
  let k = e;
  while (k > 1023) {
    v *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022) {
    v *= 2 ** -1022;
    k += 1022;
  }
  return v * 2 ** k;
}
