// Package web is an ordinary Go web app (chi router, net/http handlers)
// that knows nothing about Lambda; the rest and httpapi programs serve it
// through aws-lambda-go-api-proxy, as such apps are deployed to AWS.
package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
)

// PNG is a 1×1 PNG image, served by GET /image.png.
var PNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f,
	0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}

// Echo is what GET|POST /echo/... answers: the request as the app saw it.
type Echo struct {
	Method      string              `json:"method"`
	Path        string              `json:"path"`
	EscapedPath string              `json:"escapedPath"`
	Param       string              `json:"param"`
	Query       map[string][]string `json:"query"`
	Cookies     map[string]string   `json:"cookies"`
	Multi       []string            `json:"multi"`
	ContentType string              `json:"contentType"`
	Host        string              `json:"host"`
	BodyText    string              `json:"bodyText"`
	BodyBase64  string              `json:"bodyBase64"`
	BodySHA256  string              `json:"bodySha256"`
	BodyLength  int                 `json:"bodyLength"`
}

// Router is the app.
func Router() http.Handler {
	r := chi.NewRouter()
	r.HandleFunc("/echo", echo)
	r.HandleFunc("/echo/*", echo)
	r.Get("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"id": chi.URLParam(r, "id")})
	})
	r.Post("/json", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"title":"name is required"}`))
			return
		}
		w.Header().Set("Location", "/items/"+in.Name)
		writeJSON(w, http.StatusCreated, map[string]string{"hello": in.Name})
	})
	r.Get("/cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc123", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", MaxAge: 3600})
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: "en", Path: "/", Secure: true})
		w.Header().Add("X-Multi", "one")
		w.Header().Add("X-Multi", "two")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("cookies set"))
	})
	r.Get("/image.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.Itoa(len(PNG)))
		_, _ = w.Write(PNG)
	})
	r.Get("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(chi.URLParam(r, "code"))
		if err != nil || code < 200 || code > 599 {
			http.Error(w, "bad code", http.StatusBadRequest)
			return
		}
		if code == http.StatusFound {
			http.Redirect(w, r, "/echo/redirected", http.StatusFound)
			return
		}
		w.Header().Set("X-Status", strconv.Itoa(code))
		if code == http.StatusNoContent || code == http.StatusNotModified {
			w.WriteHeader(code)
			return
		}
		http.Error(w, http.StatusText(code), code)
	})
	return r
}

func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256(body)
	e := Echo{
		Method:      r.Method,
		Path:        r.URL.Path,
		EscapedPath: r.URL.EscapedPath(),
		Param:       chi.URLParam(r, "*"),
		Query:       r.URL.Query(),
		Cookies:     map[string]string{},
		Multi:       r.Header.Values("X-Multi"),
		ContentType: r.Header.Get("Content-Type"),
		Host:        r.Host,
		BodyBase64:  base64.StdEncoding.EncodeToString(body),
		BodySHA256:  hex.EncodeToString(sum[:]),
		BodyLength:  len(body),
	}
	if utf8.Valid(body) {
		e.BodyText = string(body)
	}
	for _, c := range r.Cookies() {
		e.Cookies[c.Name] = c.Value
	}
	sort.Strings(e.Multi)
	writeJSON(w, http.StatusOK, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
