package vtl

import (
	"errors"
	"testing"
)

// FuzzTemplate parses and runs arbitrary templates against a fixed
// request: neither step may panic or hang, and a template that parses must
// either render or fail with one of the engine's own errors.
func FuzzTemplate(f *testing.F) {
	for _, seed := range []string{
		"$input.json('$')",
		`{"name": "$input.params('name')", "body": $input.json('$.mykey')}`,
		`#set($all = $input.params())#foreach($t in $all.keySet())$t:#foreach($k in $all.get($t).keySet())$k#if($foreach.hasNext),#end#end#end`,
		`#if($input.path('$.a') == 1)one#elseif($x)x#{else}no#end`,
		`$util.escapeJavaScript($input.body).replaceAll("\\'","'")`,
		`#set($o = $util.parseJson($input.path('$.errorMessage')))$o.key2.arr[0]`,
		`#set($context.responseOverride.status = 400)$!context.requestId`,
		`#foreach($i in [1..3])${i}#end ## c` + "\n" + `#* b *##[[raw]]#`,
		`\$a \\$b \#if`,
		`$stageVariables['x'] ${stageVariables.y} $util.urlEncode("a b") $util.base64Decode("eA==")`,
		`#set($m = {"a": [1, 2.5, true, null]})$m.a.get(1) $m.toString()`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error of type %T: %v", err, err)
			}
			return
		}
		ctx := NewMap()
		ctx.Set("requestId", "id")
		_, err = tpl.Execute(map[string]any{
			"input":          NewInput(`{"a":1,"errorMessage":"{\"key2\":{\"arr\":[1]}}","mykey":[1,{"b":"c"}]}`, map[string]string{"p": "1"}, map[string]string{"name": "n"}, map[string]string{"H": "v"}),
			"context":        ctx,
			"stageVariables": map[string]string{"x": "1"},
		})
		if err != nil {
			var ee *EvalError
			if !errors.As(err, &ee) && !errors.Is(err, ErrOutputTooLarge) {
				t.Fatalf("Execute error of type %T: %v", err, err)
			}
		}
	})
}
