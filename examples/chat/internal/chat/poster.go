package chat

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// ErrGone means the connection no longer exists (the management API's
// GoneException, HTTP 410).
var ErrGone = errors.New("connection is gone")

// Poster sends data to one WebSocket connection of one API stage.
type Poster interface {
	Post(ctx context.Context, connectionID string, data []byte) error
}

// PosterFactory returns the Poster for a management API endpoint such as
// https://abc123.execute-api.us-east-1.amazonaws.com/production.
type PosterFactory func(endpoint string) Poster

// ManagementPoster posts through the API Gateway Management API.
type ManagementPoster struct {
	Client *apigatewaymanagementapi.Client
}

// Post calls PostToConnection, mapping GoneException to ErrGone.
func (p ManagementPoster) Post(ctx context.Context, connectionID string, data []byte) error {
	_, err := p.Client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(connectionID),
		Data:         data,
	})
	if _, ok := errors.AsType[*types.GoneException](err); ok {
		return ErrGone
	}
	return err
}

// ManagementPosters makes one management client per endpoint from cfg and
// keeps it for the life of the execution environment. The endpoint is set
// on the client, so it wins over AWS_ENDPOINT_URL; HTTP goes through the
// SDK's default client, which honours HTTPS_PROXY and the CA bundle.
func ManagementPosters(cfg aws.Config) PosterFactory {
	var clients sync.Map
	return func(endpoint string) Poster {
		if c, ok := clients.Load(endpoint); ok {
			return c.(ManagementPoster)
		}
		c := ManagementPoster{Client: apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
			o.BaseEndpoint = aws.String(endpoint)
		})}
		actual, _ := clients.LoadOrStore(endpoint, c)
		return actual.(ManagementPoster)
	}
}
