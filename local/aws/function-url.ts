/**
 * A Lambda function URL, locally: an HTTP server that turns each request into the event AWS
 * would give the function (payload format 2.0) and the function's answer into the response.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

export interface FunctionUrl {
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function startFunctionUrl(options: {
  port?: number;
  functionName: string;
  timeoutMs: number;
  handler: (event: LambdaFunctionURLEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  stopping: () => boolean;
}): Promise<FunctionUrl> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const [rawPath = '/', rawQueryString = ''] = (request.url ?? '/').split('?', 2);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      headers,
      isBase64Encoded: true,
      body: Buffer.concat(chunks).toString('base64'),
      requestContext: {
        http: { method: request.method ?? 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        timeEpoch: Date.now(),
      },
    } as unknown as LambdaFunctionURLEvent;
    try {
      const result = await options.handler(
        event,
        lambdaContext(options.functionName, options.timeoutMs, options.stopping),
      );
      response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      response.end(result.body ?? '');
    } catch {
      // What a function URL answers when the function throws.
      response.writeHead(502);
      response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
