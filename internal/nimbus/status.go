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
		status, code := "ok", http.StatusOK
		if !s.ready.Load() {
			status, code = "starting", http.StatusServiceUnavailable
		}
		writeJSON(w, code, health{
			Status:  status,
			Version: s.cfg.Version,
			Uptime:  time.Since(s.started).Round(time.Millisecond).String(),
			Edge:    s.URL(),
			Data:    s.dataDescription(),
		})
	}))
	s.router.HandleInternal("GET /_nimbus/apis", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.view().APIs)
	}))
	s.router.HandleInternal("GET /_nimbus/app", http.HandlerFunc(s.serveApp))
}

func (s *Server) serveApp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, s.view())
}

// view describes the running app; lists are empty, never null.
func (s *Server) view() appView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := appView{APIs: []apiView{}, Functions: []functionView{}, Tables: []tableView{}, Sites: []siteView{}, Outputs: map[string]string{}}
	if s.app == nil {
		return v
	}
	ports := map[string]int{}
	for _, m := range s.app.apis {
		ports[m.api.ID] = m.port
		v.APIs = append(v.APIs, apiView{
			LogicalID: m.api.LogicalID,
			APIID:     m.api.ID,
			Name:      m.api.Name,
			Protocol:  string(m.api.Protocol),
			Stage:     m.api.Stage,
			URL:       m.url,
		})
	}
	model := s.app.model
	for _, f := range model.Functions {
		v.Functions = append(v.Functions, functionView{LogicalID: f.LogicalID, Name: f.Name, Runtime: f.Runtime, Handler: f.Handler})
	}
	for _, t := range model.Tables {
		v.Tables = append(v.Tables, tableView{LogicalID: t.LogicalID, Name: t.TableName})
	}
	for _, m := range s.app.sites {
		v.Sites = append(v.Sites, siteView{Name: m.site.Name, URL: m.url})
	}
	for k, out := range model.Outputs {
		v.Outputs[k] = localizeURLs(out, s.cfg.Host, ports)
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
