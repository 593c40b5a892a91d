package vtl

import "testing"

func BenchmarkInputJSONPassthrough(b *testing.B) {
	tpl, _ := Parse("$input.json('$')")
	body := `{"id": 1, "name": "kim", "email": "kim@example.com", "tags": ["a", "b"]}`
	b.ReportAllocs()
	for range b.N {
		if _, err := tpl.Execute(map[string]any{"input": NewInput(body, nil, nil, nil)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAllParamsTemplate(b *testing.B) {
	tpl, err := Parse(`#set($allParams = $input.params())
{"params": {#foreach($type in $allParams.keySet())#set($params = $allParams.get($type))"$type": {#foreach($paramName in $params.keySet())"$paramName": "$util.escapeJavaScript($params.get($paramName))"#if($foreach.hasNext),#end#end}#if($foreach.hasNext),#end#end}}`)
	if err != nil {
		b.Fatal(err)
	}
	h := map[string]string{"Host": "h", "User-Agent": "ua", "Accept": "*/*", "Content-Type": "application/json"}
	b.ReportAllocs()
	for range b.N {
		if _, err := tpl.Execute(map[string]any{"input": NewInput("", map[string]string{"id": "1"}, map[string]string{"q": "x"}, h)}); err != nil {
			b.Fatal(err)
		}
	}
}
