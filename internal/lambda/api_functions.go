package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/lambda/runtimes"
)

func unescapePath(s string) (string, error) { return url.PathUnescape(s) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body, answering Lambda's error when it is
// not JSON.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		writeError(w, apiError("InvalidRequestContentException", "Could not read request body: "+err.Error()))
		return false
	}
	if int64(len(body)) > limit {
		writeError(w, apiError("RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the operation", limit)))
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, apiError("InvalidRequestContentException", "Could not parse request body into json: "+err.Error()))
		return false
	}
	return true
}

// functionCode is the Code member of CreateFunction.
type functionCode struct {
	ZipFile  []byte `json:"ZipFile"`
	S3Bucket string `json:"S3Bucket"`
	S3Key    string `json:"S3Key"`
	ImageURI string `json:"ImageUri"`
}

type createFunctionInput struct {
	FunctionName string `json:"FunctionName"`
	Runtime      string `json:"Runtime"`
	Role         string `json:"Role"`
	Handler      string `json:"Handler"`
	Code         *functionCode
	Description  string `json:"Description"`
	Timeout      *int   `json:"Timeout"`
	MemorySize   *int   `json:"MemorySize"`
	Environment  *struct {
		Variables map[string]string `json:"Variables"`
	} `json:"Environment"`
	Layers           []string `json:"Layers"`
	Architectures    []string `json:"Architectures"`
	PackageType      string   `json:"PackageType"`
	EphemeralStorage *struct {
		Size int `json:"Size"`
	} `json:"EphemeralStorage"`
	LoggingConfig *loggingInput `json:"LoggingConfig"`
}

