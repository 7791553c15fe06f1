/**
 * Logger and metrics shared by the handlers (Powertools), and the core's Metrics port over EMF.
 * Metric names are kept from Kubernaut so existing dashboards read the same (SPEC WE-11).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
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

/**
 * Publishes what an invocation stored, after it and after a failure, as Powertools' logMetrics
 * middleware does, except that an invocation with nothing to publish (an idle tick) prints nothing:
 * logMetrics warns "No application metrics to publish" each time.
 */
export function publishMetrics(metrics: PowertoolsMetrics): MiddlewareObj {
  const publish = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}
