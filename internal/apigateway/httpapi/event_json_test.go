package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzEventV2JSON checks the event encoder against json.Marshal on events
// whose strings, maps and lists come from the fuzzer.
func FuzzEventV2JSON(f *testing.F) {
	f.Add("GET /a/{id}", "/a/<b>&c", "x=1&y=\u2028", "k\x00\x1f", "v\"\\\b\f\n\r\t", "\xff\xfe é 😀", true)
	f.Add("", "", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string, flag bool) {
		pick := func(n int) map[string]string {
			if n == 0 {
				return nil
			}
			m := map[string]string{}
			for i, s := range []string{a, b, c, d, e, g}[:n] {
				m[s] = []string{g, e, d, c, b, a}[i]
			}
			return m
		}
		n := len(a) % 7
		ev := &EventV2{Version: "2.0", RouteKey: a, RawPath: b, RawQueryString: c, Headers: pick(6),
			QueryStringParameters: pick(n), PathParameters: pick(len(b) % 7), StageVariables: pick(len(c) % 7),
			RequestContext: RequestContextV2{AccountID: d, APIID: e, DomainName: g, DomainPrefix: a,
				HTTP:      HTTPContextV2{Method: b, Path: c, Protocol: d, SourceIP: e, UserAgent: g},
				RequestID: a, RouteKey: b, Stage: c, Time: d, TimeEpoch: int64(len(e)) * -1234567},
			Body: e, IsBase64Encoded: flag}
		if flag {
			ev.Cookies = strings.Split(g, ";")
		} else if n == 3 {
			ev.Cookies = []string{}
		}
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.appendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("appendJSON:\n%s\njson.Marshal:\n%s", got, want)
		}
	})
}
