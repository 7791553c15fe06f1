/**
 * `.wfe/dev.json`: how tools and scripts find the local system (SPEC §5: endpoints, table, queue
 * URLs, pid). Written whole once everything is up, removed on stop. Part of the interface: fields
 * are added, never renamed (`wfe` reads it with its own checks, cli/dev-state.ts).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevState {
  version: 1;
  pid: number;
  startedAt: string;
  region: string;
  dynamodb: { endpoint: string; tableName: string };
  sqs: {
    endpoint: string;
    queueUrl: string;
    dlqUrl: string;
    auditDlqUrl: string;
    eventsQueueUrl: string;
    timerQueueUrl: string;
  };
  /** Where Tekton's CloudEvents go (WE-13), token included. */
  events: { sinkUrl: string };
  /** The default cluster (with one cluster, the only one). */
  cluster: { kubeconfig: string; builtIn: boolean; namespace: string; clusterName: string };
  /** Every cluster (WE-16; several with WFE_CLUSTERS), the default first: its kubeconfig and its Tekton's sink URL. */
  clusters: { name: string; kubeconfig: string; eventsUrl: string }[];
  dataStorage: { url: string; builtIn: boolean };
  logFile: string;
}

const STATE_FILE = 'dev.json';

/** Written whole or not at all (a rename), so a reader never sees half a file. */
export async function writeDevState(dir: string, state: DevState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, join(dir, STATE_FILE));
}

/** Removes the file if it still describes this process (a newer `wfe dev` may have replaced it). */
export async function removeDevState(dir: string, pid: number): Promise<void> {
  const file = join(dir, STATE_FILE);
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as DevState;
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  await rm(file, { force: true });
}
