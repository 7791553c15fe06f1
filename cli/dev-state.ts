/**
 * Reads `.wfe/dev.json`, which `wfe dev` writes while the local system runs in this checkout
 * (SPEC §5: fields are added, never renamed). The file is another process's output, so it is read
 * as input: only the fields a command uses, each checked, and a file whose process is gone (killed
 * hard) is ignored.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What `wfe` commands use of dev.json. */
export interface LocalSystemState {
  pid: number;
  region: string;
  dynamodb: { endpoint: string; tableName: string };
  sqs: { endpoint: string; queueUrl: string; dlqUrl: string; auditDlqUrl: string };
  cluster: { kubeconfig: string; namespace: string; clusterName: string };
  /** Every local cluster (WE-16), when `wfe dev` runs several; `cluster` is the default one. */
  clusters?: { name: string; kubeconfig: string; eventsUrl: string }[];
  dataStorage: { url: string };
  events: { sinkUrl: string };
}

const STATE_DIR = '.wfe';
const STATE_FILE = 'dev.json';
/** DynamoDB Local and the local SQS take any key; these are the ones `wfe dev` signs with too. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Where `wfe dev` keeps its state: `.wfe` at the root of the checkout cwd is in, else in cwd. */
export function stateDirFor(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, STATE_DIR);
    if (dirname(dir) === dir) return join(cwd, STATE_DIR);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const FIELDS: Record<string, readonly string[]> = {
  dynamodb: ['endpoint', 'tableName'],
  sqs: ['endpoint', 'queueUrl', 'dlqUrl', 'auditDlqUrl'],
  cluster: ['kubeconfig', 'namespace', 'clusterName'],
  dataStorage: ['url'],
  events: ['sinkUrl'],
};

const CLUSTER_FIELDS = ['name', 'kubeconfig', 'eventsUrl'] as const;

function missingField(state: Record<string, unknown>): string | undefined {
  if (typeof state.region !== 'string') return 'region';
  for (const [group, names] of Object.entries(FIELDS)) {
    const value = state[group] as Record<string, unknown> | undefined;
    for (const name of names) if (typeof value?.[name] !== 'string') return `${group}.${name}`;
  }
  if (state.clusters === undefined) return undefined;
  if (!Array.isArray(state.clusters) || state.clusters.length === 0) return 'clusters (a list)';
  for (const [i, entry] of (state.clusters as Record<string, unknown>[]).entries())
    for (const name of CLUSTER_FIELDS) if (typeof entry?.[name] !== 'string') return `clusters[${i}].${name}`;
  return undefined;
}

/** The pid of the `wfe dev` running for cwd, if there is one. */
export async function runningDevPid(cwd: string): Promise<number | undefined> {
  return (await readLive(cwd))?.state.pid as number | undefined;
}

/** The running local system for cwd, if there is one. */
export async function readLiveDevState(cwd: string): Promise<LocalSystemState | undefined> {
  const live = await readLive(cwd);
  if (!live) return undefined;
  const missing = missingField(live.state);
  if (missing) throw new Error(`${live.file} has no ${missing}; delete it if no \`wfe dev\` is running`);
  return live.state as unknown as LocalSystemState;
}

async function readLive(cwd: string): Promise<{ file: string; state: Record<string, unknown> } | undefined> {
  const file = join(stateDirFor(cwd), STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file} is not valid JSON; delete it if no \`wfe dev\` is running`, { cause: err });
  }
  if (state?.version !== 1 || typeof state.pid !== 'number' || !isAlive(state.pid)) return undefined;
  return { file, state };
}
