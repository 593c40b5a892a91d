package nimbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/httpserve"
	"github.com/nimbus-dev/nimbus/internal/lambda/build"
	"github.com/nimbus-dev/nimbus/internal/template"
	"github.com/nimbus-dev/nimbus/internal/watch"
)

// running is the loaded app and what serves it.
type running struct {
	model *app.App
	apis  []*mountedAPI
	sites []*mountedSite
	// goSources are what each Go function built from sources reads, by
	// function name, so edits to shared packages rebuild the right ones.
	goSources map[string]*build.GoSources
}

// goSourcesOf finds the module sources of the app's Go functions built
// from sources.
func goSourcesOf(model *app.App, logger *slog.Logger) map[string]*build.GoSources {
	sources := map[string]*build.GoSources{}
	for _, f := range model.Functions {
		if f.CodeDir == "" || !build.IsGoSource(f.CodeDir) {
			continue
		}
		src, err := build.GoInputs(f.CodeDir)
		if err != nil {
			logger.Warn("cannot list the Go sources of a function; only its folder is watched", "function", f.Name, "err", err)
			continue
		}
		sources[f.Name] = src
	}
	return sources
}

// mountedSite is a static front end on its own port.
type mountedSite struct {
	site   *app.Site
	url    string
	server *httpserve.Server
}

// loadTemplate reads the template with the server's settings.
func (s *Server) loadTemplate() (*app.App, error) {
	return template.Load(s.cfg.Template, template.Options{
		Params:    s.cfg.Params,
		Stage:     s.cfg.Stage,
		Region:    s.cfg.Region,
		AccountID: s.cfg.AccountID,
		WorkDir:   filepath.Join(s.cfg.DataDir, "generated"),
		Logger:    s.logger,
	})
}

// startApp loads the template and brings every resource up: tables,
// functions (built if needed), APIs on their ports, sites.
func (s *Server) startApp(ctx context.Context) error {
	model, err := s.loadTemplate()
	if err != nil {
		return err
	}
	for _, w := range model.Warnings {
		s.logger.Warn(w, "component", "template")
	}
	if err := s.applyResources(ctx, model); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app = &running{model: model, goSources: goSourcesOf(model, s.logger)}
	if s.cfg.FunctionsOnly {
		return nil
	}
	for _, api := range model.APIs {
		m, err := s.mountAPI(api)
		if err != nil {
			return err
		}
		s.app.apis = append(s.app.apis, m)
	}
	for _, site := range model.Sites {
		m, err := s.mountSite(site)
		if err != nil {
			return err
		}
		s.app.sites = append(s.app.sites, m)
	}
	return nil
}

// applyResources creates or updates tables and functions.
func (s *Server) applyResources(ctx context.Context, model *app.App) error {
	for _, t := range model.Tables {
		if err := s.svc.dynamodb.EnsureTable(ctx, t); err != nil {
			return err
		}
	}
	if err := s.svc.lambda.Apply(ctx, model.Functions, model.Layers); err != nil {
		return fmt.Errorf("functions: %w", err)
	}
	return nil
}

func (s *Server) mountSite(site *app.Site) (*mountedSite, error) {
	ln, err := s.ports.listen(site.Port)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", site.Name, err)
	}
	port := portOf(ln.Addr())
	m := &mountedSite{site: site, url: "http://" + hostPort(s.cfg.Host, port)}
	m.server = httpserve.New(ln, siteHandler(site, http.HandlerFunc(s.serveApp)), httpserve.Options{
		Logger: s.logger.With("component", "site", "site", site.Name),
	})
	m.server.Start()
	return m, nil
}

// watchApp reloads the app when its template changes and recycles a
// function's environments when its code changes.
func (s *Server) watchApp(ctx context.Context) {
	s.mu.Lock()
	paths := s.watchedPaths()
	s.mu.Unlock()
	w, err := watch.New(paths, 150*time.Millisecond, s.logger.With("component", "watch"))
	if err != nil {
		s.logger.Warn("file watching is off", "err", err)
		return
	}
	s.watcher = w
	s.wg.Go(func() { w.Run(ctx, func(changed []string) { s.onChange(ctx, changed) }) })
}

