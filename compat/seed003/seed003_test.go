// Package seed003 runs seed 003's CDK WebSocket app, written the way the
// article writes it (TypeScript handlers typed with aws-lambda's types,
// NodejsFunction bundles, the AWS SDK for JavaScript v2's
// ApiGatewayManagementApi with getConnection and postToConnection, v3's
// DynamoDB document client), from its synthesized cdk.out, on Nimbus.
package seed003

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/evanw/esbuild/pkg/api"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// awsSDKv2 is the AWS SDK for JavaScript v2 the handlers bundle (package.json
// pins the same version). Lambda's Node.js 18+ runtimes do not ship it, so
// NodejsFunction bundles it into each handler that imports it.
const awsSDKv2 = "aws-sdk@2.1693.0"

// entries maps each NodejsFunction of lib/seed003-stack.ts to its entry.
var entries = map[string]string{
	"ConnectHandler":     "lambda/connect-handler.ts",
	"DisconnectHandler":  "lambda/disconnect-handler.ts",
	"SendMessageHandler": "lambda/send-handler.ts",
	"DefaultHandler":     "lambda/default-handler.ts",
}

// synth copies the project to a temporary folder and gives its cdk.out
// the asset folders `cdk synth` writes: for each NodejsFunction, its entry
// bundled by esbuild with the options CDK passes for a nodejs20.x function
// (--bundle --platform=node --target=node20 --format=cjs
// --external:@aws-sdk/* --outfile=index.js). The npm dependency that gets
// bundled (aws-sdk) comes from a cached npm install, and the bundles are
// cached too, keyed by everything that goes into them, since bundling the
// whole v2 SDK twice is slow under the race detector.
func synth(t *testing.T) string {
	t.Helper()
	modules := compattest.NPMPackages(t, awsSDKv2)
	dir := t.TempDir()
	compattest.CopyDir(t, ".", dir, "node_modules")
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cdk.out", "Seed003Stack.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type     string         `json:"Type"`
			Metadata map[string]any `json:"Metadata"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	assets := map[string]string{} // asset folder → entry
	for id, r := range tmpl.Resources {
		assetPath, _ := r.Metadata["aws:asset:path"].(string)
		if r.Type != "AWS::Lambda::Function" || assetPath == "" {
			continue
		}
		cdkPath, _ := r.Metadata["aws:cdk:path"].(string) // Seed003Stack/ConnectHandler/Resource
		parts := strings.Split(cdkPath, "/")
		if len(parts) != 3 || entries[parts[1]] == "" {
			t.Fatalf("%s: no entry for construct path %q", id, cdkPath)
		}
		assets[assetPath] = entries[parts[1]]
	}
	if len(assets) != len(entries) {
		t.Fatalf("the template has %d function assets, want %d", len(assets), len(entries))
	}

	bundles := bundleCache(t, dir, assets)
	for assetPath := range assets {
		if err := os.Symlink(filepath.Join(bundles, assetPath), filepath.Join(dir, "cdk.out", assetPath)); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "cdk.out")
}

// bundleCache returns a folder holding one asset folder per entry of
// assets, bundled from the project in dir, building it on first use.
func bundleCache(t *testing.T, dir string, assets map[string]string) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintln(h, awsSDKv2, esbuildVersion())
	for _, name := range slices.Sorted(maps.Keys(assets)) {
		fmt.Fprintln(h, name, assets[name])
	}
	for _, rel := range []string{"tsconfig.json", "package.json", "lambda"} {
		_ = filepath.WalkDir(filepath.Join(dir, rel), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				fmt.Fprintf(h, "%s %d\n", path[len(dir):], len(b))
				h.Write(b)
			}
			return nil
		})
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	cache := filepath.Join(base, "nimbus", "compat", "seed003-assets-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(cache); err == nil {
		return cache
	}
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(cache), filepath.Base(cache)+".tmp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	for assetPath, entry := range assets {
		res := api.Build(api.BuildOptions{
			EntryPoints:   []string{filepath.Join(dir, entry)},
			Outfile:       filepath.Join(tmp, assetPath, "index.js"),
			AbsWorkingDir: dir,
			Bundle:        true,
			Platform:      api.PlatformNode,
			Format:        api.FormatCommonJS,
			Engines:       []api.Engine{{Name: api.EngineNode, Version: "20"}},
			External:      []string{"@aws-sdk/*"},
			Write:         true,
			LogLevel:      api.LogLevelSilent,
		})
		if len(res.Errors) > 0 {
			t.Fatalf("bundling %s: %v", entry, res.Errors)
		}
	}
	if err := os.Rename(tmp, cache); err != nil {
		if _, statErr := os.Stat(cache); statErr != nil {
			t.Fatalf("caching the bundles: %v", err)
		}
	}
	return cache
}

// esbuildVersion is the version of the esbuild module this test links.
func esbuildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/evanw/esbuild" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// connectionInfo is what the $default handler reports: GetConnection's
// answer plus the connection id.
type connectionInfo struct {
	ConnectedAt  time.Time `json:"ConnectedAt"`
	LastActiveAt time.Time `json:"LastActiveAt"`
	Identity     struct {
		SourceIP  string `json:"SourceIp"`
		UserAgent string `json:"UserAgent"`
	} `json:"Identity"`
	ConnectionID string `json:"connectionId"`
}

var infoFrame = regexp.MustCompile(`^No route for that\. Send \{"action": "send-message", "message": "\.\.\."\}\. Your connection: (\{.*\})$`)

// whoAmI sends a frame no route matches and reads the $default answer.
func whoAmI(ctx context.Context, t *testing.T, name string, ws *compattest.WS) connectionInfo {
	t.Helper()
	if err := ws.Send(ctx, `{"action":"hello"}`); err != nil {
		t.Fatal(err)
	}
	frame, err := ws.Next(20 * time.Second)
	if err != nil {
		t.Fatalf("%s: $default answer: %v", name, err)
	}
	m := infoFrame.FindStringSubmatch(frame)
	if m == nil {
		t.Fatalf("%s: $default answered %q", name, frame)
	}
	var info connectionInfo
	if err := json.Unmarshal([]byte(m[1]), &info); err != nil {
		t.Fatalf("%s: connection info %s: %v", name, m[1], err)
	}
	return info
}

func TestSeed003WebSocketCDK(t *testing.T) {
	compattest.RequireNode(t)
	cdkOut := synth(t)
	app := compattest.Start(t, filepath.Join(cdkOut, "Seed003Stack.template.json"))
	var wsAPI compattest.API
	for id, a := range app.APIs {
		if strings.HasPrefix(id, "ChatWebSocketApi") {
			wsAPI = a
		}
	}
	if wsAPI.Protocol != "WEBSOCKET" || wsAPI.Stage != "production" || wsAPI.Name != "ChatWebSocketApi" {
		t.Fatalf("WebSocket API = %+v", wsAPI)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// wscat -c wss://....execute-api....amazonaws.com/production, three times.
	dial := func() *compattest.WS {
		ws, _, err := compattest.DialWS(ctx, t, wsAPI.URL)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		return ws
	}
	alice, bob, carol := dial(), dial(), dial()
	before := time.Now()

	// $default: GetConnection through the management API at
	// {domainName}/{stage}, answered with postToConnection.
	infos := map[string]connectionInfo{}
	for name, ws := range map[string]*compattest.WS{"alice": alice, "bob": bob, "carol": carol} {
		info := whoAmI(ctx, t, name, ws)
		if info.ConnectionID == "" || info.Identity.SourceIP != "127.0.0.1" ||
			info.ConnectedAt.IsZero() || info.ConnectedAt.After(before) || info.LastActiveAt.Before(info.ConnectedAt) {
			t.Errorf("%s: connection info %+v", name, info)
		}
		infos[name] = info
	}
	if len(map[string]bool{infos["alice"].ConnectionID: true, infos["bob"].ConnectionID: true, infos["carol"].ConnectionID: true}) != 3 {
		t.Fatalf("connection ids are not distinct: %+v", infos)
	}

	// The connections table holds all three ($connect wrote them).
	db := app.DynamoDB()
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 1 || !strings.HasPrefix(tables.TableNames[0], "Seed003Stack-ConnectionTable") {
		t.Fatalf("tables: %v %v", tables, err)
	}
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tables.TableNames[0])})
	if err != nil || scan.Count != 3 {
		t.Fatalf("connections: %v %v", scan, err)
	}

	// > {"action": "send-message", "message": "hello, everyone!"}
	// reaches everyone else; the sender gets nothing: its next frame is
	// the answer to its next $default request.
	if err := alice.Send(ctx, `{"action": "send-message", "message": "hello, everyone!"}`); err != nil {
		t.Fatal(err)
	}
	for name, ws := range map[string]*compattest.WS{"bob": bob, "carol": carol} {
		if got, err := ws.Next(20 * time.Second); err != nil || got != "hello, everyone!" {
			t.Fatalf("%s received %q, %v", name, got, err)
		}
	}
	if info := whoAmI(ctx, t, "alice", alice); info.ConnectionID != infos["alice"].ConnectionID {
		t.Fatalf("alice's connection changed: %+v", info)
	}

	// Carol leaves ($disconnect deletes her row); bob's broadcast reaches
	// alice only.
	carol.Close()
	compattest.Eventually(t, 15*time.Second, "carol's row to be deleted", func() bool {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tables.TableNames[0])})
		return err == nil && out.Count == 2
	})
	if err := bob.Send(ctx, `{"action": "send-message", "message": "carol left"}`); err != nil {
		t.Fatal(err)
	}
	if got, err := alice.Next(20 * time.Second); err != nil || got != "carol left" {
		t.Fatalf("alice received %q, %v", got, err)
	}
}
