/**
 * RFC 7807 problem details as DataStorage writes them: `application/problem+json`, a type URI
 * under https://kubernaut.ai/problems/, a title, the status and a detail.
 */
import type { ServerResponse } from 'node:http';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

export const problem = (code: string, title: string, status: number, detail: string): Problem => ({
  type: `https://kubernaut.ai/problems/${code}`,
  title,
  status,
  detail,
});

export const invalidRequest = (detail: string) => problem('invalid_request', 'Invalid Request', 400, detail);
export const validationError = (detail: string) =>
  problem('validation-error', 'Validation Error', 400, detail);
export const invalidEventData = (detail: string) =>
  problem('invalid_event_data', 'Invalid Event Data', 400, detail);

/** The body DataStorage answers when its batch insert fails (reference §6), byte for byte. */
export const DATABASE_ERROR: Problem = {
  type: 'https://kubernaut.ai/problems/database-error',
  title: 'Database Error',
  status: 500,
  detail: 'Failed to write audit events batch to database',
  instance: '/api/v1/audit/events/batch',
};

/** The auth middleware's 401, which uses the generic problem type. */
export const unauthorized = (detail: string): Problem => ({
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail,
});

export function writeProblem(res: ServerResponse, body: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(body.status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify(body));
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
