// Command rest serves the web app behind a REST API (payload format 1.0,
// a {proxy+} resource) with aws-lambda-go-api-proxy: httpadapter, or its
// chi adapter when ADAPTER=chi (mounted under /chi, stripped).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	chiadapter "github.com/awslabs/aws-lambda-go-api-proxy/chi"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/go-chi/chi/v5"

	"example.com/thirdparty-go/web"
)

func main() {
	if os.Getenv("ADAPTER") == "chi" {
		adapter := chiadapter.New(web.Router().(*chi.Mux))
		adapter.StripBasePath("/chi")
		lambda.Start(adapter.ProxyWithContext)
		return
	}
	lambda.Start(httpadapter.New(web.Router()).ProxyWithContext)
}
