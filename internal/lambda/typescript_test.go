package lambda

import (
	"context"
	"testing"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestTypeScriptHandlerIsBundled(t *testing.T) {
	requireTool(t, "node", nodeInstall)
	dir := writeFiles(t, map[string]string{
		"src/greet.ts": `export interface Greeting { text: string; length: number }
export const greet = (name: string): Greeting => { const text = ` + "`hello ${name}`" + `; return { text, length: text.length }; };
`,
		"src/index.ts": `import { greet } from './greet';
type Event = { name?: string };
export const handler = async (event: Event): Promise<{ statusCode: number; body: string }> => {
  const g = greet(event.name ?? 'world');
  return { statusCode: 200, body: JSON.stringify(g) };
};
`,
	})
	h := newHarness(t, Options{})
	plain := &app.Function{Name: "ts", Runtime: "nodejs20.x", Handler: "src/index.handler", CodeDir: dir, Timeout: 5 * time.Second}
	sam := &app.Function{Name: "tsesm", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir + "/src", Timeout: 5 * time.Second,
		BuildMethod: "esbuild", BuildProperties: map[string]any{"EntryPoints": []any{"index.ts"}, "Format": "esm", "Minify": true, "Target": "es2022"}}
	if err := h.svc.Apply(context.Background(), []*app.Function{plain, sam}, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ts", "tsesm"} {
		out := invokeJSON(t, h, name, `{"name":"nimbus"}`)
		if want := `{"statusCode":200,"body":"{\"text\":\"hello nimbus\",\"length\":12}"}`; string(out.Payload) != want {
			t.Errorf("%s: %s", name, out.Payload)
		}
	}
}
