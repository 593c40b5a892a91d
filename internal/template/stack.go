package template

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/app"
	"github.com/nimbus-dev/nimbus/internal/template/node"
)

// stack is one CloudFormation stack being evaluated: its parameters,
// conditions, mappings and resources, and what the load has found so far.
type stack struct {
	opts    Options
	dir     string // folder relative paths resolve against
	file    string // the template file
	name    string // the stack name
	region  string
	account string

	root     *node.Node
	params   map[string]*param
	mappings *node.Node
	conds    map[string]*node.Node
	condVal  map[string]int8 // condUnknown, condTrue, condFalse, condBusy

	res   map[string]*resource
	order []string

	// ids maps a derived physical id (API resource ids, integration ids,
	// route ids) back to its resource.
	ids map[string]*resource

	warnings []string
	errs     []error
	files    []string
}

const (
	condUnknown int8 = iota
	condTrue
	condFalse
	condBusy
)

// resource is one logical resource, from the template or generated the way
// SAM or the Serverless Framework generate them.
type resource struct {
	ID    string
	Type  string
	Node  *node.Node // the resource definition; nil for generated ones
	Props *node.Node
	// Generated resources answer Ref and Fn::GetAtt through these.
	refFn  func() (any, error)
	attrFn func(attr string) (any, error)

	phys     string
	physDone bool
	physBusy bool
	physErr  error
	enabled  bool
}

func newStack(opts Options, dir, file string) *stack {
	return &stack{
		opts:    opts,
		dir:     dir,
		file:    file,
		region:  opts.Region,
		account: opts.AccountID,
		params:  map[string]*param{},
		conds:   map[string]*node.Node{},
		condVal: map[string]int8{},
		res:     map[string]*resource{},
		ids:     map[string]*resource{},
	}
}

func (s *stack) warnf(n *node.Node, res, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	loc := locOf(n, res)
	var prefix string
	if loc.File != "" {
		prefix = fmt.Sprintf("%s:%d: ", loc.File, loc.Line)
	}
	if res != "" {
		prefix += res + ": "
	}
	s.warnings = append(s.warnings, prefix+msg)
}

func (s *stack) fail(err error) {
	if err != nil {
		s.errs = append(s.errs, err)
	}
}

// add registers a resource; generated resources never replace template ones.
func (s *stack) add(r *resource) {
	if _, dup := s.res[r.ID]; dup {
		return
	}
	s.res[r.ID] = r
	s.order = append(s.order, r.ID)
}

// generated registers a resource SAM or the Serverless Framework would
// create, so templates can Ref it.
func (s *stack) generated(id, typ string, ref func() (any, error), attr func(string) (any, error)) {
	s.add(&resource{ID: id, Type: typ, refFn: ref, attrFn: attr, enabled: true})
}

// suffixChars is CloudFormation's alphabet for generated name suffixes.
const suffixChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// hashID derives a stable identifier of n characters from seed, in
// CloudFormation's upper-case style or API Gateway's lower-case style.
func hashID(seed string, n int, lower bool) string {
	sum := sha256.Sum256([]byte(seed))
	v := new(big.Int).SetBytes(sum[:])
	base := big.NewInt(36)
	out := make([]byte, n)
	mod := new(big.Int)
	for i := range out {
		v.DivMod(v, base, mod)
		out[i] = suffixChars[mod.Int64()]
	}
	if lower {
		return strings.ToLower(string(out))
	}
	return string(out)
}

// derivedName is the physical name CloudFormation gives a resource whose
// template does not name it: "{stack}-{logicalId}-{SUFFIX}", with a 12
// character suffix that is stable for a stack and logical id, and the
// stack and logical id parts shortened to fit maxLen.
func (s *stack) derivedName(logicalID string, maxLen int) string {
	suffix := hashID(s.name+"/"+logicalID, 12, false)
	stackPart, idPart := s.name, logicalID
	room := maxLen - len(suffix) - 2
	for len(stackPart)+len(idPart) > room {
		if len(stackPart) >= len(idPart) && len(stackPart) > 0 {
			stackPart = stackPart[:len(stackPart)-1]
		} else if len(idPart) > 0 {
			idPart = idPart[:len(idPart)-1]
		} else {
			break
		}
	}
	if stackPart == "" {
		return idPart + "-" + suffix
	}
	return stackPart + "-" + idPart + "-" + suffix
}

