package nimbus

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestSiteHandler(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>chat</h1>"), 0o644)
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("export {}"), 0o644)
	info := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"apis":[]}`) })
	srv := httptest.NewServer(siteHandler(&app.Site{Name: "web", Dir: dir}, info))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		body, ctype  string
	}{
		{"GET", "/", 200, "<h1>chat</h1>", "text/html; charset=utf-8"},
		{"GET", "/app.js", 200, "export {}", "text/javascript; charset=utf-8"},
		{"GET", "/_nimbus/app", 200, `{"apis":[]}`, ""},
		{"GET", "/missing.css", 404, "", ""},
		{"GET", "/empty/", 404, "", ""},
		{"POST", "/", 405, "", ""},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if tc.body != "" && string(body) != tc.body {
			t.Errorf("%s %s: body %q, want %q", tc.method, tc.path, body, tc.body)
		}
		if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("%s %s: content type %q, want %q", tc.method, tc.path, resp.Header.Get("Content-Type"), tc.ctype)
		}
	}
}
