// Package app is the neutral model of a serverless application: what the
// template loaders produce and what the Nimbus server runs. It knows nothing
// about file formats (SAM, CloudFormation, serverless.yml, CDK) nor about how
// each service emulates AWS, so loaders and services can evolve separately.
package app

import "time"

// App is one loaded application: every resource Nimbus runs, with all
// intrinsics already resolved to plain values.
type App struct {
	// Name is the stack or service name (template Description-free).
	Name string
	// Dir is the absolute folder of the template; relative paths resolve here.
	Dir string
	// TemplatePath is the absolute path of the file that was loaded.
	TemplatePath string
	Region       string
	AccountID    string

	Functions []*Function
	Layers    []*Layer
	APIs      []*API
	Tables    []*Table
	Sites     []*Site
	// Outputs are the template's Outputs, evaluated to strings.
	Outputs map[string]string
	// Warnings name what was accepted but is not emulated (unknown resource
	// types, ignored properties), each with its location.
	Warnings []string
	// Files are every file the app was loaded from (the template, files it
	// includes, samconfig.toml), absolute, so a watcher can reload on change.
	Files []string
}

// Location points at the place in a template a value came from, so errors
// can name file, line and resource.
type Location struct {
	File     string
	Line     int
	Column   int
	Resource string
}

// Function is a Lambda function.
type Function struct {
	LogicalID string
	// Name is the physical FunctionName (the template's, or derived as AWS
	// derives it when absent).
	Name string
	// Runtime is Lambda's identifier: "provided.al2023", "nodejs20.x",
	// "python3.12", "go1.x", ...
	Runtime string
	Handler string
	// CodeDir is the absolute folder holding the function's code (CodeUri,
	// Code, an unpacked zip, or inline ZipFile written out by the loader).
	CodeDir string
	// BuildMethod comes from SAM's Metadata.BuildMethod ("go1.x", "esbuild",
	// "makefile") or is empty; runtimes decide what needs building.
	BuildMethod string
	// BuildProperties are SAM's Metadata.BuildProperties (esbuild options).
	BuildProperties map[string]any
	Architectures   []string
	Timeout         time.Duration
	MemorySize      int
	// EphemeralStorage is in MB.
	EphemeralStorage int
	Environment      map[string]string
	// Layers are the names (Layer.Name) of layers, in declared order.
	Layers []string
	// ReservedConcurrency is nil when unset.
	ReservedConcurrency *int
	// Policies are recorded for display; Nimbus does not enforce IAM.
	Policies []string
	Role     string
	// Logging is the function's LoggingConfig (advanced logging controls);
	// nil when the template sets none, which Lambda treats as Text format
	// to the default log group.
	Logging *LoggingConfig
	Source  Location
}

// LoggingConfig is a Lambda function's LoggingConfig as the Lambda API and
// CloudFormation name its members. Empty members are unset.
type LoggingConfig struct {
	// LogFormat is "Text" or "JSON".
	LogFormat string `json:"LogFormat,omitempty"`
	// ApplicationLogLevel is TRACE, DEBUG, INFO, WARN, ERROR or FATAL (JSON
	// format only).
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	// SystemLogLevel is DEBUG, INFO or WARN (JSON format only).
	SystemLogLevel string `json:"SystemLogLevel,omitempty"`
	// LogGroup is the CloudWatch log group; "" means /aws/lambda/NAME.
	LogGroup string `json:"LogGroup,omitempty"`
}

// The LoggingConfig values Lambda's API model and CloudFormation's schema
// allow (case-sensitive), in the API model's order.
var (
	LogFormats           = []string{"JSON", "Text"}
	ApplicationLogLevels = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	SystemLogLevels      = []string{"DEBUG", "INFO", "WARN"}
)

// ValidLogGroup reports whether name is a CloudWatch log group name as
// LoggingConfig accepts it: 1 to 512 of [.-_/#A-Za-z0-9]. (A bounded
// regular expression would do the same at the cost of a large compiled
// program in every Nimbus process.)
func ValidLogGroup(name string) bool {
	if name == "" || len(name) > 512 {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == '_', c == '/', c == '#':
		default:
			return false
		}
	}
	return true
}

