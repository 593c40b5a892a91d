package build

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/evanw/esbuild/pkg/api"
)

// Bundler bundles TypeScript (and JavaScript) handlers with esbuild, as
// SAM's esbuild build method and CDK's NodejsFunction do.
type Bundler struct {
	cacheDir string
	logger   *slog.Logger
	locks    keyedMutex
}

// NewBundler returns a bundler caching bundles under cacheDir.
func NewBundler(cacheDir string, logger *slog.Logger) *Bundler {
	return &Bundler{cacheDir: cacheDir, logger: logger}
}

// BundleOptions are SAM's esbuild BuildProperties that Nimbus honours.
type BundleOptions struct {
	// EntryPoints are relative to the code folder.
	EntryPoints []string
	Minify      bool
	Sourcemap   bool
	// Target is "es2020"-style or "node20"-style; empty uses NodeVersion.
	Target      string
	NodeVersion string
	// Format is "cjs" (default) or "esm" (written as .mjs).
	Format string
	// External defaults to @aws-sdk/*, which Lambda (and Nimbus's shared
	// cache) provides, as CDK's NodejsFunction does.
	External   []string
	MainFields []string
	Banner     string
}

// BundleOptionsFrom reads SAM BuildProperties.
func BundleOptionsFrom(props map[string]any) BundleOptions {
	var o BundleOptions
	o.EntryPoints = stringList(props["EntryPoints"])
	o.Minify = truthy(props["Minify"])
	o.Sourcemap = truthy(props["Sourcemap"])
	o.Target, _ = props["Target"].(string)
	o.Format, _ = props["Format"].(string)
	if ext, ok := props["External"]; ok {
		o.External = stringList(ext)
		if o.External == nil {
			o.External = []string{}
		}
	}
	o.MainFields = stringList(props["MainFields"])
	if b, ok := props["Banner"].(string); ok {
		o.Banner = strings.TrimPrefix(b, "js=")
	}
	return o
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		var out []string
		for _, s := range strings.Split(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// Bundle bundles the entry points of codeDir and returns the output folder,
// where each entry keeps its relative path with a .js (or .mjs) extension.
func (b *Bundler) Bundle(ctx context.Context, name, codeDir string, o BundleOptions) (string, error) {
	if o.External == nil {
		o.External = []string{"@aws-sdk/*"}
	}
	optsJSON, _ := json.Marshal(o)
	key, err := Fingerprint([]string{codeDir}, "esbuild", string(optsJSON))
	if err != nil {
		return "", err
	}
	out := filepath.Join(b.cacheDir, "esbuild", key)
	unlock := b.locks.lock(key)
	defer unlock()
	if _, err := os.Stat(filepath.Join(out, ".complete")); err == nil {
		return out, nil
	}
	b.logger.Info("bundling function with esbuild", "function", name, "entryPoints", o.EntryPoints)
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), key+".tmp")
	if err != nil {
		return "", err
	}
	entries := make([]string, len(o.EntryPoints))
	for i, e := range o.EntryPoints {
		entries[i] = filepath.Join(codeDir, e)
	}
	opts := api.BuildOptions{
		EntryPoints:       entries,
		Outbase:           codeDir,
		Outdir:            tmp,
		AbsWorkingDir:     codeDir,
		Bundle:            true,
		Write:             true,
		Platform:          api.PlatformNode,
		Format:            api.FormatCommonJS,
		External:          o.External,
		MainFields:        o.MainFields,
		MinifyWhitespace:  o.Minify,
		MinifyIdentifiers: o.Minify,
		MinifySyntax:      o.Minify,
		LogLevel:          api.LogLevelSilent,
	}
	if o.Sourcemap {
		opts.Sourcemap = api.SourceMapLinked
	}
	if o.Format == "esm" {
		opts.Format = api.FormatESModule
		opts.OutExtension = map[string]string{".js": ".mjs"}
		// Bundled CommonJS dependencies may call require in an ES module.
		opts.Banner = map[string]string{"js": "import { createRequire as __nimbusCreateRequire } from 'module'; const require = __nimbusCreateRequire(import.meta.url);"}
	}
	if o.Banner != "" {
		opts.Banner = map[string]string{"js": o.Banner + "\n" + opts.Banner["js"]}
	}
	applyTarget(&opts, o)
	result := api.Build(opts)
	if len(result.Errors) > 0 {
		_ = os.RemoveAll(tmp)
		msgs := api.FormatMessages(result.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return "", fmt.Errorf("esbuild could not bundle function %s:\n%s", name, strings.TrimSpace(strings.Join(msgs, "")))
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	if err := publish(tmp, out); err != nil {
		return "", err
	}
	b.logger.Info("bundled function", "function", name, "duration", time.Since(start).Round(time.Millisecond))
	return out, nil
}

func applyTarget(opts *api.BuildOptions, o BundleOptions) {
	target := strings.ToLower(o.Target)
	esTargets := map[string]api.Target{
		"es2015": api.ES2015, "es2016": api.ES2016, "es2017": api.ES2017, "es2018": api.ES2018,
		"es2019": api.ES2019, "es2020": api.ES2020, "es2021": api.ES2021, "es2022": api.ES2022,
		"es2023": api.ES2023, "es2024": api.ES2024, "esnext": api.ESNext,
	}
	if t, ok := esTargets[target]; ok {
		opts.Target = t
		return
	}
	version := o.NodeVersion
	if v, ok := strings.CutPrefix(target, "node"); ok && v != "" {
		version = v
	}
	if version != "" {
		opts.Engines = []api.Engine{{Name: api.EngineNode, Version: version}}
	}
}
