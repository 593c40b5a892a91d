package gateway

import (
	"net/url"
	"strings"
	"testing"
)

func TestRouter(t *testing.T) {
	r := NewRouter[string]()
	for _, rt := range [][2]string{
		{"GET", "/"}, {"GET", "/items"}, {"GET", "/items/{id}"}, {"DELETE", "/items/{id}"},
		{"GET", "/items/special"}, {"ANY", "/{proxy+}"}, {"GET", "/files/{path+}"}, {"POST", "/items/{id}/tags/{tag}"},
	} {
		if err := r.Add(rt[0], rt[1], rt[0]+" "+rt[1]); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		method, path string
		fall         bool
		want         string
		params       string
	}{
		{"GET", "/", false, "GET /", ""},
		{"GET", "/items", false, "GET /items", ""},
		{"GET", "/items/", false, "GET /items", ""},
		{"GET", "/items/7", false, "GET /items/{id}", "id=7"},
		{"DELETE", "/items/7", false, "DELETE /items/{id}", "id=7"},
		{"GET", "/items/special", false, "GET /items/special", ""},
		// Parameters keep the request's encoding (REST APIs); literals
		// match decoded.
		{"GET", "/items/a%2Fb", false, "GET /items/{id}", "id=a%2Fb"},
		{"GET", "/items/a%20b", false, "GET /items/{id}", "id=a%20b"},
		{"GET", "/items/sp%65cial", false, "GET /items/special", ""},
		{"GET", "/files/a%20b/c", false, "GET /files/{path+}", "path=a%20b/c"},
		{"POST", "/items/1/tags/x", false, "POST /items/{id}/tags/{tag}", "id=1,tag=x"},
		{"GET", "/files/a/b/c.txt", false, "GET /files/{path+}", "path=a/b/c.txt"},
		{"GET", "/other/x", false, "ANY /{proxy+}", "proxy=other/x"},
		// REST: the most specific resource decides; no POST on /items/{id}.
		{"PUT", "/items/7", false, "", ""},
		// HTTP APIs fall through to a less specific route.
		{"PUT", "/items/7", true, "ANY /{proxy+}", "proxy=items/7"},
		{"POST", "/", false, "", ""},
		{"GET", "/bad%zz", false, "", ""},
	}
	for _, c := range cases {
		m, found, _ := r.Find(c.method, c.path, c.fall)
		got := ""
		if found {
			got = m.Value
		}
		if got != c.want {
			t.Errorf("%s %s (fall %v): got %q, want %q", c.method, c.path, c.fall, got, c.want)
			continue
		}
		var ps []string
		for _, k := range []string{"id", "tag", "path", "proxy"} {
			if v, ok := m.Params[k]; ok {
				ps = append(ps, k+"="+v)
			}
		}
		if strings.Join(ps, ",") != c.params {
			t.Errorf("%s %s: params %v, want %s", c.method, c.path, m.Params, c.params)
		}
	}
}

// TestRouterFindDecoded: an already decoded path (HTTP APIs) is matched and
// its parameters returned as they are, spaces, '%' and all.
func TestRouterFindDecoded(t *testing.T) {
	r := NewRouter[string]()
	for _, p := range []string{"/items/{id}", "/files/{path+}"} {
		if err := r.Add("GET", p, p); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ path, want, param string }{
		{"/items/a b", "/items/{id}", "a b"},
		{"/items/100%", "/items/{id}", "100%"},
		{"/items/λ", "/items/{id}", "λ"},
		{"/files/a b/c%zz", "/files/{path+}", "a b/c%zz"},
	}
	for _, c := range cases {
		m, found, _ := r.FindDecoded("GET", c.path, false)
		if !found || m.Value != c.want {
			t.Errorf("%s: found %v %q, want %q", c.path, found, m.Value, c.want)
			continue
		}
		for _, v := range m.Params {
			if v != c.param {
				t.Errorf("%s: parameter %q, want %q", c.path, v, c.param)
			}
		}
	}
}

func TestRouterAddErrors(t *testing.T) {
	r := NewRouter[int]()
	for _, p := range []string{"nope", "/a//b", "/{p+}/x", "/{}"} {
		if err := r.Add("GET", p, 1); err == nil {
			t.Errorf("Add(%q) succeeded", p)
		}
	}
	_ = r.Add("GET", "/a/{x}", 1)
	if err := r.Add("GET", "/a/{y}/z", 1); err == nil {
		t.Error("conflicting variable names accepted")
	}
	if err := r.Add("GET", "/a/{x}", 2); err == nil {
		t.Error("duplicate route accepted")
	}
}

// FuzzRouter matches arbitrary paths against a fixed set of resources:
// no panic, and a match's parameters, put back into its resource path,
// must give the request path.
func FuzzRouter(f *testing.F) {
	r := NewRouter[string]()
	resources := []string{"/", "/a", "/a/{x}", "/a/{x}/b", "/a/lit", "/{proxy+}", "/c/{y}/{z+}"}
	for _, p := range resources {
		if err := r.Add("ANY", p, p); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range []string{"/", "/a/1", "/a/lit/", "/c/1/2/3", "/x%2Fy", "//", "/a/%zz", "/a/1/b"} {
		f.Add("GET", s)
	}
	rebuild := func(m Match[string], decode bool) string {
		rebuilt := m.Resource
		for k, v := range m.Params {
			if decode {
				v, _ = url.PathUnescape(v)
			}
			rebuilt = strings.Replace(rebuilt, "{"+k+"+}", v, 1)
			rebuilt = strings.Replace(rebuilt, "{"+k+"}", v, 1)
		}
		return rebuilt
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		if m, found, _ := r.FindDecoded(method, path, true); found {
			if got, want := rebuild(m, false), "/"+strings.Join(splitDecoded(path), "/"); got != want {
				t.Fatalf("decoded path %q matched %s with %v: rebuilt %q, want %q", path, m.Resource, m.Params, got, want)
			}
		}
		m, found, _ := r.Find(method, path, true)
		if !found {
			return
		}
		_, segs, ok := splitRequest(path)
		if !ok {
			t.Fatalf("matched an undecodable path %q", path)
		}
		if got, want := rebuild(m, true), "/"+strings.Join(segs, "/"); got != want {
			t.Fatalf("path %q matched %s with %v: rebuilt %q, want %q", path, m.Resource, m.Params, got, want)
		}
	})
}
