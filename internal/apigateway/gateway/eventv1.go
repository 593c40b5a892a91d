package gateway

// EventV1 is the Lambda proxy event of REST APIs and of HTTP APIs with
// payload format 1.0. It mirrors events.APIGatewayProxyRequest but keeps
// AWS's nulls: absent query strings, path parameters, stage variables and
// body are JSON null, identity fields API Gateway does not know are null,
// and isBase64Encoded is always present.
type EventV1 struct {
	// Version is "1.0" for HTTP APIs and absent for REST APIs.
	Version                         string              `json:"version,omitempty"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  RequestContextV1    `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// RequestContextV1 is the requestContext of an EventV1.
type RequestContextV1 struct {
	ResourceID        *string    `json:"resourceId"`
	ResourcePath      string     `json:"resourcePath"`
	HTTPMethod        string     `json:"httpMethod"`
	ExtendedRequestID string     `json:"extendedRequestId"`
	RequestTime       string     `json:"requestTime"`
	Path              string     `json:"path"`
	AccountID         string     `json:"accountId"`
	Protocol          string     `json:"protocol"`
	Stage             string     `json:"stage"`
	DomainPrefix      string     `json:"domainPrefix"`
	RequestTimeEpoch  int64      `json:"requestTimeEpoch"`
	RequestID         string     `json:"requestId"`
	Identity          IdentityV1 `json:"identity"`
	DomainName        string     `json:"domainName"`
	// DeploymentID is set for REST APIs.
	DeploymentID string `json:"deploymentId,omitempty"`
	APIID        string `json:"apiId"`
}

// IdentityV1 is requestContext.identity of an unauthenticated request:
// only the caller's address and user agent are known.
type IdentityV1 struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
}
