package dynamodb

import (
	"fmt"
	"regexp"
	"strings"
)

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// constraints collects coral-style constraint violations of one request.
type constraints []string

func (c *constraints) add(format string, args ...any) { *c = append(*c, fmt.Sprintf(format, args...)) }

func (c constraints) err() error {
	if len(c) == 0 {
		return nil
	}
	return constraintErrors(c)
}

// listLength checks a required list parameter of n members (isNil when
// absent) against its maximum as coral words it. quoted is the value a
// too-long list is quoted as ("" for none, as some operations word it).
func listLength(c *constraints, field string, isNil bool, n, maximum int, quoted func() string) {
	switch {
	case isNil:
		c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	case n == 0:
		c.add("Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", field)
	case n > maximum:
		value := ""
		if quoted != nil {
			value = "'" + quoted() + "' "
		}
		c.add("Value %sat '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, field, maximum)
	}
}

// clientRequestToken checks a transaction's ClientRequestToken length.
func clientRequestToken(c *constraints, token *string) {
	if token != nil && (len(*token) < 1 || len(*token) > 36) {
		c.add("Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", *token)
	}
}

// tableName validates a TableName parameter (a name or a table ARN) and
// returns the bare name. minLen is 3 for CreateTable, 1 elsewhere.
func tableName(p *string, c *constraints, field string, minLen int) string {
	if p == nil {
		c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		return ""
	}
	name := *p
	if strings.HasPrefix(name, "arn:") {
		if i := strings.Index(name, ":table/"); i >= 0 {
			name = name[i+len(":table/"):]
		}
	}
	if minLen == 3 {
		// Members with a three-character minimum (CreateTable's name,
		// ListTables' start name) report the pattern and the length
		// constraints both.
		if !tableNamePattern.MatchString(name) {
			c.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
		}
		if len(name) < minLen {
			c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", name, field, minLen)
		} else if len(name) > 255 {
			c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, field)
		}
		return name
	}
	switch {
	case len(name) < minLen:
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", name, field, minLen)
	case len(name) > 255:
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, field)
	case !tableNamePattern.MatchString(name):
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
	}
	return name
}

func enumCheck(c *constraints, value, field string, allowed ...string) {
	if value == "" {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, field, strings.Join(allowed, ", "))
}
