package nimbus

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// siteHandler serves a static web front end from a folder. It also answers
// GET /_nimbus/app on the site's own origin, so a page can find the APIs'
// URLs without hand edits or cross-origin requests.
func siteHandler(site *app.Site, appInfo http.Handler) http.Handler {
	index := site.Index
	if index == "" {
		index = "index.html"
	}
	files := http.FileServer(noListing{http.Dir(site.Dir)})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_nimbus/app" {
			appInfo.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Pages change while developing; never let the browser keep a stale
		// copy.
		w.Header().Set("Cache-Control", "no-cache")
		if strings.HasSuffix(r.URL.Path, "/") && index != "index.html" {
			// http.FileServer only knows index.html; serve a custom index
			// document in its place.
			if _, err := os.Stat(filepath.Join(site.Dir, filepath.FromSlash(r.URL.Path), index)); err == nil {
				http.ServeFile(w, r, filepath.Join(site.Dir, filepath.FromSlash(r.URL.Path), index))
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// noListing hides directory listings: a folder without an index is 404.
type noListing struct{ fs http.FileSystem }

func (n noListing) Open(name string) (http.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		idx, err := n.fs.Open(strings.TrimSuffix(name, "/") + "/index.html")
		if err != nil {
			f.Close()
			return nil, os.ErrNotExist
		}
		idx.Close()
	}
	return f, nil
}
