package template

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func load(t *testing.T, path string, opts Options) *app.App {
	t.Helper()
	if opts.WorkDir == "" {
		opts.WorkDir = t.TempDir()
	}
	if opts.Env == nil {
		opts.Env = func(string) (string, bool) { return "", false }
	}
	a, err := Load(path, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return a
}

func fn(t *testing.T, a *app.App, logical string) *app.Function {
	t.Helper()
	for _, f := range a.Functions {
		if f.LogicalID == logical {
			return f
		}
	}
	t.Fatalf("no function %s", logical)
	return nil
}

func api(t *testing.T, a *app.App, logical string) *app.API {
	t.Helper()
	for _, x := range a.APIs {
		if x.LogicalID == logical {
			return x
		}
	}
	t.Fatalf("no API %s", logical)
	return nil
}

func table(t *testing.T, a *app.App, logical string) *app.Table {
	t.Helper()
	for _, x := range a.Tables {
		if x.LogicalID == logical {
			return x
		}
	}
	t.Fatalf("no table %s", logical)
	return nil
}

// route finds a route by "METHOD /path" (REST) or route key.
func route(t *testing.T, x *app.API, key string) *app.Route {
	t.Helper()
	for _, r := range x.Routes {
		if routeName(r) == key {
			return r
		}
	}
	var have []string
	for _, r := range x.Routes {
		have = append(have, routeName(r))
	}
	t.Fatalf("API %s has no route %q (has %q)", x.LogicalID, key, have)
	return nil
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eqList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// integrates checks a route calls the named function through the given
// integration type.
func integrates(t *testing.T, r *app.Route, typ, function string) {
	t.Helper()
	if r.Integration == nil {
		t.Fatalf("route %s has no integration", routeName(r))
	}
	eq(t, routeName(r)+" integration type", r.Integration.Type, typ)
	eq(t, routeName(r)+" function", r.Integration.FunctionName, function)
}

func TestSAMWebApp(t *testing.T) {
	a := load(t, "testdata/sam-web", Options{})
	eq(t, "stack name (samconfig.toml)", a.Name, "sam-web")
	eq(t, "region", a.Region, "us-east-1")
	tbl := table(t, a, "SampleTable")
	eq(t, "SimpleTable name", tbl.TableName, "sam-web-SampleTable-QEJR1NUSY2A3")
	eq(t, "SimpleTable key", tbl.KeySchema[0].AttributeName+"/"+tbl.KeySchema[0].KeyType, "id/HASH")
	eq(t, "SimpleTable type", tbl.AttributeDefinitions[0].AttributeType, "S")
	eq(t, "SimpleTable billing", tbl.BillingMode, "PROVISIONED")
	eq(t, "SimpleTable RCU", tbl.ProvisionedThroughput.ReadCapacityUnits, int64(2))

	hello := fn(t, a, "HelloWorldFunction")
	eq(t, "derived function name", hello.Name, "sam-web-HelloWorldFunction-2Z4M5I9BDRT4")
	eq(t, "runtime from Globals", hello.Runtime, "nodejs20.x")
	eq(t, "handler", hello.Handler, "app.lambdaHandler")
	eq(t, "code dir", hello.CodeDir, filepath.Join(a.Dir, "hello-world"))
	eq(t, "timeout", hello.Timeout, 3*time.Second)
	eq(t, "env Ref of SimpleTable", hello.Environment["SAMPLE_TABLE"], tbl.TableName)
	eq(t, "env param", hello.Environment["STAGE"], "dev")
	eq(t, "SAM role", hello.Role, "arn:aws:iam::123456789012:role/sam-web-HelloWorldFunctionRole-BFI0BFENHLK2")

	all := fn(t, a, "getAllItemsFunction")
	eq(t, "Globals env merged with own", all.Environment["LOG_LEVEL"]+","+all.Environment["SAMPLE_TABLE"], "debug,"+tbl.TableName)
	eqList(t, "policies", all.Policies, []string{"DynamoDBCrudPolicy"})
	put := fn(t, a, "putItemFunction")
	eq(t, "own MemorySize beats Globals", put.MemorySize, 256)
	if put.ReservedConcurrency == nil || *put.ReservedConcurrency != 5 {
		t.Errorf("ReservedConcurrency = %v, want 5", put.ReservedConcurrency)
	}

	rest := api(t, a, "ServerlessRestApi")
	eq(t, "implicit API id", rest.ID, app.APIID("ServerlessRestApi"))
	eq(t, "implicit API protocol", rest.Protocol, app.REST)
	eq(t, "implicit API stage", rest.Stage, "Prod")
	integrates(t, route(t, rest, "GET /hello"), app.IntegrationAWSProxy, hello.Name)
	integrates(t, route(t, rest, "GET /"), app.IntegrationAWSProxy, all.Name)
	integrates(t, route(t, rest, "GET /{id}"), app.IntegrationAWSProxy, fn(t, a, "getByIdFunction").Name)
	integrates(t, route(t, rest, "POST /"), app.IntegrationAWSProxy, put.Name)
	eq(t, "invocation URI", route(t, rest, "GET /hello").Integration.URI,
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:"+hello.Name+"/invocations")
	if rest.Cors == nil {
		t.Fatal("Globals.Api Cors not applied")
	}
	eqList(t, "Cors origins (quotes stripped)", rest.Cors.AllowOrigins, []string{"*"})
	eqList(t, "Cors methods", rest.Cors.AllowMethods, []string{"GET", "POST", "OPTIONS"})
	eqList(t, "Cors headers", rest.Cors.AllowHeaders, []string{"Content-Type"})
	eq(t, "Cors max age", rest.Cors.MaxAge, 600)

	eq(t, "output Sub", a.Outputs["HelloWorldApi"], "https://"+rest.ID+".execute-api.us-east-1.amazonaws.com/Prod/hello/")
	eq(t, "output GetAtt Arn", a.Outputs["HelloWorldFunction"], "arn:aws:lambda:us-east-1:123456789012:function:"+hello.Name)
	eq(t, "output Ref table", a.Outputs["TableName"], tbl.TableName)
	if _, ok := a.Outputs["Topic"]; ok {
		t.Error("output with a false Condition was kept")
	}
	if len(a.Sites) != 1 || a.Sites[0].Name != "web" || a.Sites[0].Dir != filepath.Join(a.Dir, "web") {
		t.Errorf("sites = %+v", a.Sites)
	}
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "Schedule") || !strings.Contains(a.Warnings[0], "template.yaml:106") {
		t.Errorf("warnings = %q, want one naming the Schedule event at its line", a.Warnings)
	}
	eqList(t, "files", a.Files, []string{filepath.Join(a.Dir, "template.yaml"), filepath.Join(a.Dir, "samconfig.toml")})

	prod := load(t, "testdata/sam-web", Options{Params: map[string]string{"AppStage": "prod"}, StackName: "other", Region: "eu-west-1"})
	eq(t, "--param changes Fn::If", fn(t, prod, "getAllItemsFunction").Environment["LOG_LEVEL"], "warn")
	eq(t, "StackName option", fn(t, prod, "HelloWorldFunction").Name[:len("other-HelloWorldFunction-")], "other-HelloWorldFunction-")
	eq(t, "Condition true keeps output", prod.Outputs["Topic"], "arn:aws:sns:eu-west-1:123456789012:other-AlarmTopic-"+hashID("other/AlarmTopic", 12, false))
	if len(prod.Warnings) != 2 || !strings.Contains(strings.Join(prod.Warnings, "\n"), "AWS::SNS::Topic is not emulated") {
		t.Errorf("warnings = %q, want the Schedule event and the SNS topic", prod.Warnings)
	}
}

func TestWebSocketChatV2(t *testing.T) {
	a := load(t, "testdata/ws-chat", Options{})
	ws := api(t, a, "SimpleChatWebSocket")
	eq(t, "protocol", ws.Protocol, app.WebSocket)
	eq(t, "name", ws.Name, "SimpleChatWebSocket")
	eq(t, "stage", ws.Stage, "Prod")
	eq(t, "route selection", ws.RouteSelectionExpression, "$request.body.action")
	eq(t, "stage variables", ws.StageVariables["table"], "simplechat_connections")
	connect := fn(t, a, "OnConnectFunction")
	integrates(t, route(t, ws, "$connect"), app.IntegrationAWSProxy, connect.Name)
	integrates(t, route(t, ws, "$disconnect"), app.IntegrationAWSProxy, fn(t, a, "OnDisconnectFunction").Name)
	send := route(t, ws, "sendmessage")
	integrates(t, send, app.IntegrationAWSProxy, fn(t, a, "SendMessageFunction").Name)
	eq(t, "FindInMap timeout", send.Integration.Timeout, 10*time.Second)
	eq(t, "route response selection", send.RouteResponseSelectionExpression, "$default")
	if len(send.RouteResponses) != 1 || send.RouteResponses[0].RouteResponseKey != "$default" {
		t.Errorf("route responses = %+v", send.RouteResponses)
	}
	if len(send.Integration.Responses) != 1 || send.Integration.Responses[0].SelectionPattern != "$default" {
		t.Errorf("integration responses = %+v", send.Integration.Responses)
	}
	tbl := table(t, a, "ConnectionsTable")
	eq(t, "table named by parameter", tbl.TableName, "simplechat_connections")
	eq(t, "numeric string throughput", tbl.ProvisionedThroughput.WriteCapacityUnits, int64(5))
	eq(t, "env", connect.Environment["TABLE_NAME"], "simplechat_connections")
	eq(t, "memory", connect.MemorySize, 256)
	eq(t, "WebSocketURI", a.Outputs["WebSocketURI"], "wss://"+ws.ID+".execute-api.us-east-1.amazonaws.com/Prod")
	eq(t, "ApiEndpoint", a.Outputs["Endpoint"], "wss://"+ws.ID+".execute-api.us-east-1.amazonaws.com")
	if len(a.Warnings) != 0 {
		t.Errorf("warnings = %q (Permission and Deployment are accepted silently)", a.Warnings)
	}

	eu := load(t, "testdata/ws-chat", Options{Region: "eu-west-1"})
	eq(t, "FindInMap by region", route(t, api(t, eu, "SimpleChatWebSocket"), "sendmessage").Integration.Timeout, 20*time.Second)
}

func TestGoHTTPAPIWithGlobals(t *testing.T) {
	a := load(t, "testdata/go-httpapi", Options{})
	items := fn(t, a, "ItemsFunction")
	eq(t, "FunctionName kept", items.Name, "items-api")
	eq(t, "runtime", items.Runtime, "provided.al2023")
	eq(t, "handler", items.Handler, "bootstrap")
	eq(t, "build method", items.BuildMethod, "go1.x")
	eqList(t, "architectures", items.Architectures, []string{"arm64"})
	eq(t, "timeout", items.Timeout, 10*time.Second)
	eq(t, "memory", items.MemorySize, 512)
	eqList(t, "layers", items.Layers, []string{"shared-config"})
	eq(t, "Select of list param", items.Environment["FIRST_SUBNET"], "subnet-a")
	eq(t, "Select of Split", items.Environment["SPLIT_LAST"], "c")
	eq(t, "Base64", items.Environment["ENCODED"], "aGk=")
	eq(t, "GetAZs", items.Environment["AZ"], "us-east-1b")
	admin := fn(t, a, "AdminFunction")
	eq(t, "own Timeout", admin.Timeout, 30*time.Second)

	if len(a.Layers) != 1 || a.Layers[0].BuildMethod != "makefile" || a.Layers[0].ContentDir != filepath.Join(a.Dir, "layers/shared") {
		t.Errorf("layers = %+v", a.Layers)
	}
	httpAPI := api(t, a, "ServerlessHttpApi")
	eq(t, "protocol", httpAPI.Protocol, app.HTTP)
	eq(t, "stage", httpAPI.Stage, "$default")
	list := route(t, httpAPI, "GET /items")
	integrates(t, list, app.IntegrationAWSProxy, "items-api")
	eq(t, "payload default", list.Integration.PayloadFormatVersion, "2.0")
	eq(t, "timeout", route(t, httpAPI, "POST /items").Integration.Timeout, 5*time.Second)
	eq(t, "payload 1.0", route(t, httpAPI, "GET /items/{id}").Integration.PayloadFormatVersion, "1.0")
	if httpAPI.Cors == nil {
		t.Fatal("Globals.HttpApi CorsConfiguration not applied")
	}
	eqList(t, "cors origins", httpAPI.Cors.AllowOrigins, []string{"http://localhost:5173"})
	eq(t, "cors max age", httpAPI.Cors.MaxAge, 300)
	adminAPI := api(t, a, "AdminApi")
	eq(t, "explicit stage", adminAPI.Stage, "admin")
	eq(t, "stage variables", adminAPI.StageVariables["mode"], "strict")
	integrates(t, route(t, adminAPI, "$default"), app.IntegrationAWSProxy, admin.Name)
	eq(t, "APIs in template order", a.APIs[0].LogicalID+","+a.APIs[1].LogicalID, "ServerlessHttpApi,AdminApi")

	tbl := table(t, a, "ItemsTable")
	eq(t, "GSI", tbl.GlobalSecondaryIndexes[0].IndexName, "by-owner")
	eqList(t, "GSI projection", tbl.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes, []string{"title"})
	eq(t, "LSI", tbl.LocalSecondaryIndexes[0].Projection.ProjectionType, "KEYS_ONLY")
	eq(t, "TTL", tbl.TimeToLiveAttribute, "expiresAt")
	eq(t, "stream", tbl.StreamSpecification.StreamEnabled, true)
	eq(t, "billing", tbl.BillingMode, "PAY_PER_REQUEST")

	eq(t, "URLSuffix", a.Outputs["ApiUrl"], "https://"+httpAPI.ID+".execute-api.us-east-1.amazonaws.com/")
	eq(t, "generated stage Ref", a.Outputs["AdminUrl"], "https://"+adminAPI.ID+".execute-api.us-east-1.amazonaws.com/admin")
	eq(t, "Sub literal", a.Outputs["Stack"], "go-httpapi in us-east-1/123456789012 ${Literal}")
}

func TestOpenAPIDefinitionBody(t *testing.T) {
	a := load(t, "testdata/openapi", Options{})
	pets := api(t, a, "PetsApi")
	eq(t, "name", pets.Name, "pets")
	eq(t, "stage", pets.Stage, "v1")
	eqList(t, "binary", pets.BinaryMediaTypes, []string{"image~1png"})
	eqList(t, "Cors string", pets.Cors.AllowOrigins, []string{"*"})
	eq(t, "gateway response header", pets.GatewayResponses["DEFAULT_4XX"].ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], "'*'")
	get := route(t, pets, "GET /pets")
	integrates(t, get, app.IntegrationAWSProxy, "list-pets")
	eq(t, "query parameter", get.RequestParameters["method.request.querystring.limit"], false)
	create := fn(t, a, "CreatePetFunction")
	post := route(t, pets, "POST /pets")
	integrates(t, post, app.IntegrationAWS, create.Name)
	eq(t, "passthrough", post.Integration.PassthroughBehavior, "WHEN_NO_TEMPLATES")
	eq(t, "request template", post.Integration.RequestTemplates["application/json"], `{"body": $input.json('$'), "source": "api"}`)
	if n := len(post.Integration.Responses); n != 2 {
		t.Fatalf("integration responses = %d, want 2", n)
	}
	eq(t, "pattern response first", post.Integration.Responses[0].SelectionPattern, ".*Invalid.*")
	eq(t, "default response last", post.Integration.Responses[1].SelectionPattern+"/"+post.Integration.Responses[1].StatusCode, "/200")
	eq(t, "method response header", post.MethodResponses[0].ResponseParameters["method.response.header.Access-Control-Allow-Origin"], false)
	integrates(t, route(t, pets, "ANY /pets/{petId}"), app.IntegrationAWSProxy, "list-pets")
	eq(t, "mock", route(t, pets, "OPTIONS /pets/{petId}").Integration.Type, app.IntegrationMock)
	for _, r := range pets.Routes {
		if r.Path == "/health" {
			t.Error("an Api event added a route to an API with a DefinitionBody; SAM does not")
		}
	}
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "HealthFunction.Events.Health: API PetsApi takes its routes from its OpenAPI definition") {
		t.Errorf("warnings = %q", a.Warnings)
	}
	store := api(t, a, "StoreApi")
	integrates(t, route(t, store, "GET /orders"), app.IntegrationAWSProxy, fn(t, a, "HealthFunction").Name)
	eq(t, "DefinitionUri file watched", a.Files[len(a.Files)-1], filepath.Join(a.Dir, "store-openapi.yaml"))
	eq(t, "output", a.Outputs["PetsUrl"], "https://"+pets.ID+".execute-api.us-east-1.amazonaws.com/v1/pets")
}

