/**
 * The state table, built from the one definition in functions/adapters/dynamodb/table.ts that the
 * local engines use too, so the deployed keys, index and stream cannot drift from the tested ones.
 */
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  type GlobalSecondaryIndexPropsV2,
  ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { createTableInput, TABLE } from '../functions/adapters/dynamodb/table.js';

export interface StateTableProps {
  /** Deletion protection, and retention of the table when the stack is deleted. */
  deletionProtection: boolean;
}

export class StateTable extends Construct {
  readonly table: TableV2;
  /** The ARN of the due index (`dueByShard`), which the sweep queries. */
  readonly dueIndexArn: string;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    const definition = createTableInput('definition');
    const attribute = attributeOf(definition.AttributeDefinitions ?? []);
    const keys = (schema: KeySchemaElement[] | undefined) => {
      const sortKey = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      return {
        partitionKey: attribute(schema?.find((k) => k.KeyType === 'HASH')?.AttributeName),
        sortKey: sortKey ? attribute(sortKey) : undefined,
      };
    };

    this.table = new TableV2(this, 'Table', {
      ...keys(definition.KeySchema),
      billing: Billing.onDemand(),
      dynamoStream: streamViewType(definition),
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map(
        (index): GlobalSecondaryIndexPropsV2 => ({
          indexName: index.IndexName ?? '',
          ...keys(index.KeySchema),
          projectionType: ProjectionType[index.Projection?.ProjectionType ?? 'ALL'],
          ...(index.Projection?.NonKeyAttributes
            ? { nonKeyAttributes: index.Projection.NonKeyAttributes }
            : {}),
        }),
      ),
    });
    this.dueIndexArn = `${this.table.tableArn}/index/${TABLE.dueIndex.name}`;
  }
}

function attributeOf(definitions: AttributeDefinition[]) {
  return (name: string | undefined): Attribute => {
    const found = definitions.find((d) => d.AttributeName === name);
    if (!name || !found) throw new Error(`table.ts defines no attribute for key ${name}`);
    const type = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY }[
      found.AttributeType ?? 'S'
    ];
    return { name, type };
  };
}

function streamViewType(definition: CreateTableCommandInput): StreamViewType {
  const view = definition.StreamSpecification?.StreamViewType;
  if (!view) throw new Error('table.ts defines no stream, which the audit forwarder reads');
  return StreamViewType[view];
}
