package websocket

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/nimbus-dev/nimbus/internal/apigateway/gateway"
	"github.com/nimbus-dev/nimbus/internal/apigateway/websocket/registry"
)

// management serves the @connections API (PostToConnection, GetConnection,
// DeleteConnection) over a Registry.
type management struct {
	reg Registry
	// apiID scopes lookups to one API; empty for the edge's handler.
	apiID  string
	logger *slog.Logger
}

// getConnectionOutput is GetConnection's JSON body, with the member names
// the SDKs deserialize.
type getConnectionOutput struct {
	ConnectedAt  string          `json:"connectedAt"`
	Identity     connectionIdent `json:"identity"`
	LastActiveAt string          `json:"lastActiveAt"`
}

type connectionIdent struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// isoMillis is the date-time format of GetConnection's timestamps.
const isoMillis = "2006-01-02T15:04:05.000Z"

func (m *management) serve(w http.ResponseWriter, r *http.Request, id string) {
	requestID := gateway.NewRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	if id == "" || strings.Contains(id, "/") {
		writeAPIError(w, errForbidden, "")
		return
	}
	if !validConnectionID(id) {
		writeAPIError(w, errBadRequest, "Invalid connectionId: "+id)
		return
	}
	t := registry.Target{APIID: m.apiID, ConnectionID: id}
	switch r.Method {
	case http.MethodPost:
		data, tooLarge, err := readData(r)
		if err != nil {
			writeAPIError(w, errBadRequest, "Could not read the request body")
			return
		}
		if tooLarge {
			writeAPIError(w, errPayloadTooLarge, "")
			return
		}
		if err := m.reg.Post(r.Context(), t, registry.Message{Data: data, Binary: !utf8.Valid(data)}); err != nil {
			m.writeRegistryError(w, err, id)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		info, err := m.reg.Get(r.Context(), t)
		if err != nil {
			m.writeRegistryError(w, err, id)
			return
		}
		out, _ := json.Marshal(getConnectionOutput{
			ConnectedAt:  info.ConnectedAt.UTC().Format(isoMillis),
			Identity:     connectionIdent{SourceIP: info.SourceIP, UserAgent: info.UserAgent},
			LastActiveAt: info.LastActiveAt.UTC().Format(isoMillis),
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
	case http.MethodDelete:
		if err := m.reg.Delete(r.Context(), t); err != nil {
			m.writeRegistryError(w, err, id)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeAPIError(w, errForbidden, "")
	}
}

// readData reads a PostToConnection body of at most MaxMessageSize bytes,
// in one allocation when the length is known.
func readData(r *http.Request) (data []byte, tooLarge bool, err error) {
	if r.ContentLength > MaxMessageSize {
		return nil, true, nil
	}
	if r.ContentLength >= 0 {
		data = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, data)
		return data, false, err
	}
	data, err = io.ReadAll(io.LimitReader(r.Body, MaxMessageSize+1))
	return data, len(data) > MaxMessageSize, err
}

func (m *management) writeRegistryError(w http.ResponseWriter, err error, id string) {
	switch {
	case errors.Is(err, registry.ErrGone):
		writeAPIError(w, errGone, "")
	case errors.Is(err, registry.ErrLimitExceeded):
		writeAPIError(w, errLimitExceeded, "")
	default:
		m.logger.Error("@connections request failed", "connectionId", id, "error", err)
		writeAPIError(w, errInternal, "")
	}
}

// ConnectionsOptions configure ConnectionsHandler.
type ConnectionsOptions struct {
	Logger *slog.Logger
}

// ConnectionsHandler serves the management API where SDK clients
// configured with AWS_ENDPOINT_URL send it: POST|GET|DELETE
// /@connections/{id}, with no API id (and an optional stage segment before
// /@connections), looking the connection up in reg across all APIs.
func ConnectionsHandler(reg Registry, opts ConnectionsOptions) http.Handler {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &management{reg: reg, logger: logger.With("component", "websocket-management")}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		i := strings.Index(p, "/@connections/")
		if i < 0 || strings.Contains(p[1:max(i, 1)], "/") {
			writeForbidden(w)
			return
		}
		m.serve(w, r, p[i+len("/@connections/"):])
	})
}
