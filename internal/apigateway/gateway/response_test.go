package gateway

import (
	"errors"
	"net/http"
	"testing"
)

func TestParseResponseV1(t *testing.T) {
	cases := []struct {
		payload string
		strict  bool
		status  int
		headers []Header
		body    string
		err     bool
	}{
		{`{"statusCode":200,"body":"x"}`, true, 200, nil, "x", false},
		{`{"statusCode":"404","headers":{"A":"1","N":5,"B":true}}`, true, 404, []Header{{"A", "1"}, {"B", "true"}, {"N", "5"}}, "", false},
		{`{"statusCode":200,"headers":{"A":"x","B":"y"},"multiValueHeaders":{"a":["1","2"]}}`, true, 200, []Header{{"B", "y"}, {"a", "1"}, {"a", "2"}}, "", false},
		{`{"statusCode":200,"isBase64Encoded":"true","body":"eA=="}`, true, 200, nil, "eA==", false},
		{`{"statusCode":200,"cookies":[]}`, true, 0, nil, "", true},
		{`{"statusCode":200,"cookies":[]}`, false, 200, nil, "", false},
		{`{"statusCode":99}`, true, 0, nil, "", true},
		{`{"statusCode":200.5}`, true, 0, nil, "", true},
		{`{"body":"x"}`, true, 0, nil, "", true},
		{`{"statusCode":200,"body":1}`, true, 200, nil, "1", false},
		{`{"statusCode":200,"body":true}`, true, 200, nil, "true", false},
		{`{"statusCode":200,"body":{"a":1}}`, true, 0, nil, "", true},
		{`{"statusCode":200,"body":[1]}`, false, 0, nil, "", true},
		{`{"statusCode":200,"headers":{"A":{}}}`, true, 0, nil, "", true},
		{`"x"`, true, 0, nil, "", true},
		{`null`, true, 0, nil, "", true},
		{``, true, 0, nil, "", true},
	}
	for _, c := range cases {
		got, err := ParseResponseV1([]byte(c.payload), c.strict)
		if c.err {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err %v, want ErrMalformed", c.payload, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.payload, err)
			continue
		}
		if got.StatusCode != c.status || got.Body != c.body || len(got.Headers) != len(c.headers) {
			t.Errorf("%s: got %+v", c.payload, got)
			continue
		}
		for i := range c.headers {
			if got.Headers[i] != c.headers[i] {
				t.Errorf("%s: header %d = %v, want %v", c.payload, i, got.Headers[i], c.headers[i])
			}
		}
	}
}

