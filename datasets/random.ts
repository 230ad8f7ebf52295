/**
 * A small seeded pseudo-random generator for the synthetic dataset. The generator's output
 * must be byte-identical for a given seed on every machine and Node version, so it cannot use
 * Math.random; sfc32 is tiny, fast, passes PractRand, and only uses 32-bit integer arithmetic,
 * which JavaScript evaluates identically everywhere.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer uniform in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Standard normal (Box–Muller), scaled. */
  normal(mean?: number, stdev?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A child generator whose sequence does not depend on how much the parent is used later. */
  fork(label: string): Random;
}

export function seededRandom(seed: number | string): Random {
  const [a, b, c, d] = seedWords(String(seed));
  return sfc32(a, b, c, d);
}

/** Four 32-bit words from a string (cyrb128 hash), so any seed text gives a well-mixed state. */
function seedWords(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function sfc32(a: number, b: number, c: number, d: number): Random {
  const state = { a, b, c, d };
  // Discard the first outputs: they are still close to the seed words.
  const nextWord = (): number => {
    state.a |= 0;
    state.b |= 0;
    state.c |= 0;
    state.d |= 0;
    const t = (((state.a + state.b) | 0) + state.d) | 0;
    state.d = (state.d + 1) | 0;
    state.a = state.b ^ (state.b >>> 9);
    state.b = (state.c + (state.c << 3)) | 0;
    state.c = (state.c << 21) | (state.c >>> 11);
    state.c = (state.c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) nextWord();

  const random: Random = {
    next: () => nextWord() / 4294967296,
    uniform: (min, max) => min + (max - min) * random.next(),
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    normal: (mean = 0, stdev = 1) => {
      // 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - random.next();
      const v = random.next();
      return mean + stdev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => random.next() < p,
    fork: (label) => seededRandom(`${nextWordHex(state)}:${label}`),
  };
  return random;
}

/** The parent's current state as text, without advancing it. */
function nextWordHex(state: { a: number; b: number; c: number; d: number }): string {
  return [state.a, state.b, state.c, state.d].map((w) => (w >>> 0).toString(16)).join('');
}