// physicalName returns a resource's name property when the template sets
// one, or the derived name.
func (s *stack) physicalName(r *resource, prop string, maxLen int) (string, error) {
	if r.physDone {
		return r.phys, r.physErr
	}
	if r.physBusy {
		return "", errAt(r.Node, r.ID, "", "%s refers to itself through its %s", r.ID, prop)
	}
	r.physBusy = true
	defer func() { r.physBusy = false }()
	name := ""
	if n := r.Props.Get(prop); n != nil && prop != "" {
		v, err := s.eval(n, r.ID)
		if err != nil {
			r.physDone, r.physErr = true, err
			return "", err
		}
		if v != noValue && v != nil {
			name = str(v)
		}
	}
	if name == "" {
		name = s.derivedName(r.ID, maxLen)
	}
	r.phys, r.physDone = name, true
	return name, nil
}

// pseudo returns the value of a pseudo parameter.
func (s *stack) pseudo(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return s.region, true
	case "AWS::AccountId":
		return s.account, true
	case "AWS::StackName":
		return s.name, true
	case "AWS::StackId":
		id := hashID("stack:"+s.name, 32, true)
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s-%s-%s-%s-%s", s.region, s.account, s.name,
			id[0:8], id[8:12], id[12:16], id[16:20], id[20:32]), true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::NotificationARNs":
		return []any{}, true
	case "AWS::NoValue":
		return noValue, true
	}
	return nil, false
}

var pseudoNames = []string{"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId",
	"AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs", "AWS::NoValue"}

// refNames lists every name a Ref may name, for suggestions.
func (s *stack) refNames() []string {
	names := append([]string{}, pseudoNames...)
	for k := range s.params {
		names = append(names, k)
	}
	for k, r := range s.res {
		if r.enabled {
			names = append(names, k)
		}
	}
	return names
}

func (s *stack) lambdaARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.region, s.account, name)
}

// ref resolves Ref of a resource to its physical id as CloudFormation does.
func (s *stack) ref(r *resource) (any, error) {
	if r.refFn != nil {
		return r.refFn()
	}
	switch r.Type {
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		return s.physicalName(r, "FunctionName", 64)
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable":
		return s.physicalName(r, "TableName", 255)
	case "AWS::ApiGateway::RestApi", "AWS::Serverless::Api", "AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi":
		id := app.APIID(r.ID)
		s.ids[id] = r
		return id, nil
	case "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage":
		return s.physicalName(r, "StageName", 128)
	case "AWS::Lambda::LayerVersion", "AWS::Serverless::LayerVersion":
		name, err := s.layerName(r)
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("arn:aws:lambda:%s:%s:layer:%s:1", s.region, s.account, name), nil
	case "AWS::IAM::Role":
		return s.physicalName(r, "RoleName", 64)
	case "AWS::SQS::Queue":
		name, err := s.physicalName(r, "QueueName", 80)
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", s.region, s.account, name), err
	case "AWS::SNS::Topic":
		name, err := s.physicalName(r, "TopicName", 256)
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.region, s.account, name), err
	case "AWS::S3::Bucket":
		name, err := s.physicalName(r, "BucketName", 63)
		return strings.ToLower(name), err
	}
	// Sub-resources of APIs and everything else get a short stable id.
	id := hashID("id:"+s.name+"/"+r.ID, 10, true)
	s.ids[id] = r
	return id, nil
}

// layerName is a layer's LayerName, or its logical id as SAM uses.
func (s *stack) layerName(r *resource) (string, error) {
	if n := r.Props.Get("LayerName"); n != nil {
		v, err := s.eval(n, r.ID)
		if err != nil {
			return "", err
		}
		if v != noValue && str(v) != "" {
			return str(v), nil
		}
	}
	return r.ID, nil
}

