/**
 * WE-16 locally: WFE_CLUSTERS names the built-in clusters `npm start` runs, one Kubernetes API and
 * Tekton simulator each.
 */
import { describe, expect, it } from 'vitest';
import { checkLocalConfig, localClusterNames } from '../../../local/system.js';

describe('WFE_CLUSTERS', () => {
  it('is unset for the one cluster of today, else the names, the first the default', () => {
    expect(localClusterNames({})).toBeUndefined();
    expect(localClusterNames({ WFE_CLUSTERS: ' ' })).toBeUndefined();
    expect(localClusterNames({ WFE_CLUSTERS: 'east, west' })).toEqual(['east', 'west']);
    expect(checkLocalConfig({})).toEqual({ names: ['default'], several: false });
    expect(checkLocalConfig({ CLUSTER_NAME: 'lab' })).toEqual({ names: ['lab'], several: false });
  });

  it.each([
    ['East,west', /WFE_CLUSTERS must be comma-separated cluster names .* got "East"/],
    ['east,,west', /WFE_CLUSTERS must be comma-separated cluster names .* got ""/],
    ['east,west,east', /WFE_CLUSTERS names east twice/],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(() => localClusterNames({ WFE_CLUSTERS: value })).toThrow(message);
  });

  it('is built-in clusters only: a real cluster (KUBECONFIG) stays one', () => {
    expect(() =>
      localClusterNames({ WFE_CLUSTERS: 'east,west', KUBECONFIG: '/home/me/.kube/config' }),
    ).toThrow(/WFE_CLUSTERS runs built-in clusters; KUBECONFIG names one real cluster/);
  });
});
