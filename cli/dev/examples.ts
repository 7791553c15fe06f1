/**
 * The manifests in examples/ as `wfe dev` submits them: in file order, each as soon as the execution its
 * `examples.wfe/submit-when` annotation names has reached the phase it names (the busy duplicate
 * once its predecessor runs, the cooldown waiter once its predecessor has completed), with the end
 * state `examples.wfe/expect` says it should reach.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestedCluster } from '../../functions/core/clusters.js';
import { type Phase, Phase as Phases } from '../../functions/core/execution.js';
import { type ExecutionId, executionKey } from '../../functions/core/execution-id.js';
import type { Manifest } from '../../functions/core/manifest.js';
import type { ExecutionStore } from '../../functions/core/ports.js';
import { pause } from '../../local/aws/event-source.js';
import { manifestDocuments, validateManifests } from '../manifest-file.js';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
export const SUBMIT_WHEN = 'examples.wfe/submit-when';
export const EXPECT = 'examples.wfe/expect';

export interface Example {
  file: string;
  manifest: Manifest;
  id: ExecutionId;
  /** Submit once this execution is in this phase. */
  after?: { id: ExecutionId; phase: Phase };
  /** The end the example should reach: a phase, and for Failed the failure reason. */
  expect?: { phase: Phase; reason?: string };
}

const PHASES: readonly string[] = Object.values(Phases);

/** `[CLUSTER/]NAMESPACE/NAME` or `NAME`, in the cluster of the example that names it unless it says. */
function parseId(text: string, cluster: string): ExecutionId {
  const parts = text.split('/');
  if (parts.length === 3) return { cluster: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  const [namespace, name] = parts.length === 2 ? parts : ['default', text];
  return { cluster, namespace: namespace ?? 'default', name: name ?? '' };
}

function phaseOf(text: string | undefined, file: string, annotation: string): Phase {
  if (!text || !PHASES.includes(text))
    throw new Error(`${file}: ${annotation} must name a phase (${PHASES.join(', ')}), got "${text ?? ''}"`);
  return text as Phase;
}

/** The examples in `dir`; one without the cluster label goes to `defaultCluster` (WE-16). */
export async function loadExamples(defaultCluster: string, dir = EXAMPLES_DIR): Promise<Example[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const examples: Example[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const manifests = validateManifests(manifestDocuments(await readFile(path, 'utf8'), path), path);
    for (const manifest of manifests) {
      const annotations = manifest.metadata.annotations ?? {};
      const example: Example = {
        file,
        manifest,
        id: {
          cluster: requestedCluster(manifest.metadata.labels, { defaultCluster }),
          namespace: manifest.metadata.namespace,
          name: manifest.metadata.name,
        },
      };
      const when = annotations[SUBMIT_WHEN]?.trim().split(/\s+/);
      if (when)
        example.after = {
          id: parseId(when[0] ?? '', example.id.cluster),
          phase: phaseOf(when[1], file, SUBMIT_WHEN),
        };
      const expect = annotations[EXPECT]?.trim().split(/\s+/);
      if (expect) example.expect = { phase: phaseOf(expect[0], file, EXPECT), reason: expect[1] };
      examples.push(example);
    }
  }
  return examples;
}

/** The label a request names its cluster with (WE-16). */
const CLUSTER_LABEL = 'kubernaut.ai/cluster';

/**
 * The examples the running system serves: one whose `kubernaut.ai/cluster` label names a cluster it
 * does not have (the two-cluster examples, unless WFE_CLUSTERS names theirs) is left out.
 */
export function examplesFor(examples: Example[], clusters: readonly string[]): Example[] {
  return examples.filter((example) => {
    const cluster = example.manifest.metadata.labels?.[CLUSTER_LABEL];
    return cluster === undefined || clusters.includes(cluster);
  });
}

export interface ExampleSubmitter {
  /** Examples not submitted yet, with what each waits for. */
  waiting(): { example: Example; reason: string }[];
  /** Resolves once every example is submitted (or the submitter stops). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function startExampleSubmitter(input: {
  examples: Example[];
  store: ExecutionStore;
  submit(manifest: Manifest): Promise<void>;
  onSubmitted?: (example: Example) => void;
  onError?: (err: unknown, example: Example) => void;
  pollMs?: number;
}): ExampleSubmitter {
  const controller = new AbortController();
  const queue = [...input.examples];
  const isReady = async (example: Example) => {
    if (!example.after) return true;
    const predecessor = await input.store.read(example.after.id).catch(() => undefined);
    return predecessor?.status.phase === example.after.phase;
  };
  const done = (async () => {
    while (queue.length > 0 && !controller.signal.aborted) {
      // In file order, every example whose moment has come; the rest wait for the next look.
      for (const example of [...queue]) {
        if (controller.signal.aborted || !(await isReady(example))) continue;
        try {
          await input.submit(example.manifest);
          queue.splice(queue.indexOf(example), 1);
          input.onSubmitted?.(example);
        } catch (err) {
          input.onError?.(err, example);
        }
      }
      if (queue.length > 0) await pause(input.pollMs ?? 250, controller.signal);
    }
  })();
  return {
    waiting: () =>
      queue.map((example) => ({
        example,
        reason: example.after
          ? `waits for ${executionKey(example.after.id)} to be ${example.after.phase}`
          : 'queued',
      })),
    done,
    stop() {
      controller.abort();
      return done;
    },
  };
}