// createFunction is CreateFunction (zip code only).
func (s *Service) createFunction(w http.ResponseWriter, r *http.Request) {
	var in createFunctionInput
	if !readJSON(w, r, maxZipSize*4/3+1024*1024, &in) {
		return
	}
	if in.FunctionName == "" {
		writeError(w, apiError("ValidationException", "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null"))
		return
	}
	name, q, ok := splitQualifier(in.FunctionName)
	if !ok || q != "" {
		writeError(w, apiError("ValidationException", "1 validation error detected: Value '"+in.FunctionName+"' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern"))
		return
	}
	if in.Role == "" {
		writeError(w, apiError("ValidationException", "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null"))
		return
	}
	if in.PackageType == "Image" || in.Code != nil && in.Code.ImageURI != "" {
		writeError(w, apiError("InvalidParameterValueException", "Nimbus runs zip functions only; container image functions are not supported."))
		return
	}
	if in.Code == nil || len(in.Code.ZipFile) == 0 {
		msg := "Code.ZipFile is required: Nimbus has no S3, so code must be uploaded in the request (--zip-file fileb://function.zip)."
		writeError(w, apiError("InvalidParameterValueException", msg))
		return
	}
	def := &app.Function{
		LogicalID:     name,
		Name:          name,
		Runtime:       in.Runtime,
		Handler:       in.Handler,
		Role:          in.Role,
		Architectures: in.Architectures,
	}
	if err := s.applyConfigInput(def, in.Runtime, in.Handler, in.Timeout, in.MemorySize, in.Environment, in.Layers, in.EphemeralStorage); err != nil {
		writeError(w, err)
		return
	}
	if err := applyLogging(def, in.LoggingConfig); err != nil {
		writeError(w, err)
		return
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.mu.RLock()
	_, exists := s.functions[name]
	s.mu.RUnlock()
	if exists {
		writeError(w, apiError("ResourceConflictException", "Function already exist: "+name))
		return
	}
	dir, sha, err := s.store.unpack(name, in.Code.ZipFile)
	if err != nil {
		writeError(w, err)
		return
	}
	def.CodeDir = dir
	fn := s.finishAPIFunction(r.Context(), def, sha, int64(len(in.Code.ZipFile)), in.Description)
	if err := s.persist(fn); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	s.start(fn)
	s.functions[name] = fn
	s.mu.Unlock()
	s.logger.Info("function created", "function", name, "runtime", def.Runtime)
	writeJSON(w, http.StatusCreated, s.configuration(fn).creating())
}

// applyConfigInput validates and applies configuration members shared by
// CreateFunction and UpdateFunctionConfiguration.
func (s *Service) applyConfigInput(def *app.Function, runtime, handler string, timeout, memory *int, env *struct {
	Variables map[string]string `json:"Variables"`
}, layers []string, storage *struct {
	Size int `json:"Size"`
}) error {
	if runtime != "" {
		def.Runtime = runtime
	}
	if handler != "" {
		def.Handler = handler
	}
	if def.Runtime != "" && !lambdaRuntime(def.Runtime) {
		return apiError("InvalidParameterValueException", "Value "+def.Runtime+" at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "+lambdaRuntimeList+" or be a valid ARN")
	}
	if def.Runtime == "" || def.Handler == "" && runtimes.Family(def.Runtime) != "provided" {
		return apiError("InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if !runtimes.Supported(def.Runtime) {
		return apiError("InvalidParameterValueException", "The runtime parameter of "+def.Runtime+" is not supported by Nimbus (supported: provided, provided.al2, provided.al2023, go1.x, nodejs18.x-nodejs24.x, python3.x).")
	}
	if timeout != nil {
		if *timeout < 1 || *timeout > 900 {
			return apiError("ValidationException", "1 validation error detected: Value '"+strconv.Itoa(*timeout)+"' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900")
		}
		def.Timeout = time.Duration(*timeout) * time.Second
	}
	if memory != nil {
		if *memory < 128 || *memory > 10240 {
			return apiError("ValidationException", "1 validation error detected: Value '"+strconv.Itoa(*memory)+"' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240")
		}
		def.MemorySize = *memory
	}
	if env != nil {
		def.Environment = env.Variables
	}
	if storage != nil {
		def.EphemeralStorage = storage.Size
	}
	if layers != nil {
		def.Layers = nil
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, arn := range layers {
			name := layerName(arn)
			if _, ok := s.layers[name]; !ok {
				return apiError("InvalidParameterValueException", "Layer "+arn+" is unknown: Nimbus knows only the layers its template declares.")
			}
			def.Layers = append(def.Layers, name)
		}
	}
	return nil
}

// layerName extracts the name from a layer version ARN (or takes a name).
func layerName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[5] == "layer" {
		return parts[6]
	}
	return arn
}

// finishAPIFunction prepares a function whose code came through the API.
func (s *Service) finishAPIFunction(ctx context.Context, def *app.Function, sha string, size int64, description string) *function {
	fn := s.prepare(ctx, cloneFunction(def), true)
	fn.codeSha256, fn.codeSize, fn.description = sha, size, description
	return fn
}

func (s *Service) persist(fn *function) error {
	if !fn.fromAPI {
		return nil
	}
	return s.store.save(&storedFunction{Function: fn.def, CodeSha256: fn.codeSha256, CodeSize: fn.codeSize, LastModified: fn.lastModified, Description: fn.description})
}

// loadStored registers the functions created through the API before.
func (s *Service) loadStored() error {
	stored, err := s.store.load()
	if err != nil {
		return err
	}
	for _, sf := range stored {
		fn := s.finishAPIFunction(context.Background(), sf.Function, sf.CodeSha256, sf.CodeSize, sf.Description)
		fn.lastModified = sf.LastModified
		s.start(fn)
		s.functions[fn.name] = fn
	}
	return nil
}

// getFunction is GetFunction.
func (s *Service) getFunction(w http.ResponseWriter, r *http.Request, name string) {
	fn, err := s.resolve(name, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeError(w, err)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.mu.RLock()
	out := map[string]any{
		"Configuration": s.configurationLocked(fn),
		"Code": map[string]string{
			"RepositoryType": "S3",
			"Location":       scheme + "://" + r.Host + "/2015-03-31/functions/" + url.PathEscape(fn.name) + "/code.zip",
		},
	}
	if fn.def.ReservedConcurrency != nil {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *fn.def.ReservedConcurrency}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

// downloadCode serves the function's code as a zip (GetFunction's
// Code.Location).
func (s *Service) downloadCode(w http.ResponseWriter, r *http.Request, name string) {
	fn, err := s.resolve(name, "")
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.RLock()
	dir := fn.def.CodeDir
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "application/zip")
	_ = zipDir(dir, w)
}

// getFunctionConfiguration is GetFunctionConfiguration.
func (s *Service) getFunctionConfiguration(w http.ResponseWriter, r *http.Request, name string) {
	fn, err := s.resolve(name, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.configuration(fn))
}

// maxListItems is how many functions one ListFunctions page holds at most,
// whatever MaxItems asks.
const maxListItems = 50

// listFunctions is ListFunctions, paginated with Marker and MaxItems.
func (s *Service) listFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	maxItems := maxListItems
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, apiError("ValidationException", "1 validation error detected: Value '"+v+"' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000"))
			return
		}
		maxItems = min(n, maxListItems)
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.functions))
	for name := range s.functions {
		names = append(names, name)
	}
	slices.Sort(names)
	start := 0
	if m := q.Get("Marker"); m != "" {
		start, _ = slices.BinarySearch(names, m)
	}
	configs := []*functionConfiguration{}
	next := ""
	for i := start; i < len(names); i++ {
		if len(configs) == maxItems {
			next = names[i]
			break
		}
		configs = append(configs, s.configurationLocked(s.functions[names[i]]).listed())
	}
	s.mu.RUnlock()
	out := map[string]any{"Functions": configs}
	if next != "" {
		out["NextMarker"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteFunction is DeleteFunction: environments stop, stored code goes.
func (s *Service) deleteFunction(w http.ResponseWriter, r *http.Request, name string) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	fn, err := s.resolve(name, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	delete(s.functions, fn.name)
	delete(s.template, fn.name)
	fromAPI := fn.fromAPI
	s.mu.Unlock()
	fn.pool.Close()
	if fromAPI {
		if err := s.store.remove(fn.name); err != nil {
			s.logger.Warn("could not remove stored function", "function", fn.name, "error", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// updateFunctionCode is UpdateFunctionCode from a zip.
func (s *Service) updateFunctionCode(w http.ResponseWriter, r *http.Request, name string) {
	var in struct {
		ZipFile  []byte `json:"ZipFile"`
		S3Bucket string `json:"S3Bucket"`
		ImageURI string `json:"ImageUri"`
		DryRun   bool   `json:"DryRun"`
	}
	if !readJSON(w, r, maxZipSize*4/3+1024*1024, &in) {
		return
	}
	if len(in.ZipFile) == 0 {
		writeError(w, apiError("InvalidParameterValueException", "ZipFile is required: Nimbus has no S3, so code must be uploaded in the request (--zip-file fileb://function.zip)."))
		return
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	cur, err := s.resolve(name, "")
	if err != nil {
		writeError(w, err)
		return
	}
	if in.DryRun {
		writeJSON(w, http.StatusOK, s.configuration(cur))
		return
	}
	dir, sha, err := s.store.unpack(cur.def.Name, in.ZipFile)
	if err != nil {
		writeError(w, err)
		return
	}
	def := cloneFunction(cur.def)
	def.CodeDir = dir
	def.BuildMethod = ""
	next := s.finishAPIFunction(r.Context(), def, sha, int64(len(in.ZipFile)), cur.description)
	next.fromAPI = cur.fromAPI
	s.replace(cur, next)
	writeJSON(w, http.StatusOK, s.configuration(cur).updating())
}

// replace moves next into cur (recycling) and persists API functions.
func (s *Service) replace(cur, next *function) {
	s.mu.Lock()
	s.adopt(cur, next)
	s.mu.Unlock()
	if err := s.persist(cur); err != nil {
		s.logger.Warn("could not persist function", "function", cur.def.Name, "error", err)
	}
}

// updateFunctionConfiguration is UpdateFunctionConfiguration.
func (s *Service) updateFunctionConfiguration(w http.ResponseWriter, r *http.Request, name string) {
	var in struct {
		Runtime     string `json:"Runtime"`
		Handler     string `json:"Handler"`
		Role        string `json:"Role"`
		Description *string
		Timeout     *int `json:"Timeout"`
		MemorySize  *int `json:"MemorySize"`
		Environment *struct {
			Variables map[string]string `json:"Variables"`
		} `json:"Environment"`
		Layers           []string `json:"Layers"`
		EphemeralStorage *struct {
			Size int `json:"Size"`
		} `json:"EphemeralStorage"`
		LoggingConfig *loggingInput `json:"LoggingConfig"`
	}
	if !readJSON(w, r, 1024*1024, &in) {
		return
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	cur, err := s.resolve(name, "")
	if err != nil {
		writeError(w, err)
		return
	}
	def := cloneFunction(cur.def)
	if in.Role != "" {
		def.Role = in.Role
	}
	if err := s.applyConfigInput(def, in.Runtime, in.Handler, in.Timeout, in.MemorySize, in.Environment, in.Layers, in.EphemeralStorage); err != nil {
		writeError(w, err)
		return
	}
	if err := applyLogging(def, in.LoggingConfig); err != nil {
		writeError(w, err)
		return
	}
	description := cur.description
	if in.Description != nil {
		description = *in.Description
	}
	next := s.finishAPIFunction(r.Context(), def, cur.codeSha256, cur.codeSize, description)
	next.fromAPI = cur.fromAPI
	s.replace(cur, next)
	writeJSON(w, http.StatusOK, s.configuration(cur).updating())
}

// putFunctionConcurrency is PutFunctionConcurrency.
func (s *Service) putFunctionConcurrency(w http.ResponseWriter, r *http.Request, name string) {
	var in struct {
		ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	}
	if !readJSON(w, r, 64*1024, &in) {
		return
	}
	if in.ReservedConcurrentExecutions == nil || *in.ReservedConcurrentExecutions < 0 {
		writeError(w, apiError("ValidationException", "1 validation error detected: Value at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0"))
		return
	}
	s.setReserved(w, name, in.ReservedConcurrentExecutions)
}

// deleteFunctionConcurrency is DeleteFunctionConcurrency.
func (s *Service) deleteFunctionConcurrency(w http.ResponseWriter, _ *http.Request, name string) {
	s.setReserved(w, name, nil)
}

func (s *Service) setReserved(w http.ResponseWriter, name string, reserved *int) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	fn, err := s.resolve(name, "")
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	def := cloneFunction(fn.def)
	def.ReservedConcurrency = reserved
	fn.def = def
	s.mu.Unlock()
	fn.pool.SetReserved(reservedOf(def))
	if err := s.persist(fn); err != nil {
		s.logger.Warn("could not persist function", "function", name, "error", err)
	}
	if reserved == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"ReservedConcurrentExecutions": *reserved})
}

// getFunctionConcurrency is GetFunctionConcurrency.
func (s *Service) getFunctionConcurrency(w http.ResponseWriter, _ *http.Request, name string) {
	fn, err := s.resolve(name, "")
	if err != nil {
		writeError(w, err)
		return
	}
	out := map[string]any{}
	s.mu.RLock()
	if fn.def.ReservedConcurrency != nil {
		out["ReservedConcurrentExecutions"] = *fn.def.ReservedConcurrency
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

// getAccountSettings is GetAccountSettings.
func (s *Service) getAccountSettings(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	count := len(s.functions)
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"AccountLimit": map[string]any{
			"TotalCodeSize":                  int64(80530636800),
			"CodeSizeUnzipped":               maxUnzippedSize,
			"CodeSizeZipped":                 maxZipSize,
			"ConcurrentExecutions":           s.account.Limit(),
			"UnreservedConcurrentExecutions": s.account.Limit(),
		},
		"AccountUsage": map[string]any{"TotalCodeSize": 0, "FunctionCount": count},
	})
}