// Layer is a Lambda layer whose content is a local folder.
type Layer struct {
	LogicalID          string
	Name               string
	ContentDir         string
	CompatibleRuntimes []string
	// BuildMethod comes from SAM's Metadata.BuildMethod for layers
	// ("python3.12", "nodejs20.x", "makefile") or is empty.
	BuildMethod string
	Source      Location
}

// Protocol is an API's kind, as `/_nimbus/apis` reports it.
type Protocol string

// The API kinds.
const (
	REST      Protocol = "REST"
	HTTP      Protocol = "HTTP"
	WebSocket Protocol = "WEBSOCKET"
)

// API is an API Gateway REST API, HTTP API or WebSocket API with one
// deployed stage.
type API struct {
	LogicalID string
	// ID is stable across restarts, derived from LogicalID: 10 lowercase
	// alphanumerics (see APIID).
	ID       string
	Name     string
	Protocol Protocol
	// Stage is the stage name: "prod", "production", or "$default" for an
	// HTTP API's default stage (served without a stage path segment).
	Stage          string
	StageVariables map[string]string
	// Port is the API's own port; 0 means the next free one from 3000 upward
	// in template order.
	Port int

	Routes []*Route

	// Cors is the REST API's SAM Cors property or the HTTP API's
	// CorsConfiguration; nil when unset.
	Cors *Cors
	// BinaryMediaTypes are REST binary media types ("image/png", "*/*").
	BinaryMediaTypes []string
	// GatewayResponses are REST gateway response customisations by type
	// ("DEFAULT_4XX", "MISSING_AUTHENTICATION_TOKEN", ...).
	GatewayResponses map[string]*GatewayResponse
	// RouteSelectionExpression is a WebSocket API's selection expression,
	// such as "$request.body.action".
	RouteSelectionExpression string
	// APIKeySelectionExpression is kept for completeness.
	APIKeySelectionExpression string
	// DisableExecuteAPIEndpoint mirrors the template property.
	DisableExecuteAPIEndpoint bool
	// IdleTimeout and MaxConnectionDuration bound WebSocket connections; zero
	// means AWS's values (10 minutes and 2 hours).
	IdleTimeout           time.Duration
	MaxConnectionDuration time.Duration
	Source                Location
}

// Route is one REST method on a resource, one HTTP API route or one
// WebSocket route.
type Route struct {
	// REST APIs: Method ("GET", "ANY", ...) and Path, the resource path as
	// API Gateway writes it ("/rooms/{roomId}", "/{proxy+}").
	Method string
	Path   string
	// HTTP and WebSocket APIs: RouteKey ("GET /items/{id}", "ANY /{proxy+}",
	// "$default", "$connect", "send-message").
	RouteKey string

	Integration *Integration

	// REST method settings.
	AuthorizationType string
	APIKeyRequired    bool
	// RequestParameters maps "method.request.querystring.x" to required.
	RequestParameters map[string]bool
	MethodResponses   []*MethodResponse

	// WebSocket two-way routes.
	RouteResponseSelectionExpression string
	RouteResponses                   []*RouteResponse

	Source Location
}

// Integration types as API Gateway names them.
const (
	IntegrationAWSProxy  = "AWS_PROXY"
	IntegrationAWS       = "AWS"
	IntegrationMock      = "MOCK"
	IntegrationHTTP      = "HTTP"
	IntegrationHTTPProxy = "HTTP_PROXY"
)

