/**
 * `.wfe/dev.json`: how `wfe` commands run in a checkout find the local system `wfe dev` started
 * there (endpoints, table, queue URLs, pid). Written once everything is up, removed on stop; a file
 * whose process is gone (killed hard) is ignored.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface DevState {
  version: 1;
  pid: number;
  startedAt: string;
  region: string;
  dynamodb: { endpoint: string; tableName: string };
  sqs: { endpoint: string; queueUrl: string; dlqUrl: string; auditDlqUrl: string };
  cluster: { kubeconfig: string; builtIn: boolean; namespace: string; clusterName: string };
  dataStorage: { url: string; builtIn: boolean };
  logFile: string;
}

export const STATE_DIR = '.wfe';
const STATE_FILE = 'dev.json';

/** Where `wfe dev` keeps its state: `.wfe` at the root of the checkout cwd is in, else in cwd. */
export function stateDirFor(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, STATE_DIR);
    if (dirname(dir) === dir) return join(cwd, STATE_DIR);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running local system for cwd, if there is one. */
export async function readLiveDevState(cwd: string): Promise<DevState | undefined> {
  const file = join(stateDirFor(cwd), STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let state: DevState;
  try {
    state = JSON.parse(text) as DevState;
  } catch (err) {
    throw new Error(`${file} is not valid JSON; delete it if no \`wfe dev\` is running`, { cause: err });
  }
  return state.version === 1 && isAlive(state.pid) ? state : undefined;
}

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
