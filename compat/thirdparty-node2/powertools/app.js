// An orders endpoint written the way the Powertools for AWS Lambda
// (TypeScript) and middy guides write one: middy's JSON body parser, error
// handler and CORS middlewares, a Powertools Logger with the Lambda context
// injected, Metrics flushed as CloudWatch embedded metric format (EMF) with
// a cold start metric, and a Tracer around the handler.
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

// The variables Lambda sets that the libraries read.
const LAMBDA_VARIABLES = [
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_EXECUTION_ENV', 'AWS_REGION', 'AWS_DEFAULT_REGION', '_HANDLER', '_X_AMZN_TRACE_ID',
  'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'AWS_LAMBDA_RUNTIME_API', 'TZ', 'LANG',
  'AWS_XRAY_CONTEXT_MISSING', 'AWS_XRAY_DAEMON_ADDRESS',
];

const placeOrder = async (event, context) => {
  const { item, quantity } = event.body ?? {};
  if (typeof item !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
    const err = new Error('item (a string) and quantity (a positive integer) are required');
    err.statusCode = 422;
    err.expose = true;
    throw err;
  }
  logger.appendKeys({ item });
  logger.info('order placed', { quantity });
  metrics.addMetric('ordersPlaced', MetricUnit.Count, quantity);
  metrics.addDimension('item', item);
  const env = Object.fromEntries(LAMBDA_VARIABLES.map((k) => [k, process.env[k] ?? null]));
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      order: { item, quantity },
      env,
      context: {
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        invokedFunctionArn: context.invokedFunctionArn,
        memoryLimitInMB: context.memoryLimitInMB,
        awsRequestId: context.awsRequestId,
        logGroupName: context.logGroupName,
        logStreamName: context.logStreamName,
        remainingTimeInMillis: context.getRemainingTimeInMillis(),
        callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      },
      tracer: { enabled: tracer.isTracingEnabled(), traceId: tracer.getRootXrayTraceId() ?? null },
    }),
  };
};

export const handler = middy(placeOrder)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(httpJsonBodyParser())
  .use(httpCors({ origins: ['https://shop.example.com'], credentials: true }))
  .use(httpErrorHandler());