// Integration is what a route calls.
type Integration struct {
	// Type is one of the Integration* constants.
	Type string
	// FunctionName is the Lambda function (Function.Name) an AWS or
	// AWS_PROXY integration invokes; empty for others.
	FunctionName string
	// URI is the integration URI as written (an HTTP URL for HTTP
	// integrations; the Lambda invocation ARN for Lambda ones).
	URI string
	// HTTPMethod is the integration's HTTP method (HTTP integrations).
	HTTPMethod string
	// PayloadFormatVersion is "1.0" or "2.0" (HTTP APIs).
	PayloadFormatVersion string
	// RequestTemplates map a content type (REST) or a template selection
	// key (WebSocket) to a VTL template.
	RequestTemplates  map[string]string
	RequestParameters map[string]string
	// PassthroughBehavior is WHEN_NO_MATCH (default), WHEN_NO_TEMPLATES or
	// NEVER.
	PassthroughBehavior string
	// ContentHandling is CONVERT_TO_TEXT, CONVERT_TO_BINARY or empty.
	ContentHandling string
	// TemplateSelectionExpression is a WebSocket integration's.
	TemplateSelectionExpression string
	// Timeout is the integration timeout; zero means API Gateway's (29 s).
	Timeout   time.Duration
	Responses []*IntegrationResponse
}

// IntegrationResponse maps an integration result to a method or route
// response.
type IntegrationResponse struct {
	// SelectionPattern is a REST regular expression matched against the
	// Lambda error message (or the HTTP status); empty is the default
	// response. For WebSocket APIs it is the IntegrationResponseKey
	// ("$default", "/4\\d\\d/").
	SelectionPattern   string
	StatusCode         string
	ResponseTemplates  map[string]string
	ResponseParameters map[string]string
	ContentHandling    string
	// TemplateSelectionExpression is a WebSocket integration response's.
	TemplateSelectionExpression string
}

// MethodResponse declares a REST method response.
type MethodResponse struct {
	StatusCode         string
	ResponseParameters map[string]bool
	ResponseModels     map[string]string
}

// RouteResponse is a WebSocket route response ("$default").
type RouteResponse struct {
	RouteResponseKey string
	ResponseModels   map[string]string
}

// GatewayResponse customises one of API Gateway's own responses.
type GatewayResponse struct {
	StatusCode         string
	ResponseParameters map[string]string
	ResponseTemplates  map[string]string
}

// Cors is a CORS configuration in HTTP API terms; SAM's REST Cors property
// is converted into it by the loader (quotes removed).
type Cors struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// Table is a DynamoDB table. Its fields use the DynamoDB API's JSON names so
// the table can be created with a CreateTable request built from it.
type Table struct {
	LogicalID              string                 `json:"-"`
	TableName              string                 `json:"TableName"`
	AttributeDefinitions   []AttributeDefinition  `json:"AttributeDefinitions"`
	KeySchema              []KeySchemaElement     `json:"KeySchema"`
	GlobalSecondaryIndexes []SecondaryIndex       `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes  []SecondaryIndex       `json:"LocalSecondaryIndexes,omitempty"`
	BillingMode            string                 `json:"BillingMode,omitempty"`
	ProvisionedThroughput  *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	StreamSpecification    *StreamSpecification   `json:"StreamSpecification,omitempty"`
	TimeToLiveAttribute    string                 `json:"-"`
	Source                 Location               `json:"-"`
}

// AttributeDefinition names a key attribute and its type (S, N or B).
type AttributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// KeySchemaElement is one key of a table or index (HASH or RANGE).
type KeySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

// SecondaryIndex is a GSI or LSI definition.
type SecondaryIndex struct {
	IndexName             string                 `json:"IndexName"`
	KeySchema             []KeySchemaElement     `json:"KeySchema"`
	Projection            Projection             `json:"Projection"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
}

// Projection says which attributes an index holds.
type Projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// ProvisionedThroughput is recorded and reported, not enforced.
type ProvisionedThroughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

// StreamSpecification is recorded and reported.
type StreamSpecification struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// Site is a folder of static files served over HTTP (a web front end).
type Site struct {
	Name string
	Dir  string
	// Port is the site's own port; 0 means the next free one.
	Port int
	// Index is the index document ("index.html" when empty).
	Index string
}
