package template

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzNames are the file names a fuzzed template is loaded as, so each
// loader sees the input.
var fuzzNames = []string{"template.yaml", "template.json", "serverless.yml"}

// FuzzLoad feeds random and mutated templates to Load: it may fail, but it
// must never panic or hang.
func FuzzLoad(f *testing.F) {
	fixtures := map[string]uint8{
		"testdata/sam-web/template.yaml":                      0,
		"testdata/ws-chat/template.yaml":                      0,
		"testdata/go-httpapi/template.yaml":                   0,
		"testdata/openapi/template.yaml":                      0,
		"testdata/chat/template.yaml":                         0,
		"testdata/cdk-ws/cdk.out/PollyApiStack.template.json": 1,
		"testdata/serverless/serverless.yml":                  2,
	}
	for path, kind := range fixtures {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, kind)
	}
	f.Add([]byte("Resources: {A: {Type: X, Properties: {P: !Sub '${A.B.C}${!x}${'}}}}"), uint8(0))
	f.Add([]byte("service: s\ncustom: {a: '${self:custom.a}'}\nfunctions: {f: {handler: '${self:custom.a}'}}"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		dir := t.TempDir()
		name := fuzzNames[int(kind)%len(fuzzNames)]
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := Load(dir, Options{WorkDir: t.TempDir(), Env: func(string) (string, bool) { return "", false }})
		if err == nil && a == nil {
			t.Fatal("nil app without error")
		}
	})
}
