package nimbus

import (
	"regexp"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// apiView is one entry of GET /_nimbus/apis.
type apiView struct {
	LogicalID string `json:"logicalId"`
	APIID     string `json:"apiId"`
	Name      string `json:"name"`
	Protocol  string `json:"protocol"`
	Stage     string `json:"stage"`
	URL       string `json:"url"`
}

type functionView struct {
	LogicalID string `json:"logicalId"`
	Name      string `json:"name"`
	Runtime   string `json:"runtime"`
	Handler   string `json:"handler"`
}

type tableView struct {
	LogicalID string `json:"logicalId"`
	Name      string `json:"name"`
}

type siteView struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// appView is GET /_nimbus/app: the whole running app.
type appView struct {
	APIs      []apiView         `json:"apis"`
	Functions []functionView    `json:"functions"`
	Tables    []tableView       `json:"tables"`
	Sites     []siteView        `json:"sites"`
	Outputs   map[string]string `json:"outputs"`
}

// apiURL is the base URL a client uses for an API on its own port:
// http://host:port/stage, ws://host:port/stage, or no stage segment for an
// HTTP API's $default stage.
func apiURL(host string, port int, api *app.API) string {
	scheme := "http"
	if api.Protocol == app.WebSocket {
		scheme = "ws"
	}
	u := scheme + "://" + hostPort(host, port)
	if api.Stage != "" && api.Stage != "$default" {
		u += "/" + api.Stage
	}
	return u
}

var awsAPIURL = regexp.MustCompile(`(https|wss)://([a-z0-9]{10})\.execute-api\.[a-z0-9-]+\.amazonaws\.com`)

// localizeURLs rewrites AWS execute-api URLs in s (as templates' Outputs
// compute them) to the local ports that serve those APIs.
func localizeURLs(s, host string, ports map[string]int) string {
	return awsAPIURL.ReplaceAllStringFunc(s, func(m string) string {
		sub := awsAPIURL.FindStringSubmatch(m)
		port, ok := ports[sub[2]]
		if !ok {
			return m
		}
		scheme := "http"
		if sub[1] == "wss" {
			scheme = "ws"
		}
		return scheme + "://" + hostPort(host, port)
	})
}

func sortedOutputs(outputs map[string]string) []string {
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// displayHost is the host to put in URLs: a wildcard listen address is
// reached through loopback.
func displayHost(host string) string {
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		return "127.0.0.1"
	}
	return strings.Trim(host, "[]")
}