// knownAttrs lists the Fn::GetAtt attributes of the types Nimbus models;
// other types answer any attribute with a placeholder.
var knownAttrs = map[string][]string{
	"AWS::Lambda::Function":          {"Arn", "SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	"AWS::Serverless::Function":      {"Arn"},
	"AWS::DynamoDB::Table":           {"Arn", "StreamArn"},
	"AWS::DynamoDB::GlobalTable":     {"Arn", "StreamArn", "TableId"},
	"AWS::Serverless::SimpleTable":   {"Arn", "StreamArn"},
	"AWS::ApiGateway::RestApi":       {"RestApiId", "RootResourceId"},
	"AWS::Serverless::Api":           {"RestApiId", "RootResourceId"},
	"AWS::ApiGatewayV2::Api":         {"ApiEndpoint", "ApiId"},
	"AWS::Serverless::HttpApi":       {"ApiEndpoint", "ApiId"},
	"AWS::ApiGateway::Resource":      {"ResourceId"},
	"AWS::ApiGatewayV2::Route":       {"RouteId"},
	"AWS::ApiGatewayV2::Integration": {"IntegrationResponseSelectionExpression", "IntegrationId"},
	"AWS::IAM::Role":                 {"Arn", "RoleId"},
	"AWS::Lambda::LayerVersion":      {"LayerVersionArn"},
}

// getAtt resolves Fn::GetAtt of a resource attribute.
func (s *stack) getAtt(r *resource, attr string, at *node.Node, where string) (any, error) {
	if r.attrFn != nil {
		return r.attrFn(attr)
	}
	if attrs, ok := knownAttrs[r.Type]; ok {
		found := false
		for _, a := range attrs {
			if a == attr {
				found = true
			}
		}
		if !found {
			return nil, errAt(at, where, suggest(attr, attrs), "Fn::GetAtt: %s (%s) has no attribute %q", r.ID, r.Type, attr)
		}
	}
	ref, err := s.ref(r)
	if err != nil {
		return nil, err
	}
	name := str(ref)
	switch r.Type {
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		if attr == "Arn" {
			return s.lambdaARN(name), nil
		}
		return "", nil
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable":
		arn := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.region, s.account, name)
		switch attr {
		case "StreamArn":
			return arn + "/stream/1970-01-01T00:00:00.000", nil
		case "TableId":
			return hashID("table:"+name, 32, true), nil
		}
		return arn, nil
	case "AWS::ApiGateway::RestApi", "AWS::Serverless::Api":
		if attr == "RootResourceId" {
			return s.rootResourceID(r), nil
		}
		return name, nil
	case "AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi":
		if attr == "ApiEndpoint" {
			scheme := "https"
			if p, _ := s.eval(r.Props.Get("ProtocolType"), r.ID); str(p) == "WEBSOCKET" {
				scheme = "wss"
			}
			return fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com", scheme, name, s.region), nil
		}
		return name, nil
	case "AWS::IAM::Role":
		if attr == "RoleId" {
			return "AROA" + hashID("role:"+name, 17, false), nil
		}
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", s.account, name), nil
	case "AWS::ApiGatewayV2::Integration":
		if attr == "IntegrationResponseSelectionExpression" {
			return "${integration.response.statuscode}", nil
		}
		return name, nil
	case "AWS::Lambda::LayerVersion", "AWS::ApiGateway::Resource", "AWS::ApiGatewayV2::Route":
		return name, nil
	case "AWS::SQS::Queue":
		parts := strings.Split(name, "/")
		qn := parts[len(parts)-1]
		if attr == "QueueName" {
			return qn, nil
		}
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.region, s.account, qn), nil
	case "AWS::S3::Bucket":
		switch attr {
		case "Arn":
			return "arn:aws:s3:::" + name, nil
		case "DomainName":
			return name + ".s3.amazonaws.com", nil
		case "RegionalDomainName":
			return fmt.Sprintf("%s.s3.%s.amazonaws.com", name, s.region), nil
		case "WebsiteURL":
			return fmt.Sprintf("http://%s.s3-website-%s.amazonaws.com", name, s.region), nil
		}
	}
	if attr == "Arn" || strings.HasSuffix(attr, "Arn") {
		svc := strings.ToLower(strings.Split(r.Type+"::", "::")[1])
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", svc, s.region, s.account, name), nil
	}
	return name + "." + attr, nil
}

// rootResourceID is the id of a REST API's "/" resource.
func (s *stack) rootResourceID(api *resource) string {
	id := hashID("root:"+s.name+"/"+api.ID, 10, true)
	s.ids[id] = api
	return id
}
