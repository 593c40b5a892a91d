package nimbus

import (
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestAPIURL(t *testing.T) {
	tests := []struct {
		api  app.API
		want string
	}{
		{app.API{Protocol: app.REST, Stage: "prod"}, "http://127.0.0.1:3000/prod"},
		{app.API{Protocol: app.WebSocket, Stage: "production"}, "ws://127.0.0.1:3000/production"},
		{app.API{Protocol: app.HTTP, Stage: "$default"}, "http://127.0.0.1:3000"},
		{app.API{Protocol: app.HTTP, Stage: "v1"}, "http://127.0.0.1:3000/v1"},
	}
	for _, tc := range tests {
		if got := apiURL("127.0.0.1", 3000, &tc.api); got != tc.want {
			t.Errorf("apiURL(%+v) = %q, want %q", tc.api, got, tc.want)
		}
	}
}

func TestLocalizeURLs(t *testing.T) {
	ports := map[string]int{"abcde12345": 3000, "wsapi12345": 3001}
	tests := map[string]string{
		"https://abcde12345.execute-api.us-east-1.amazonaws.com/Prod/":      "http://127.0.0.1:3000/Prod/",
		"wss://wsapi12345.execute-api.eu-west-1.amazonaws.com/production":   "ws://127.0.0.1:3001/production",
		"https://unknown123.execute-api.us-east-1.amazonaws.com/Prod":       "https://unknown123.execute-api.us-east-1.amazonaws.com/Prod",
		"arn:aws:dynamodb:us-east-1:000000000000:table/rooms":               "arn:aws:dynamodb:us-east-1:000000000000:table/rooms",
		"see https://abcde12345.execute-api.us-east-1.amazonaws.com/Prod x": "see http://127.0.0.1:3000/Prod x",
	}
	for in, want := range tests {
		if got := localizeURLs(in, "127.0.0.1", ports); got != want {
			t.Errorf("localizeURLs(%q) = %q, want %q", in, got, want)
		}
	}
}
