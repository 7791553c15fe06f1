/**
 * The AWS APIs `wfe` calls that have no local engine: CloudFormation DescribeStacks (the stack's
 * outputs) and STS GetCallerIdentity, answered in their query protocol's XML, and Secrets Manager
 * GetSecretValue in its JSON protocol. With the endpoints of DynamoDB and SQS pointed at local
 * engines, `wfe` runs its AWS path end to end.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startFakeAws(
  stack: { name: string; outputs: Record<string, string> },
  callerArn: string,
  /** Secret values by ARN; a secret not here is ResourceNotFoundException. */
  secrets: Record<string, string> = {},
) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        const value = secrets[SecretId];
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (value === undefined) {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              __type: 'ResourceNotFoundException',
              message: "Secrets Manager can't find the specified secret.",
            }),
          );
          return;
        }
        res.end(JSON.stringify({ ARN: SecretId, Name: 'secret', SecretString: value, VersionId: '1' }));
        return;
      }
      const params = new URLSearchParams(body);
      res.setHeader('content-type', 'text/xml');
      if (params.get('Action') === 'GetCallerIdentity') {
        res.end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${xmlText(callerArn)}</Arn><UserId>AIDATEST</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      if (params.get('Action') === 'DescribeStacks') {
        if (params.get('StackName') !== stack.name) {
          res.statusCode = 400;
          res.end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xmlText(params.get('StackName') ?? '')} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
          );
          return;
        }
        const outputs = Object.entries(stack.outputs)
          .map(
            ([k, v]) =>
              `<member><OutputKey>${xmlText(k)}</OutputKey><OutputValue>${xmlText(v)}</OutputValue></member>`,
          )
          .join('');
        res.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xmlText(stack.name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${xmlText(stack.name)}/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
        return;
      }
      res.statusCode = 400;
      res.end(
        '<ErrorResponse><Error><Code>InvalidAction</Code><Message>not faked</Message></Error></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    /** Read at every DescribeStacks: a test may change the outputs. */
    stack,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
