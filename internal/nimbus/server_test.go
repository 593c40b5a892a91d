package nimbus

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// startServer runs a whole Nimbus on a free port with in-memory storage.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Port = 0
	if cfg.DataDir == "" {
		cfg.InMemory = true
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv
}

func TestHealth(t *testing.T) {
	srv := startServer(t, Config{Version: "test"})
	resp, err := http.Get(srv.URL() + "/_nimbus/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var h health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "ok" || h.Version != "test" || h.Edge != srv.URL() {
		t.Errorf("health = %+v", h)
	}
}

func TestFolderWithoutTemplate(t *testing.T) {
	empty := t.TempDir()
	srv := startServer(t, Config{Template: empty, TemplateOptional: true, DataDir: t.TempDir()})
	var apis []apiView
	getJSON(t, srv.URL()+"/_nimbus/apis", &apis)
	if len(apis) != 0 {
		t.Errorf("apis = %+v, want none", apis)
	}
	if _, err := New(context.Background(), Config{Template: empty, InMemory: true, DataDir: t.TempDir()}); err == nil {
		t.Error("a named folder without a template started; want an error")
	}
}