func TestServerlessYML(t *testing.T) {
	a := load(t, "testdata/serverless", Options{})
	eq(t, "name", a.Name, "chat-sls-dev")
	eq(t, "region from ${env:X, default}", a.Region, "ap-northeast-1")
	create := fn(t, a, "CreateRoomLambdaFunction")
	eq(t, "function name", create.Name, "chat-sls-dev-createRoom")
	eq(t, "code dir", create.CodeDir, a.Dir)
	eq(t, "memory from ${file():key}", create.MemorySize, 256)
	eq(t, "default timeout", create.Timeout, 6*time.Second)
	eq(t, "env self", create.Environment["ROOMS_TABLE"], "chat-sls-dev-rooms")
	eq(t, "env Ref", create.Environment["CONNECTIONS_TABLE"], "chat-sls-dev-connections")
	eq(t, "env aws:region", create.Environment["REGION"], "ap-northeast-1")
	eq(t, "env fallback", create.Environment["GREETING"], "hello")
	eq(t, "env interpolation", create.Environment["STAGE_UPPER"], "stage-dev")
	eqList(t, "layers", create.Layers, []string{"common"})
	eqList(t, "iam", create.Policies, []string{"dynamodb:Query", "dynamodb:PutItem"})
	list := fn(t, a, "ListDashroomsLambdaFunction")
	eq(t, "own timeout", list.Timeout, 12*time.Second)

	rest := api(t, a, "ApiGatewayRestApi")
	eq(t, "REST name", rest.Name, "dev-chat-sls")
	eq(t, "REST stage", rest.Stage, "dev")
	post := route(t, rest, "POST /rooms")
	integrates(t, post, app.IntegrationAWS, create.Name)
	eq(t, "request template", post.Integration.RequestTemplates["application/json"], `{"body": $input.json('$')}`)
	integrates(t, route(t, rest, "GET /rooms"), app.IntegrationAWSProxy, create.Name)
	eqList(t, "cors methods", rest.Cors.AllowMethods, []string{"OPTIONS", "POST"})

	httpAPI := api(t, a, "HttpApi")
	eq(t, "HTTP stage", httpAPI.Stage, "$default")
	integrates(t, route(t, httpAPI, "GET /rooms"), app.IntegrationAWSProxy, list.Name)
	integrates(t, route(t, httpAPI, "DELETE /rooms/{id}"), app.IntegrationAWSProxy, list.Name)
	integrates(t, route(t, httpAPI, "$default"), app.IntegrationAWSProxy, "chat-sls-dev-fallback")
	eq(t, "payload", route(t, httpAPI, "GET /rooms").Integration.PayloadFormatVersion, "2.0")
	eqList(t, "httpApi cors methods", httpAPI.Cors.AllowMethods, []string{"OPTIONS", "GET", "DELETE"})

	ws := api(t, a, "WebsocketsApi")
	eq(t, "WS name", ws.Name, "dev-chat-sls-websockets")
	eq(t, "WS stage", ws.Stage, "dev")
	eq(t, "WS selection", ws.RouteSelectionExpression, "$request.body.action")
	integrates(t, route(t, ws, "$connect"), app.IntegrationAWSProxy, "chat-sls-dev-connect")
	integrates(t, route(t, ws, "$disconnect"), app.IntegrationAWSProxy, "chat-sls-dev-disconnect")
	send := route(t, ws, "sendMessage")
	integrates(t, send, app.IntegrationAWSProxy, "chat-sls-dev-send_message")
	eq(t, "two-way route", len(send.RouteResponses), 1)
	eq(t, "Sub with generated API", fn(t, a, "SendUnderscoremessageLambdaFunction").Environment["API_URL"],
		"https://"+ws.ID+".execute-api.ap-northeast-1.amazonaws.com/dev")

	conns := table(t, a, "ConnectionsTable")
	eq(t, "table name", conns.TableName, "chat-sls-dev-connections")
	eq(t, "GSI", conns.GlobalSecondaryIndexes[0].IndexName, "joined_room_id-index")
	eq(t, "output", a.Outputs["WebSocketUrl"], "wss://"+ws.ID+".execute-api.ap-northeast-1.amazonaws.com/dev")
	eq(t, "output GetAtt generated", a.Outputs["CreateRoomArn"], "arn:aws:lambda:ap-northeast-1:123456789012:function:chat-sls-dev-createRoom")
	eq(t, "output Ref generated", a.Outputs["ListRoomsName"], "chat-sls-dev-list-rooms")
	if len(a.Sites) != 1 || a.Sites[0].Dir != filepath.Join(a.Dir, "public") {
		t.Errorf("sites = %+v", a.Sites)
	}
	eqList(t, "files", a.Files, []string{filepath.Join(a.Dir, "serverless.yml"), filepath.Join(a.Dir, "config.dev.yml")})
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "sqs") {
		t.Errorf("warnings = %q", a.Warnings)
	}

	env := map[string]string{"NIMBUS_SLS_TEST_REGION": "eu-central-1", "NIMBUS_SLS_GREETING": "hi"}
	prod := load(t, "testdata/serverless/serverless.yml", Options{Stage: "prod", Env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	c := fn(t, prod, "CreateRoomLambdaFunction")
	eq(t, "--stage name", c.Name, "chat-sls-prod-createRoom")
	eq(t, "--stage file", c.MemorySize, 1536)
	eq(t, "env:X", c.Environment["GREETING"], "hi")
	eq(t, "env region", prod.Region, "eu-central-1")
	eq(t, "stage", api(t, prod, "WebsocketsApi").Stage, "prod")
}

func TestCDKWebSocketStack(t *testing.T) {
	for _, path := range []string{"testdata/cdk-ws", "testdata/cdk-ws/cdk.out", "testdata/cdk-ws/cdk.out/PollyApiStack.template.json"} {
		a := load(t, path, Options{})
		eq(t, "stack name", a.Name, "PollyApiStack")
		ws := api(t, a, "PollyWebSocketApi4D8A9E5B")
		eq(t, "protocol", ws.Protocol, app.WebSocket)
		eq(t, "stage", ws.Stage, "production")
		eq(t, "selection", ws.RouteSelectionExpression, "$request.body.action")
		for key, logical := range map[string]string{"$connect": "ConnectHandler2FFD52D8", "$disconnect": "DisconnectHandlerCB7ED6F7",
			"$default": "DefaultHandler604DF7AC", "send-message": "SendMessageHandlerDFBBCD6B"} {
			f := fn(t, a, logical)
			integrates(t, route(t, ws, key), app.IntegrationAWSProxy, f.Name)
			if !strings.HasPrefix(filepath.Base(f.CodeDir), "asset.") {
				t.Errorf("%s code dir = %s, want the CDK asset folder", logical, f.CodeDir)
			}
			if _, err := os.Stat(filepath.Join(f.CodeDir, "index.js")); err != nil {
				t.Errorf("%s: %v", logical, err)
			}
			eq(t, logical+" handler", f.Handler, "index.handler")
			eqList(t, logical+" arch", f.Architectures, []string{"arm64"})
		}
		tbl := table(t, a, "ConnectionTable0BA52FF3")
		eq(t, "env Ref", fn(t, a, "ConnectHandler2FFD52D8").Environment["TABLE_NAME"], tbl.TableName)
		eq(t, "output", a.Outputs["PollyWebSocketUrl"], "wss://"+ws.ID+".execute-api.us-east-1.amazonaws.com/production")
		if len(a.Warnings) != 0 {
			t.Errorf("warnings = %q", a.Warnings)
		}
	}
}

func TestSeedChat(t *testing.T) {
	a := load(t, "testdata/chat", Options{})
	rooms, conns := table(t, a, "RoomsTable"), table(t, a, "ConnectionsTable")
	eq(t, "named table kept", rooms.TableName, "rooms")
	eq(t, "named table kept", conns.TableName, "connections")
	eq(t, "GSI", conns.GlobalSecondaryIndexes[0].IndexName+"/"+conns.GlobalSecondaryIndexes[0].Projection.ProjectionType, "joined_room_id-index/ALL")

	rest := api(t, a, "ChatRestApi")
	eq(t, "REST name", rest.Name, "chat-rest-api")
	eq(t, "REST stage", rest.Stage, "production")
	integrates(t, route(t, rest, "GET /"), app.IntegrationAWS, "getAllRooms")
	post := route(t, rest, "POST /rooms")
	integrates(t, post, app.IntegrationAWS, "createRoom")
	eq(t, "non-proxy template", post.Integration.RequestTemplates["application/json"], "$input.json('$')")
	eq(t, "integration method", post.Integration.HTTPMethod, "POST")
	eq(t, "error pattern", post.Integration.Responses[1].SelectionPattern, ".*Failed.*")
	eq(t, "method response param", post.MethodResponses[0].ResponseParameters["method.response.header.Access-Control-Allow-Origin"], true)
	eq(t, "mock OPTIONS", route(t, rest, "OPTIONS /rooms").Integration.Type, app.IntegrationMock)
	nested := route(t, rest, "GET /rooms/{roomId}")
	eq(t, "nested path param", nested.RequestParameters["method.request.path.roomId"], true)
	eq(t, "gateway response", rest.GatewayResponses["DEFAULT_4XX"].ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], "'*'")

	ws := api(t, a, "ChatWebSocket")
	eq(t, "WS stage", ws.Stage, "production")
	integrates(t, route(t, ws, "$connect"), app.IntegrationAWSProxy, "connect")
	integrates(t, route(t, ws, "$disconnect"), app.IntegrationAWSProxy, "disconnect")
	integrates(t, route(t, ws, "onMessage"), app.IntegrationAWSProxy, "sendMessage")
	eq(t, "env Sub", fn(t, a, "SendMessageFunction").Environment["CALLBACK_URL"], "https://"+ws.ID+".execute-api.us-east-1.amazonaws.com/production")
	eq(t, "env Ref named table", fn(t, a, "ConnectFunction").Environment["CONNECTIONS_TABLE"], "connections")
	eq(t, "RestApiUrl", a.Outputs["RestApiUrl"], "https://"+rest.ID+".execute-api.us-east-1.amazonaws.com/production")
	eq(t, "WebSocketUrl", a.Outputs["WebSocketUrl"], "wss://"+ws.ID+".execute-api.us-east-1.amazonaws.com/production")
	eq(t, "site", a.Sites[0].Name, "web")
	eq(t, "fixed port", ws.Port, 3001)
	eq(t, "free port", rest.Port, 0)
}

