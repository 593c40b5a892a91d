package template

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// samExpansion is what testdata/samxlate.py reports from aws-sam-translator.
type samExpansion struct {
	APIs map[string]struct {
		Protocol string   `json:"protocol"`
		Stages   []string `json:"stages"`
		Routes   []struct {
			Method   string `json:"method"`
			Path     string `json:"path"`
			Type     string `json:"type"`
			Function string `json:"function"`
			Payload  string `json:"payload"`
		} `json:"routes"`
	} `json:"apis"`
	Permissions []struct {
		Function string `json:"function"`
		API      string `json:"api"`
		Method   string `json:"method"`
		Path     string `json:"path"`
	} `json:"permissions"`
}

// requireSAMTranslator skips unless aws-sam-translator is importable; under
// CI the test must run.
func requireSAMTranslator(t *testing.T) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import samtranslator").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("aws-sam-translator is required under CI: %v", err)
		}
		t.Skip("aws-sam-translator not installed: pip install aws-sam-translator==1.110.0")
	}
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// TestSAMTranslatorCrossCheck expands each SAM fixture with the real SAM
// translator and checks that the APIs, stages, routes, integrations and
// invoke permissions it generates are the ones the loader derives.
func TestSAMTranslatorCrossCheck(t *testing.T) {
	requireSAMTranslator(t)
	fixtures := []string{"sam-web", "go-httpapi", "openapi"}
	args := []string{"testdata/samxlate.py"}
	for _, f := range fixtures {
		args = append(args, "testdata/"+f+"/template.yaml")
	}
	cmd := exec.Command("python3", args...)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += "\n" + string(ee.Stderr)
		}
		t.Fatalf("samxlate.py: %s", msg)
	}
	var expansions map[string]samExpansion
	if err := json.Unmarshal(out, &expansions); err != nil {
		t.Fatalf("samxlate.py output: %v\n%s", err, out)
	}
	for _, fixture := range fixtures {
		t.Run(fixture, func(t *testing.T) {
			want, ok := expansions["testdata/"+fixture+"/template.yaml"]
			if !ok {
				t.Fatalf("samxlate.py gave no expansion for %s", fixture)
			}
			a := load(t, "testdata/"+fixture, Options{})
			logicalOf := map[string]string{}
			for _, f := range a.Functions {
				logicalOf[f.Name] = f.LogicalID
			}

			var got []string
			for _, x := range a.APIs {
				got = append(got, x.LogicalID)
			}
			sort.Strings(got)
			wantIDs := sortedKeys(want.APIs)
			eqList(t, "APIs", got, wantIDs)

			for _, id := range wantIDs {
				w := want.APIs[id]
				ours := api(t, a, id)
				eq(t, id+" protocol", string(ours.Protocol), w.Protocol)
				if len(w.Stages) != 1 {
					t.Errorf("%s: SAM generated stages %q, want one", id, w.Stages)
				} else {
					eq(t, id+" stage", ours.Stage, w.Stages[0])
				}
				var wantRoutes []string
				for _, r := range w.Routes {
					if r.Method == "OPTIONS" && r.Type == "MOCK" && r.Function == "null" {
						// SAM's CORS preflight methods: Nimbus answers them
						// from the API's Cors setting.
						if ours.Cors == nil {
							t.Errorf("%s: SAM added CORS preflight for %s but the API has no Cors", id, r.Path)
						}
						continue
					}
					fn := r.Function
					if !strings.HasPrefix(fn, `"`) {
						fn = "fn:" + fn
					}
					wantRoutes = append(wantRoutes, strings.Join([]string{r.Method, r.Path, r.Type, fn, r.Payload}, " "))
				}
				var gotRoutes []string
				for _, r := range ours.Routes {
					method, path := r.Method, r.Path
					if ours.Protocol != app.REST {
						method, path, _ = strings.Cut(r.RouteKey, " ")
						if r.RouteKey == "$default" {
							method, path = "ANY", "$default"
						}
					}
					in := r.Integration
					if in == nil {
						t.Errorf("%s %s has no integration", id, routeName(r))
						continue
					}
					if in.Type == app.IntegrationMock && method == "OPTIONS" {
						if p := pathsWithOptions(w.Routes); p[path] {
							continue
						}
					}
					fn := `"` + in.URI + `"`
					if l, ok := logicalOf[in.FunctionName]; ok && !strings.Contains(in.URI, "${stageVariables.") {
						fn = "fn:" + l
					}
					if in.Type == app.IntegrationMock {
						fn = "null"
					}
					gotRoutes = append(gotRoutes, strings.Join([]string{method, path, in.Type, fn, in.PayloadFormatVersion}, " "))
				}
				sort.Strings(wantRoutes)
				sort.Strings(gotRoutes)
				eqList(t, id+" routes", gotRoutes, wantRoutes)
			}

			// Every event route is covered by the permission SAM adds, and
			// every permission SAM adds is a route or a warned-about event.
			perms := map[string]bool{}
			for _, p := range want.Permissions {
				perms[strings.Join([]string{p.API, p.Method, p.Path, p.Function}, " ")] = true
			}
			seen := map[string]bool{}
			for _, x := range a.APIs {
				if x.Source.Resource != x.LogicalID && !strings.HasPrefix(x.LogicalID, "Serverless") {
					continue
				}
				for _, r := range x.Routes {
					if r.Source.Resource == "" || r.Integration == nil || r.Integration.Type != app.IntegrationAWSProxy {
						continue
					}
					l, ok := logicalOf[r.Integration.FunctionName]
					if !ok || r.Source.Resource != l {
						continue // a route from an OpenAPI body, not an event
					}
					method, path := r.Method, r.Path
					if x.Protocol != app.REST {
						method, path, _ = strings.Cut(r.RouteKey, " ")
						if r.RouteKey == "$default" {
							method, path = "ANY", "/*"
						}
					}
					key := strings.Join([]string{x.LogicalID, method, pathParam.ReplaceAllString(path, "*"), l}, " ")
					seen[key] = true
					if !perms[key] {
						t.Errorf("route %s: SAM adds no permission %q (has %v)", routeName(r), key, sortedKeys(perms))
					}
				}
			}
			warnings := strings.Join(a.Warnings, "\n")
			for _, p := range want.Permissions {
				key := strings.Join([]string{p.API, p.Method, p.Path, p.Function}, " ")
				if !seen[key] && !strings.Contains(warnings, p.Function+".Events.") {
					t.Errorf("SAM permission %q has neither a route nor a warning", key)
				}
			}
		})
	}
}

func pathsWithOptions(routes []struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Type     string `json:"type"`
	Function string `json:"function"`
	Payload  string `json:"payload"`
}) map[string]bool {
	out := map[string]bool{}
	for _, r := range routes {
		if r.Method == "OPTIONS" {
			out[r.Path] = true
		}
	}
	return out
}
