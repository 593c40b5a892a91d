package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// awsConfig is the one SDK configuration every system gets: static
// credentials, no retries (a failure is counted, not hidden) and a
// keep-alive pool large enough for concurrency 32.
func awsConfig() aws.Config {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		HTTPClient:       &http.Client{Transport: tr, Timeout: 60 * time.Second},
		RetryMaxAttempts: 1,
	}
}

// DynamoClient is the AWS SDK for Go v2 DynamoDB client aimed at endpoint.
func DynamoClient(endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// LambdaClient is the AWS SDK for Go v2 Lambda client aimed at endpoint.
func LambdaClient(endpoint string) *lambda.Client {
	return lambda.NewFromConfig(awsConfig(), func(o *lambda.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Invoke calls a function synchronously; a function error is an error.
func Invoke(ctx context.Context, c *lambda.Client, name string, payload []byte) error {
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
	if err != nil {
		return err
	}
	if out.FunctionError != nil {
		return fmt.Errorf("function error %s: %s", *out.FunctionError, out.Payload)
	}
	return nil
}
