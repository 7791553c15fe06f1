/**
 * Logger and metrics shared by the handlers (Powertools), and the core's Metrics port over EMF.
 * Metric names are kept from Kubernaut so existing dashboards read the same (SPEC WE-11).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../core/ports.js';

export const METRICS_NAMESPACE = 'wfe';

export function powertools(serviceName: string) {
  const logger = new Logger({ serviceName });
  const metrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName });
  return { logger, metrics, port: metricsPort(metrics) };
}

/** Dimensioned metrics go out as single-metric EMF blobs, so their dimension sets never mix. */
export function metricsPort(metrics: PowertoolsMetrics): Metrics {
  return {
    add(name, unit, value, dimensions) {
      if (!dimensions || Object.keys(dimensions).length === 0) {
        metrics.addMetric(name, MetricUnit[unit], value);
        return;
      }
      const single = metrics.singleMetric();
      for (const [key, v] of Object.entries(dimensions)) single.addDimension(key, v);
      single.addMetric(name, MetricUnit[unit], value);
    },
  };
}
