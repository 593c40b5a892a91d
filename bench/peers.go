package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// npmPeers are the npm packages the harness runs side by side with Nimbus,
// pinned. @aws-sdk/client-apigatewaymanagementapi is what the WebSocket
// handlers import; serverless-offline resolves it from here.
var npmPeers = map[string]string{
	"dynalite":           "4.0.0",
	"lambda-local":       "2.2.0",
	"serverless":         "3.40.0",
	"serverless-offline": "13.9.0",
	"@aws-sdk/client-apigatewaymanagementapi": "3.1169.0",
}

// peerPackages maps each peer system to the npm packages it needs.
var peerPackages = map[string][]string{
	"dynalite":           {"dynalite"},
	"lambda-local":       {"lambda-local"},
	"serverless-offline": {"serverless", "serverless-offline", "@aws-sdk/client-apigatewaymanagementapi"},
}

// InstallPeers installs the npm peers into bench/.peers (git-ignored) when
// they are missing, checks moto_server and wrk, and records every peer's
// status; a peer that cannot be installed is reported, not dropped.
func (h *Harness) InstallPeers(ctx context.Context) {
	if err := h.installNPM(ctx); err != nil {
		h.logf("npm peers: %v", err)
	}
	for sys, pkgs := range peerPackages {
		var versions []string
		var missing error
		for _, p := range pkgs {
			v, err := installedVersion(h.peers, p)
			if err != nil {
				missing = fmt.Errorf("not installed (npm install %s@%s in bench/.peers failed): %v", p, npmPeers[p], err)
				break
			}
			versions = append(versions, p+"@"+v)
		}
		st := SystemStatus{Name: sys, What: peerWhat[sys], Status: "ok", Version: strings.Join(versions, ", ")}
		if missing != nil {
			h.peerErr[sys] = missing
			st.Status, st.Version = missing.Error(), ""
		}
		h.res.SetSystem(st)
	}
	moto := SystemStatus{Name: "moto_server", What: peerWhat["moto_server"], Status: "ok"}
	if out, err := RunQuiet(ctx, 60*time.Second, "", nil, "python3", "-c", "import moto, flask; print(moto.__version__)"); err != nil {
		h.peerErr["moto_server"] = fmt.Errorf("not installed (pip install 'moto[server]'): %v %s", err, out)
		moto.Status = h.peerErr["moto_server"].Error()
	} else {
		moto.Version = "moto " + out
	}
	h.res.SetSystem(moto)
	if _, err := exec.LookPath("wrk"); err != nil {
		h.peerErr["wrk"] = fmt.Errorf("wrk not found (apt-get install wrk)")
	}
	if err := h.copySLSApp(); err != nil {
		h.peerErr["serverless-offline"] = fmt.Errorf("cannot copy the app: %v", err)
		h.peerErr["lambda-local"] = h.peerErr["serverless-offline"]
	}
}

var peerWhat = map[string]string{
	"dynalite":           "DynamoDB on LevelDB (Node.js), in memory",
	"moto_server":        "moto's server mode (Python), DynamoDB",
	"serverless-offline": "Serverless Framework v3 + serverless-offline: HTTP API, WebSocket, Lambda invoke (Node handlers in worker threads)",
	"lambda-local":       "lambda-local --watch: one Node handler in-process behind HTTP",
}

func (h *Harness) installNPM(ctx context.Context) error {
	complete := true
	for p, v := range npmPeers {
		if got, err := installedVersion(h.peers, p); err != nil || got != v {
			complete = false
		}
	}
	if complete {
		return nil
	}
	if err := os.MkdirAll(h.peers, 0o755); err != nil {
		return err
	}
	pkg := map[string]any{
		"name": "nimbus-bench-peers", "private": true,
		"description":  "Peers the Nimbus benchmark harness runs side by side (written by go run ./bench).",
		"dependencies": npmPeers,
	}
	b, _ := json.MarshalIndent(pkg, "", "  ")
	if err := os.WriteFile(filepath.Join(h.peers, "package.json"), b, 0o644); err != nil {
		return err
	}
	h.logf("installing npm peers into %s ...", h.peers)
	out, err := RunQuiet(ctx, 10*time.Minute, h.peers, nil, "npm", "install", "--no-audit", "--no-fund")
	if err != nil {
		return fmt.Errorf("npm install: %v: %s", err, lastLines(out, 5))
	}
	return nil
}

func installedVersion(dir, pkg string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(b, &p); err != nil {
		return "", err
	}
	return p.Version, nil
}

// copySLSApp copies bench/apps/sls into bench/.peers/sls, where node finds
// serverless-offline and the SDK in bench/.peers/node_modules.
func (h *Harness) copySLSApp() error {
	src := filepath.Join(h.root, "bench", "apps", "sls")
	dst := filepath.Join(h.peers, "sls")
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
