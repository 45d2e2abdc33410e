/**
 * Golden-section search for the minimum of a unimodal function on [a, b]; returns the midpoint of
 * the final bracket. Used by the temperature fits (the NLL is unimodal in log T).
 */
export function goldenSectionMin(f: (x: number) => number, a: number, b: number, iterations: number): number {
  const gr = (Math.sqrt(5) - 1) / 2;
  let c = b - gr * (b - a);
  let d = a + gr * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - gr * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + gr * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
