import * as cdk from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

// Seed003Stack: a WebSocket API whose connections live in a DynamoDB table;
// send-message broadcasts, $default describes the caller's connection.
export class Seed003Stack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const table = new Table(this, 'ConnectionTable', {
      partitionKey: { name: 'connectionId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    const fn = (id: string, entry: string, withTable: boolean) =>
      new NodejsFunction(this, id, {
        entry,
        runtime: Runtime.NODEJS_20_X,
        architecture: Architecture.ARM_64,
        environment: withTable ? { TABLE_NAME: table.tableName } : undefined,
      });
    const connectHandler = fn('ConnectHandler', 'lambda/connect-handler.ts', true);
    const disconnectHandler = fn('DisconnectHandler', 'lambda/disconnect-handler.ts', true);
    const sendMessageHandler = fn('SendMessageHandler', 'lambda/send-handler.ts', true);
    const defaultHandler = fn('DefaultHandler', 'lambda/default-handler.ts', false);
    table.grantWriteData(connectHandler);
    table.grantWriteData(disconnectHandler);
    table.grantReadWriteData(sendMessageHandler);

    const api = new WebSocketApi(this, 'ChatWebSocketApi', {
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: { integration: new WebSocketLambdaIntegration('ConnectIntegration', connectHandler) },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', disconnectHandler) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('DefaultIntegration', defaultHandler) },
    });
    api.addRoute('send-message', {
      integration: new WebSocketLambdaIntegration('SendMessageIntegration', sendMessageHandler),
    });
    api.grantManageConnections(sendMessageHandler);
    api.grantManageConnections(defaultHandler);

    new WebSocketStage(this, 'ProductionStage', { webSocketApi: api, stageName: 'production', autoDeploy: true });
  }
}
