package lambda

import (
	"regexp"

	"github.com/nimbus-dev/nimbus/internal/invoke"
)

// functionNamePattern is Lambda's FunctionName constraint: a name, a
// partial ARN or a full ARN, each optionally with a qualifier.
var functionNamePattern = regexp.MustCompile(`^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?(-iso([a-z])?)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$`)

// splitQualifier parses a FunctionName parameter into the function's name
// and the qualifier it carries; ok is false when it is malformed.
func splitQualifier(s string) (name, qualifier string, ok bool) {
	if isPlainName(s) {
		// The common case, without the regular expression.
		return s, "", true
	}
	m := functionNamePattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[9], m[11], len(m[9]) <= 64 || m[1] != ""
}

// isPlainName reports a bare function name: 1 to 64 letters, digits,
// hyphens and underscores.
func isPlainName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// resolve finds the function a FunctionName (and Qualifier) designate.
// Only $LATEST exists: Nimbus does not publish versions or aliases.
func (s *Service) resolve(functionName, qualifier string) (*function, error) {
	name, q, ok := splitQualifier(functionName)
	if !ok {
		return nil, apiError("ValidationException", "1 validation error detected: Value '"+functionName+"' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "+functionNamePattern.String())
	}
	if qualifier != "" && q != "" && qualifier != q {
		return nil, apiError("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.")
	}
	if qualifier == "" {
		qualifier = q
	}
	s.mu.RLock()
	fn := s.functions[name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, notFound(s.functionARN(name))
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return nil, notFound(s.functionARN(name) + ":" + qualifier)
	}
	return fn, nil
}

func notFound(arn string) *invoke.Error {
	return apiError("ResourceNotFoundException", "Function not found: "+arn)
}
