/** Moved to training/fit/text-heads.ts; this re-export serves train-text.ts, loso.ts and eval-wider.ts until they import it there. */
export * from './fit/text-heads.js';