func TestInlineCodeAndZipArtifacts(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "template.json"), `{
  "Resources": {
    "Inline": {"Type": "AWS::Lambda::Function", "Properties": {
      "Runtime": "python3.12", "Handler": "index.handler", "Timeout": "7",
      "Code": {"ZipFile": {"Fn::Join": ["\n", ["def handler(e, c):", "    return 'hi'"]]}}}},
    "FromZip": {"Type": "AWS::Lambda::Function", "Properties": {
      "Runtime": "nodejs20.x", "Handler": "app.handler", "Code": "dist\/fn.zip"}}
  }
}`)
	writeZip(t, filepath.Join(dir, "dist", "fn.zip"), map[string]string{"app.js": "exports.handler = async () => 1;"})
	work := t.TempDir()
	a := load(t, dir, Options{WorkDir: work})
	in := fn(t, a, "Inline")
	code, err := os.ReadFile(filepath.Join(in.CodeDir, "index.py"))
	if err != nil || string(code) != "def handler(e, c):\n    return 'hi'" {
		t.Errorf("inline code = %q, %v", code, err)
	}
	if !strings.HasPrefix(in.CodeDir, work) {
		t.Errorf("inline code in %s, want under WorkDir %s", in.CodeDir, work)
	}
	eq(t, "string Timeout", in.Timeout, 7*time.Second)
	z := fn(t, a, "FromZip")
	if _, err := os.Stat(filepath.Join(z.CodeDir, "app.js")); err != nil {
		t.Errorf("zip not unpacked: %v", err)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestServerlessSeed002 loads the seed-002 shape: a custom runtime whose
// code is a zip artifact and whose layers come from a JSON file.
func TestServerlessSeed002(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "deploy")
	write(t, filepath.Join(dir, "serverless.yml"), `service: Lambda

provider:
  name: aws
  runtime: provided
  region: ap-northeast-1

package:
  individually: true

functions:
  LambciHello:
    handler: hello
    package:
      artifact: ../output/function.zip
    layers:
      ${file(../output/layers.json)}
    events:
      - http:
          path: /hello
          method: post
    environment:
      TEST_ENV_VAR: "hello from lambda!"
`)
	write(t, filepath.Join(root, "output", "layers.json"), `["arn:aws:lambda:ap-northeast-1:123456789012:layer:php-runtime:1"]`)
	writeZip(t, filepath.Join(root, "output", "function.zip"), map[string]string{"src/hello.php": "<?php function hello($d) { return []; }"})
	a := load(t, dir, Options{})
	f := fn(t, a, "LambciHelloLambdaFunction")
	eq(t, "name", f.Name, "Lambda-dev-LambciHello")
	eq(t, "runtime", f.Runtime, "provided")
	eq(t, "handler", f.Handler, "hello")
	eq(t, "env", f.Environment["TEST_ENV_VAR"], "hello from lambda!")
	if _, err := os.Stat(filepath.Join(f.CodeDir, "src", "hello.php")); err != nil {
		t.Errorf("artifact not unpacked: %v", err)
	}
	rest := api(t, a, "ApiGatewayRestApi")
	eq(t, "stage", rest.Stage, "dev")
	integrates(t, route(t, rest, "POST /hello"), app.IntegrationAWSProxy, f.Name)
	joined := strings.Join(a.Warnings, "\n")
	if !strings.Contains(joined, "layer arn:aws:lambda:ap-northeast-1:123456789012:layer:php-runtime:1 is not defined") {
		t.Errorf("warnings = %q, want the cloud-only layer named", a.Warnings)
	}
	eqList(t, "files", a.Files, []string{filepath.Join(dir, "serverless.yml"), filepath.Join(root, "output", "layers.json"), filepath.Join(root, "output", "function.zip")})
}
