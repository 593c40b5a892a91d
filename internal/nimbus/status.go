package nimbus

import (
	"encoding/json"
	"net/http"
	"time"
)

// health is the body of GET /_nimbus/health.
type health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
	Uptime  string `json:"uptime"`
	Edge    string `json:"edge"`
	Data    string `json:"data"`
}

func (s *Server) registerInternal() {
	s.router.HandleInternal("GET /_nimbus/health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, health{
			Status:  "ok",
			Version: s.cfg.Version,
			Uptime:  time.Since(s.started).Round(time.Millisecond).String(),
			Edge:    s.URL(),
			Data:    s.dataDescription(),
		})
	}))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
