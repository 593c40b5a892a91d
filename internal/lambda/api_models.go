package lambda

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"time"
)

// Wire shapes of the Lambda API (only the members Nimbus fills).

type functionConfiguration struct {
	FunctionName     string               `json:"FunctionName"`
	FunctionArn      string               `json:"FunctionArn"`
	Runtime          string               `json:"Runtime,omitempty"`
	Role             string               `json:"Role"`
	Handler          string               `json:"Handler,omitempty"`
	CodeSize         int64                `json:"CodeSize"`
	Description      string               `json:"Description"`
	Timeout          int                  `json:"Timeout"`
	MemorySize       int                  `json:"MemorySize"`
	LastModified     string               `json:"LastModified"`
	CodeSha256       string               `json:"CodeSha256"`
	Version          string               `json:"Version"`
	Environment      *environmentResponse `json:"Environment,omitempty"`
	TracingConfig    tracingConfig        `json:"TracingConfig"`
	RevisionID       string               `json:"RevisionId"`
	Layers           []layerReference     `json:"Layers,omitempty"`
	State            string               `json:"State,omitempty"`
	StateReason      string               `json:"StateReason,omitempty"`
	StateReasonCode  string               `json:"StateReasonCode,omitempty"`
	LastUpdateStatus string               `json:"LastUpdateStatus,omitempty"`
	// LastUpdateStatusReason and LastUpdateStatusReasonCode explain an
	// update in progress or failed.
	LastUpdateStatusReason     string                `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string                `json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string                `json:"PackageType"`
	Architectures              []string              `json:"Architectures"`
	EphemeralStorage           ephemeralStorage      `json:"EphemeralStorage"`
	SnapStart                  snapStartResponse     `json:"SnapStart"`
	LoggingConfig              loggingConfig         `json:"LoggingConfig"`
	RuntimeVersion             *runtimeVersionConfig `json:"RuntimeVersionConfig,omitempty"`
}

type environmentResponse struct {
	Variables map[string]string `json:"Variables"`
}

type tracingConfig struct {
	Mode string `json:"Mode"`
}

type layerReference struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

type ephemeralStorage struct {
	Size int `json:"Size"`
}

type snapStartResponse struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

type loggingConfig struct {
	LogFormat           string `json:"LogFormat"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup"`
}

type runtimeVersionConfig struct {
	RuntimeVersionArn string `json:"RuntimeVersionArn"`
}

// creating is how CreateFunction answers: Lambda creates the function
// asynchronously, so its configuration says Pending (GetFunction then
// says Active, which is what SDK waiters such as FunctionActiveV2 poll).
func (c *functionConfiguration) creating() *functionConfiguration {
	c.State, c.StateReason, c.StateReasonCode = "Pending", "The function is being created.", "Creating"
	c.LastUpdateStatus = ""
	return c
}

// updating is how UpdateFunctionCode and UpdateFunctionConfiguration
// answer: the update is InProgress (GetFunction then says Successful, what
// FunctionUpdatedV2 waits for). Lambda gives this reason for updates too.
func (c *functionConfiguration) updating() *functionConfiguration {
	if c.LastUpdateStatus == "Successful" {
		c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "InProgress", "The function is being created.", "Creating"
	}
	return c
}

// listed is the subset of the configuration ListFunctions returns: no
// State, LastUpdateStatus or RuntimeVersionConfig members (Lambda's API
// reference sends callers to GetFunction for those).
func (c *functionConfiguration) listed() *functionConfiguration {
	c.State, c.StateReason, c.StateReasonCode = "", "", ""
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "", "", ""
	c.RuntimeVersion = nil
	return c
}

// lambdaTime is Lambda's LastModified format.
func lambdaTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000-0700")
}

func encodeSha(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

func (s *Service) layerARN(name string) string {
	return "arn:aws:lambda:" + s.opts.Region + ":" + s.opts.AccountID + ":layer:" + name + ":1"
}

// configuration renders fn as Lambda's FunctionConfiguration.
func (s *Service) configuration(fn *function) *functionConfiguration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.configurationLocked(fn)
}

// configurationLocked is configuration with s.mu held.
func (s *Service) configurationLocked(fn *function) *functionConfiguration {
	def := fn.def
	c := &functionConfiguration{
		FunctionName:     def.Name,
		FunctionArn:      fn.arn,
		Runtime:          def.Runtime,
		Role:             def.Role,
		Handler:          def.Handler,
		CodeSize:         fn.codeSize,
		Description:      fn.description,
		Timeout:          int(def.Timeout / time.Second),
		MemorySize:       def.MemorySize,
		LastModified:     lambdaTime(fn.lastModified),
		CodeSha256:       fn.codeSha256,
		Version:          "$LATEST",
		TracingConfig:    tracingConfig{Mode: "PassThrough"},
		RevisionID:       fn.revisionID,
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: ephemeralStorage{Size: 512},
		SnapStart:        snapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"},
		LoggingConfig:    effectiveLogging(def),
	}
	if c.Role == "" {
		c.Role = "arn:aws:iam::" + s.opts.AccountID + ":role/" + def.Name + "-role"
	}
	if len(def.Architectures) > 0 {
		c.Architectures = slices.Clone(def.Architectures)
	}
	if def.EphemeralStorage > 0 {
		c.EphemeralStorage.Size = def.EphemeralStorage
	}
	if len(def.Environment) > 0 {
		c.Environment = &environmentResponse{Variables: maps.Clone(def.Environment)}
	}
	for _, l := range def.Layers {
		c.Layers = append(c.Layers, layerReference{Arn: s.layerARN(l)})
	}
	if fn.prepErr != nil {
		c.State = "Failed"
		c.StateReason = strings.TrimSpace(fn.prepErr.Error())
		c.StateReasonCode = "InvalidRuntime"
		c.LastUpdateStatus = "Failed"
	}
	return c
}
