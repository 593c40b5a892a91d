package dynamodb

import (
	"slices"
	"sort"
	"strings"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/dynamodb/expr"
)

// exprRequest is the expression part of a request: which expressions it
// carries, and the names and values they share.
type exprRequest struct {
	Names      map[string]string
	NamesSet   bool
	Values     exprValues
	Condition  *string // ConditionExpression
	Filter     *string // FilterExpression
	KeyCond    *string // KeyConditionExpression
	Update     *string // UpdateExpression
	Projection *string // ProjectionExpression
	// Legacy names the non-expression parameters present, for the
	// "Can not use both" check.
	Legacy []string
}

// parsedExprs holds the parsed expressions of a request.
type parsedExprs struct {
	Condition  expr.Cond
	Filter     expr.Cond
	KeyCond    expr.Cond
	Update     *expr.Update
	Projection []expr.Path
}

// prefixed adds the "Invalid XExpression: " prefix DynamoDB puts on
// expression errors.
func prefixed(kind string, err error) error {
	if e, ok := err.(*expr.Error); ok {
		return validation("Invalid " + kind + ": " + e.Msg)
	}
	return err
}

// legacyOrder is the order in which DynamoDB names non-expression
// parameters in its "Can not use both" message.
var legacyOrder = []string{"AttributeUpdates", "AttributesToGet", "Expected", "QueryFilter", "ScanFilter", "ConditionalOperator", "KeyConditions"}

// maxExpressionSize is the longest expression string DynamoDB accepts (4 KB).
const maxExpressionSize = 4096

// parse validates and parses every expression of the request, then
// rejects unused names and values, in DynamoDB's order.
func (r *exprRequest) parse() (*parsedExprs, error) {
	var exprParams []string
	for _, e := range []struct {
		name string
		p    *string
	}{{"UpdateExpression", r.Update}, {"ProjectionExpression", r.Projection}, {"ConditionExpression", r.Condition}, {"FilterExpression", r.Filter}, {"KeyConditionExpression", r.KeyCond}} {
		if e.p != nil {
			exprParams = append(exprParams, e.name)
		}
	}
	if len(r.Legacy) > 0 && len(exprParams) > 0 {
		legacy := slices.Clone(r.Legacy)
		slices.SortFunc(legacy, func(a, b string) int { return slices.Index(legacyOrder, a) - slices.Index(legacyOrder, b) })
		return nil, validationf("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
			strings.Join(legacy, ", "), strings.Join(exprParams, ", "))
	}
	if r.Names != nil || r.NamesSet {
		if len(exprParams) == 0 {
			return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if len(r.Names) == 0 {
			return nil, validation("ExpressionAttributeNames must not be empty")
		}
	}
	if r.Values != nil {
		if r.Condition == nil && r.Filter == nil && r.KeyCond == nil && r.Update == nil {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		if len(r.Values) == 0 {
			return nil, validation("ExpressionAttributeValues must not be empty")
		}
	}
	for _, k := range sortedKeys(r.Names) {
		if !strings.HasPrefix(k, "#") || len(k) < 2 || !isWord(k[1:]) {
			return nil, validationf("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
		}
	}
	for _, k := range sortedKeys(r.Values) {
		if !strings.HasPrefix(k, ":") || len(k) < 2 || !isWord(k[1:]) {
			return nil, validationf("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
		}
	}
	for _, e := range []struct {
		name string
		p    *string
	}{{"UpdateExpression", r.Update}, {"ConditionExpression", r.Condition}, {"KeyConditionExpression", r.KeyCond}, {"FilterExpression", r.Filter}, {"ProjectionExpression", r.Projection}} {
		if e.p != nil && len(*e.p) > maxExpressionSize {
			if e.name == "UpdateExpression" {
				// DynamoDB gives an update expression's size no tail.
				return nil, validation("Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;")
			}
			return nil, validationf("Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %d", e.name, len(*e.p))
		}
	}
	ctx := expr.NewContext(r.Names, r.Values)
	out := &parsedExprs{}
	var err error
	if r.Update != nil {
		if out.Update, err = expr.ParseUpdate(*r.Update, ctx); err != nil {
			return nil, prefixed("UpdateExpression", err)
		}
	}
	if r.Condition != nil {
		if out.Condition, err = expr.ParseCondition(*r.Condition, ctx); err != nil {
			return nil, prefixed("ConditionExpression", err)
		}
	}
	if r.KeyCond != nil {
		if out.KeyCond, err = expr.ParseKeyCondition(*r.KeyCond, ctx); err != nil {
			return nil, prefixed("KeyConditionExpression", err)
		}
	}
	if r.Filter != nil {
		if out.Filter, err = expr.ParseCondition(*r.Filter, ctx); err != nil {
			return nil, prefixed("FilterExpression", err)
		}
	}
	if r.Projection != nil {
		if out.Projection, err = expr.ParseProjection(*r.Projection, ctx); err != nil {
			return nil, prefixed("ProjectionExpression", err)
		}
	}
	if err := ctx.Unused(); err != nil {
		return nil, validation(err.Error())
	}
	return out, nil
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// projectItem applies a projection (nil: the whole item).
func projectItem(it attr.Item, paths []expr.Path) attr.Item {
	if paths == nil {
		return it
	}
	return expr.Project(it, paths)
}
