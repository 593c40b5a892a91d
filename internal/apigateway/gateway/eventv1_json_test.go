package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzEventV1JSON checks the event encoder against json.Marshal on events
// whose strings, maps, lists and nulls come from the fuzzer.
func FuzzEventV1JSON(f *testing.F) {
	f.Add("/{proxy+}", "/a/<b>&c", "x=1&y=\u2028", "k\x00\x1f", "v\"\\\b\f\n\r\t", "\xff\xfe é 😀", true)
	f.Add("", "", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string, flag bool) {
		words := []string{a, b, c, d, e, g}
		pick := func(n int) map[string]string {
			if n == 0 {
				return nil
			}
			m := map[string]string{}
			for i, s := range words[:n] {
				m[s] = words[5-i]
			}
			return m
		}
		pickMulti := func(n int) map[string][]string {
			if n == 0 {
				return nil
			}
			m := map[string][]string{}
			for i, s := range words[:n] {
				switch i % 3 {
				case 0:
					m[s] = strings.Split(words[5-i], ",")
				case 1:
					m[s] = nil
				default:
					m[s] = []string{}
				}
			}
			return m
		}
		ptr := func(s string, set bool) *string {
			if !set {
				return nil
			}
			return &s
		}
		ev := &EventV1{Resource: a, Path: b, HTTPMethod: c, Headers: pick(6), MultiValueHeaders: pickMulti(len(a) % 7),
			QueryStringParameters: pick(len(b) % 7), MultiValueQueryStringParameters: pickMulti(len(c) % 7),
			PathParameters: pick(len(d) % 7), StageVariables: pick(len(e) % 7),
			RequestContext: RequestContextV1{ResourceID: ptr(d, flag), ResourcePath: a, HTTPMethod: c, ExtendedRequestID: e,
				RequestTime: g, Path: b, AccountID: d, Protocol: e, Stage: g, DomainPrefix: a, RequestTimeEpoch: int64(len(g)) * 987654321,
				RequestID: b, DomainName: c, APIID: d,
				Identity: IdentityV1{CognitoIdentityPoolID: ptr(a, !flag), AccountID: ptr(b, flag), CognitoIdentityID: ptr(c, len(c)%2 == 0),
					Caller: ptr(d, len(d)%2 == 0), SourceIP: e, PrincipalOrgID: ptr(g, len(g)%2 == 1), AccessKey: ptr(a, len(a)%2 == 1),
					CognitoAuthenticationType: ptr(b, len(b)%2 == 1), CognitoAuthenticationProvider: ptr(c, len(c)%2 == 1),
					UserArn: ptr(d, len(d)%2 == 1), UserAgent: g, User: ptr(e, len(e)%2 == 1)}},
			Body: ptr(g, !flag), IsBase64Encoded: flag}
		if len(a)%2 == 1 {
			ev.Version = a
		}
		if len(b)%2 == 1 {
			ev.RequestContext.DeploymentID = b
		}
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON:\n%s\njson.Marshal:\n%s", got, want)
		}
	})
}
