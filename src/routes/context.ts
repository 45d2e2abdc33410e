/** What every route module receives from build(). */
import type { Config } from '../config.js';
import type { Detectors } from '../detectors/index.js';
import type { Metrics } from '../plugins/metrics.js';
import type { WorkGate } from '../plugins/work.js';

export interface RouteContext {
  config: Config;
  /** the current registry (filled in while models load) */
  detectors: () => Detectors;
  work: WorkGate;
  metrics: Metrics;
}
