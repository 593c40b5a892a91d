package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// ProxyResponse is a Lambda proxy integration's answer, decoded.
type ProxyResponse struct {
	StatusCode int
	// Headers in the order they are to be written; one entry per value.
	Headers []Header
	Body    string
	// IsBase64Encoded says Body is base64 text to decode before sending.
	IsBase64Encoded bool
	// Cookies are payload format 2.0's cookies, one Set-Cookie each.
	Cookies []string
	// StatusSet is false when the payload had no statusCode.
	StatusSet bool
}

// Header is one response header line.
type Header struct{ Name, Value string }

// ErrMalformed is API Gateway's "Malformed Lambda proxy response".
var ErrMalformed = errors.New("malformed Lambda proxy response")

var v1Keys = map[string]bool{"statusCode": true, "headers": true, "multiValueHeaders": true, "body": true, "isBase64Encoded": true}

// ParseResponseV1 decodes a payload format 1.0 response ({statusCode,
// headers, multiValueHeaders, body, isBase64Encoded}). strict rejects keys
// outside that set, as REST APIs do. A multiValueHeaders entry replaces the
// headers entry of the same name.
func ParseResponseV1(payload []byte, strict bool) (*ProxyResponse, error) {
	if trimmed := bytes.TrimSpace(payload); len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		if s, ok := scanResponse(trimmed, false); ok && s.hasStatus && !(strict && s.hasOther) {
			return s.responseV1(), nil
		}
	}
	return decodeResponseV1(payload, strict)
}

// decodeResponseV1 is ParseResponseV1 for every payload, through a map of
// raw members.
func decodeResponseV1(payload []byte, strict bool) (*ProxyResponse, error) {
	obj, err := decodeObject(payload)
	if err != nil {
		return nil, err
	}
	if strict {
		for k := range obj {
			if !v1Keys[k] {
				return nil, fmt.Errorf("%w: unexpected key %q", ErrMalformed, k)
			}
		}
	}
	resp := &ProxyResponse{}
	if err := resp.decodeCommon(obj, true); err != nil {
		return nil, err
	}
	if !resp.StatusSet {
		return nil, fmt.Errorf("%w: statusCode missing", ErrMalformed)
	}
	multi := map[string]bool{}
	var mvNames []string
	var mvValues [][]string
	if raw, ok := obj["multiValueHeaders"]; ok && !isNull(raw) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("%w: multiValueHeaders is not an object", ErrMalformed)
		}
		for _, name := range sortedRawKeys(m) {
			if isNull(m[name]) {
				continue
			}
			var list []json.RawMessage
			if err := json.Unmarshal(m[name], &list); err != nil {
				return nil, fmt.Errorf("%w: multiValueHeaders.%s is not a list", ErrMalformed, name)
			}
			vals := make([]string, 0, len(list))
			for _, item := range list {
				s, err := scalarString(item)
				if err != nil {
					return nil, fmt.Errorf("%w: multiValueHeaders.%s: %v", ErrMalformed, name, err)
				}
				vals = append(vals, s)
			}
			multi[canonicalKey(name)] = true
			mvNames = append(mvNames, name)
			mvValues = append(mvValues, vals)
		}
	}
	single, err := decodeHeaders(obj)
	if err != nil {
		return nil, err
	}
	for _, h := range single {
		if !multi[canonicalKey(h.Name)] {
			resp.Headers = append(resp.Headers, h)
		}
	}
	for i, name := range mvNames {
		for _, v := range mvValues[i] {
			resp.Headers = append(resp.Headers, Header{Name: name, Value: v})
		}
	}
	return resp, nil
}

// ParseResponseV2 decodes a payload format 2.0 response. A payload that is
// JSON but not an object with a statusCode is the body of a 200
// application/json response (API Gateway's inference; a JSON string's
// content is the body); a payload that is not JSON is an error.
func ParseResponseV2(payload []byte) (*ProxyResponse, error) {
	return parseResponseV2(payload, true)
}

