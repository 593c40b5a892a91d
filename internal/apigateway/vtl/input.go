package vtl

import "strings"

// Input is $input: the method request's payload and parameters.
// It is meant for one request (it caches the parsed body) and is not safe
// for concurrent use.
type Input struct {
	body   string
	params *Map // "path", "querystring", "header" → *Map

	parsed   any
	parseErr error
	done     bool
}

// NewInput builds $input from the raw body and the request's path,
// query-string and header parameters (one value each, as API Gateway
// gives templates).
func NewInput(body string, path, querystring, header map[string]string) *Input {
	params := NewMap()
	params.Set("path", fromGo(nonNil(path)))
	params.Set("querystring", fromGo(nonNil(querystring)))
	params.Set("header", fromGo(nonNil(header)))
	return &Input{body: body, params: params}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Body returns the raw payload.
func (in *Input) Body() string { return in.body }

// JSON returns the payload parsed as JSON; an empty payload is {}.
func (in *Input) JSON() (any, error) {
	if !in.done {
		in.done = true
		if strings.TrimSpace(in.body) == "" {
			in.parsed = NewMap()
		} else {
			in.parsed, in.parseErr = ParseJSON(in.body)
		}
	}
	return in.parsed, in.parseErr
}

// param looks a name up in path, query string and headers, in that order;
// header names match case-insensitively.
func (in *Input) param(name string) string {
	for _, kind := range []string{"path", "querystring"} {
		m, _ := in.params.m[kind].(*Map)
		if v, ok := m.Get(name); ok {
			return toString(v)
		}
	}
	h, _ := in.params.m["header"].(*Map)
	if v, ok := h.Get(name); ok {
		return toString(v)
	}
	for _, k := range h.keys {
		if strings.EqualFold(k, name) {
			return toString(h.m[k])
		}
	}
	return ""
}

func (in *Input) property(name string) (any, bool) {
	if name == "body" {
		return in.body, true
	}
	return nil, false
}

func (in *Input) call(name string, args []any) (any, error) {
	switch name {
	case "getBody":
		return in.body, nil
	case "params":
		if len(args) == 0 {
			return in.params, nil
		}
		return in.param(toString(args[0])), nil
	case "json", "path":
		if len(args) != 1 {
			return nil, nil
		}
		jp, err := compilePath(toString(args[0]))
		if err != nil {
			return nil, &EvalError{Msg: err.Error()}
		}
		root, err := in.JSON()
		if err != nil {
			return nil, &EvalError{Msg: "Could not parse payload into json: " + err.Error(), Err: err}
		}
		v, found := jp.eval(root)
		if !found {
			return "", nil
		}
		if name == "json" {
			return ToJSON(v), nil
		}
		return v, nil
	}
	return nil, nil
}
