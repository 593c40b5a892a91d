package nimbus

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// newHTTPAPIGateway is replaced by the HTTP API gateway when it lands.
func newHTTPAPIGateway(api *app.API, s *Server, logger *slog.Logger) (http.Handler, error) {
	return nil, errors.New("API " + api.LogicalID + ": HTTP APIs are not available in this build yet")
}