// parseResponseV2 is ParseResponseV2; scan false reads every payload
// through a map of raw members.
func parseResponseV2(payload []byte, scan bool) (*ProxyResponse, error) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: not JSON", ErrMalformed)
	}
	inferred := func() (*ProxyResponse, error) {
		body := string(trimmed)
		if len(trimmed) > 0 && trimmed[0] == '"' {
			var s string
			if err := json.Unmarshal(trimmed, &s); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			body = s
		}
		return &ProxyResponse{StatusCode: 200, Body: body, StatusSet: true,
			Headers: []Header{{Name: "Content-Type", Value: "application/json"}}}, nil
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return inferred()
	}
	if s, ok := scanResponse(trimmed, true); scan && ok {
		if !s.hasStatus {
			return inferred()
		}
		return &ProxyResponse{StatusCode: s.status, StatusSet: true, Body: s.body, IsBase64Encoded: s.base64,
			Headers: s.headers, Cookies: s.cookies}, nil
	}
	obj, err := decodeObject(trimmed)
	if err != nil {
		return nil, err
	}
	if _, ok := obj["statusCode"]; !ok {
		return inferred()
	}
	resp := &ProxyResponse{}
	if err := resp.decodeCommon(obj, false); err != nil {
		return nil, err
	}
	if !resp.StatusSet {
		// A statusCode that is null is no status (and no inference).
		return nil, fmt.Errorf("%w: statusCode is null", ErrMalformed)
	}
	if resp.Headers, err = decodeHeaders(obj); err != nil {
		return nil, err
	}
	if raw, ok := obj["cookies"]; ok && !isNull(raw) {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%w: cookies is not a list", ErrMalformed)
		}
		for _, item := range list {
			s, err := scalarString(item)
			if err != nil {
				return nil, fmt.Errorf("%w: cookies: %v", ErrMalformed, err)
			}
			resp.Cookies = append(resp.Cookies, s)
		}
	}
	return resp, nil
}

// responseV1 builds a payload format 1.0 response from scanned members as
// ParseResponseV1 builds it from decoded ones: multiValueHeaders replace
// headers of the same (canonical) name.
func (s *scanned) responseV1() *ProxyResponse {
	resp := &ProxyResponse{StatusCode: s.status, StatusSet: true, Body: s.body, IsBase64Encoded: s.base64}
	var multi []string
	for _, m := range s.multi {
		multi = append(multi, canonicalKey(m.name))
	}
	for _, h := range s.headers {
		if len(multi) == 0 || !slices.Contains(multi, canonicalKey(h.Name)) {
			resp.Headers = append(resp.Headers, h)
		}
	}
	for _, m := range s.multi {
		for _, v := range m.values {
			resp.Headers = append(resp.Headers, Header{Name: m.name, Value: v})
		}
	}
	return resp
}

func decodeObject(payload []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return obj, nil
}

// decodeCommon reads statusCode, body and isBase64Encoded. scalarBody
// lets a number or boolean body stand for its text, as payload format 1.0
// reads it (a JSON reader that coerces scalars, as for statusCode "200");
// an object or array body is malformed in both formats.
func (resp *ProxyResponse) decodeCommon(obj map[string]json.RawMessage, scalarBody bool) error {
	if raw, ok := obj["statusCode"]; ok && !isNull(raw) {
		code, err := statusCode(raw)
		if err != nil {
			return err
		}
		resp.StatusCode = code
		resp.StatusSet = true
	}
	if raw, ok := obj["body"]; ok && !isNull(raw) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t := bytes.TrimSpace(raw)
			if !scalarBody || len(t) == 0 || t[0] == '{' || t[0] == '[' {
				return fmt.Errorf("%w: body is not a string", ErrMalformed)
			}
			s = string(t)
		}
		resp.Body = s
	}
	if raw, ok := obj["isBase64Encoded"]; ok && !isNull(raw) {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil || (s != "true" && s != "false") {
				return fmt.Errorf("%w: isBase64Encoded is not a boolean", ErrMalformed)
			}
			b = s == "true"
		}
		resp.IsBase64Encoded = b
	}
	return nil
}

func statusCode(raw json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, fmt.Errorf("%w: statusCode is not a number", ErrMalformed)
		}
		n = json.Number(s)
	}
	code, err := strconv.Atoi(string(n))
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("%w: invalid statusCode %s", ErrMalformed, string(raw))
	}
	return code, nil
}

func decodeHeaders(obj map[string]json.RawMessage) ([]Header, error) {
	raw, ok := obj["headers"]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: headers is not an object", ErrMalformed)
	}
	out := make([]Header, 0, len(m))
	for _, name := range sortedRawKeys(m) {
		if isNull(m[name]) {
			continue
		}
		s, err := scalarString(m[name])
		if err != nil {
			return nil, fmt.Errorf("%w: headers.%s: %v", ErrMalformed, name, err)
		}
		out = append(out, Header{Name: name, Value: s})
	}
	return out, nil
}

// scalarString reads a JSON string, number or boolean as header text.
func scalarString(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "", errors.New("empty value")
	}
	switch t[0] {
	case '"':
		var s string
		err := json.Unmarshal(t, &s)
		return s, err
	case '{', '[':
		return "", errors.New("value is not a string")
	case 'n':
		return "", nil
	}
	return string(t), nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
