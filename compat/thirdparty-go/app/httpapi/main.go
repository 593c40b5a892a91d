// Command httpapi serves the web app behind an HTTP API (payload format
// 2.0) with aws-lambda-go-api-proxy's httpadapter.NewV2.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"example.com/thirdparty-go/web"
)

func main() {
	lambda.Start(httpadapter.NewV2(web.Router()).ProxyWithContext)
}