// FuzzParseResponse runs both proxy response parsers on arbitrary
// payloads: an error must be ErrMalformed, a success a valid status.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x","headers":{"a":"b"},"multiValueHeaders":{"c":["d"]},"isBase64Encoded":false}`,
		`"hello"`, `{"message":"hi"}`, `{"statusCode":"201","cookies":["a=b"]}`, `[1]`, `nul`, `{"statusCode":1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, parse := range []func([]byte) (*ProxyResponse, error){
			func(p []byte) (*ProxyResponse, error) { return ParseResponseV1(p, true) },
			func(p []byte) (*ProxyResponse, error) { return ParseResponseV1(p, false) },
			ParseResponseV2,
		} {
			r, err := parse(payload)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v is not ErrMalformed", err)
				}
				continue
			}
			if r.StatusCode < 100 || r.StatusCode > 599 {
				t.Fatalf("status %d", r.StatusCode)
			}
		}
	})
}

// TestSetRESTResponseHeaders pins the REST API header table: remapped
// headers keep their value under x-amzn-Remapped-<name as sent>, dropped
// ones disappear, the others pass through.
func TestSetRESTResponseHeaders(t *testing.T) {
	cases := []struct {
		in       Header
		wantName string
	}{
		{Header{"WWW-Authenticate", "Basic"}, "x-amzn-Remapped-WWW-Authenticate"},
		{Header{"www-authenticate", "Bearer"}, "x-amzn-Remapped-www-authenticate"},
		{Header{"Date", "Tue, 01 Oct 2024 00:00:00 GMT"}, "x-amzn-Remapped-Date"},
		{Header{"Server", "nginx"}, "x-amzn-Remapped-Server"},
		{Header{"Authorization", "a"}, "x-amzn-Remapped-Authorization"},
		{Header{"Connection", "close"}, "x-amzn-Remapped-Connection"},
		{Header{"Content-MD5", "m"}, "x-amzn-Remapped-Content-MD5"},
		{Header{"Max-Forwards", "1"}, "x-amzn-Remapped-Max-Forwards"},
		{Header{"User-Agent", "u"}, "x-amzn-Remapped-User-Agent"},
		{Header{"Via", "1.1 x"}, ""},
		{Header{"Host", "h"}, ""},
		{Header{"Transfer-Encoding", "chunked"}, ""},
		{Header{"Upgrade", "websocket"}, ""},
		{Header{"Proxy-Authenticate", "p"}, ""},
		{Header{"Trailer", "t"}, ""},
		{Header{"Content-Length", "5"}, ""},
		{Header{"content-type", "text/plain"}, "Content-Type"},
		{Header{"X-Custom", "1"}, "X-Custom"},
		{Header{"Set-Cookie", "a=b"}, "Set-Cookie"},
	}
	for _, c := range cases {
		h := http.Header{}
		SetRESTResponseHeaders(h, []Header{c.in})
		if c.wantName == "" {
			if len(h) != 0 {
				t.Errorf("%s: got %v, want it dropped", c.in.Name, h)
			}
			continue
		}
		if len(h) != 1 || len(h[c.wantName]) != 1 || h[c.wantName][0] != c.in.Value {
			t.Errorf("%s: got %v, want %s: %s", c.in.Name, h, c.wantName, c.in.Value)
		}
	}
}

// FuzzScanResponse checks the one-pass reader of plain proxy responses
// against the general decoder: for every payload both give the same
// response or both fail.
func FuzzScanResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"body":"x","headers":{"a":"b","C":1,"d":true,"e":null},"multiValueHeaders":{"c":["d",2],"x":null},"isBase64Encoded":false}`,
		`{"statusCode":201,"cookies":["a=b",1],"headers":{},"body":null}`,
		`{"statusCode":200,"headers":{"a":"1","a":"2"}}`,
		`{"statusCode":"200","body":"\u00e9"}`,
		`{"statusCode":null}`,
		`{"statusCode":200,"other":{"x":[1,"}",{"y":"\""}]},"body":"b"}`,
		`{"message":"no status"}`,
		` { "statusCode" : 404 , "multiValueHeaders" : { "b" : [ ] , "a" : [ "1" ] } , "headers" : { "A" : "x" , "B" : "y" } } `,
		`{"statusCode":200,"isBase64Encoded":"true","body":"eA=="}`,
		`{"statusCode":2e2}`,
		"{\"statusCode\":200,\"body\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	same := func(a, b *ProxyResponse) bool {
		if a == nil || b == nil {
			return a == b
		}
		if a.StatusCode != b.StatusCode || a.StatusSet != b.StatusSet || a.Body != b.Body || a.IsBase64Encoded != b.IsBase64Encoded ||
			len(a.Headers) != len(b.Headers) || len(a.Cookies) != len(b.Cookies) {
			return false
		}
		for i := range a.Headers {
			if a.Headers[i] != b.Headers[i] {
				return false
			}
		}
		for i := range a.Cookies {
			if a.Cookies[i] != b.Cookies[i] {
				return false
			}
		}
		return true
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, strict := range []bool{true, false} {
			got, err := ParseResponseV1(payload, strict)
			want, wantErr := decodeResponseV1(payload, strict)
			if (err == nil) != (wantErr == nil) || !same(got, want) {
				t.Fatalf("v1 strict=%v %q: got %+v, %v; want %+v, %v", strict, payload, got, err, want, wantErr)
			}
		}
		got, err := ParseResponseV2(payload)
		want, wantErr := parseResponseV2(payload, false)
		if (err == nil) != (wantErr == nil) || !same(got, want) {
			t.Fatalf("v2 %q: got %+v, %v; want %+v, %v", payload, got, err, want, wantErr)
		}
	})
}

// TestParseResponseV2 pins payload format 2.0 responses: inference, cookies,
// and a null statusCode, which is malformed rather than a status of 0.
func TestParseResponseV2(t *testing.T) {
	cases := []struct {
		payload string
		status  int
		body    string
		headers []Header
		cookies []string
		err     bool
	}{
		{`{"statusCode":201,"headers":{"b":"2","a":1},"body":"x","cookies":["c=1","d=2"]}`, 201, "x", []Header{{"a", "1"}, {"b", "2"}}, []string{"c=1", "d=2"}, false},
		{`{"statusCode":"404","body":"\u00e9"}`, 404, "é", nil, nil, false},
		{`{"message":"hi"}`, 200, `{"message":"hi"}`, []Header{{"Content-Type", "application/json"}}, nil, false},
		{`"text"`, 200, "text", []Header{{"Content-Type", "application/json"}}, nil, false},
		{`{"statusCode":null,"body":"x"}`, 0, "", nil, nil, true},
		{`{"statusCode":200,"body":1}`, 0, "", nil, nil, true},
		{`{"statusCode":600}`, 0, "", nil, nil, true},
		{`not json`, 0, "", nil, nil, true},
	}
	for _, c := range cases {
		got, err := ParseResponseV2([]byte(c.payload))
		if c.err {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: got %+v, %v; want ErrMalformed", c.payload, got, err)
			}
			continue
		}
		if err != nil || got.StatusCode != c.status || got.Body != c.body || len(got.Headers) != len(c.headers) || len(got.Cookies) != len(c.cookies) {
			t.Errorf("%s: got %+v, %v", c.payload, got, err)
			continue
		}
		for i := range c.headers {
			if got.Headers[i] != c.headers[i] {
				t.Errorf("%s: header %d = %v, want %v", c.payload, i, got.Headers[i], c.headers[i])
			}
		}
		for i := range c.cookies {
			if got.Cookies[i] != c.cookies[i] {
				t.Errorf("%s: cookie %d = %q, want %q", c.payload, i, got.Cookies[i], c.cookies[i])
			}
		}
	}
}