func (s *Server) watchedPaths() []string {
	m := s.app.model
	paths := append([]string(nil), m.Files...)
	if len(paths) == 0 && m.TemplatePath != "" {
		paths = append(paths, m.TemplatePath)
	}
	for _, f := range m.Functions {
		if f.CodeDir != "" {
			paths = append(paths, f.CodeDir)
		}
	}
	for _, l := range m.Layers {
		if l.ContentDir != "" {
			paths = append(paths, l.ContentDir)
		}
	}
	for _, src := range s.app.goSources {
		paths = append(paths, src.Packages...)
		paths = append(paths, src.Trees...)
		paths = append(paths, src.Files...)
	}
	return paths
}

func (s *Server) onChange(ctx context.Context, changed []string) {
	s.mu.Lock()
	model, goSources := s.app.model, s.app.goSources
	s.mu.Unlock()
	templateFiles := map[string]bool{model.TemplatePath: true}
	for _, f := range model.Files {
		templateFiles[f] = true
	}
	for _, p := range changed {
		if templateFiles[p] {
			s.reload(ctx)
			return
		}
	}
	layerChanged := false
	for _, l := range model.Layers {
		for _, p := range changed {
			if within(p, l.ContentDir) {
				layerChanged = true
			}
		}
	}
	for _, f := range model.Functions {
		hit := layerChanged && len(f.Layers) > 0
		src := goSources[f.Name]
		for _, p := range changed {
			if within(p, f.CodeDir) || (src != nil && src.Contains(p)) {
				hit = true
			}
		}
		if hit {
			s.logger.Info("code changed; recycling function", "function", f.Name)
			s.svc.lambda.CodeChanged(f.Name)
		}
	}
}

func within(path, dir string) bool {
	return dir != "" && (path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)))
}

// reload applies a changed template: table data stays, unchanged APIs keep
// their ports and WebSocket connections, functions are recycled only when
// their definition changed. A template that fails to load leaves the
// running app as it was.
func (s *Server) reload(ctx context.Context) {
	started := time.Now()
	model, err := s.loadTemplate()
	if err != nil {
		s.logger.Error("template changed but cannot be loaded; still running the previous version", "err", err)
		return
	}
	if err := s.applyResources(ctx, model); err != nil {
		s.logger.Error("reload failed", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := map[string]*mountedAPI{}
	for _, m := range s.app.apis {
		old[m.api.LogicalID] = m
	}
	var apis []*mountedAPI
	var errs []error
	for _, api := range model.APIs {
		m, ok := old[api.LogicalID]
		delete(old, api.LogicalID)
		switch {
		case !ok:
			m, err = s.mountAPI(api)
		case reflect.DeepEqual(m.api, api):
		default:
			m, err = s.updateAPI(ctx, m, api)
		}
		if err != nil {
			errs = append(errs, err)
		}
		if m != nil {
			apis = append(apis, m)
		}
	}
	for _, m := range old {
		s.unmountAPI(ctx, m)
	}
	oldSites := map[string]*mountedSite{}
	for _, m := range s.app.sites {
		oldSites[m.site.Name] = m
	}
	s.app = &running{model: model, apis: apis, goSources: goSourcesOf(model, s.logger)}
	for _, site := range model.Sites {
		if m, ok := oldSites[site.Name]; ok && reflect.DeepEqual(m.site, site) {
			delete(oldSites, site.Name)
			s.app.sites = append(s.app.sites, m)
			continue
		}
		if m, ok := oldSites[site.Name]; ok {
			s.unmountSite(ctx, m)
			delete(oldSites, site.Name)
		}
		m, err := s.mountSite(site)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.app.sites = append(s.app.sites, m)
	}
	for _, m := range oldSites {
		s.unmountSite(ctx, m)
	}
	if s.watcher != nil {
		s.watcher.Add(s.watchedPaths())
	}
	if err := errors.Join(errs...); err != nil {
		s.logger.Error("reload incomplete", "err", err)
		return
	}
	s.logger.Info("app reloaded", "took", time.Since(started).Round(time.Millisecond))
}

func (s *Server) unmountSite(ctx context.Context, m *mountedSite) {
	_ = m.server.Shutdown(ctx)
	delete(s.ports.used, portOf(m.server.Addr()))
}
