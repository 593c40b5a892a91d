package vtl

import (
	"errors"
	"strings"
	"testing"
)

func render(t *testing.T, src string, vars map[string]any) string {
	t.Helper()
	tpl, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	out, err := tpl.Execute(vars)
	if err != nil {
		t.Fatalf("Execute(%q): %v", src, err)
	}
	return out
}

func petsInput() *Input {
	return NewInput(`{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}],"name":"O'Brien \"x\"","n":null}`,
		map[string]string{"id": "abc"},
		map[string]string{"name": "me", "q": "a b"},
		map[string]string{"Content-Type": "application/json", "X-Trace": "t1"})
}

func TestConstructs(t *testing.T) {
	ctx := NewMap()
	ctx.Set("stage", "prod")
	ctx.Set("requestId", "r-1")
	ctx.Set("identity", map[string]any{"sourceIp": "127.0.0.1"})
	vars := func() map[string]any {
		return map[string]any{
			"input":          petsInput(),
			"context":        ctx,
			"stageVariables": map[string]string{"env": "dev", "my-var": "x"},
		}
	}
	cases := []struct{ name, src, want string }{
		{"text", "hello", "hello"},
		{"set and ref", `#set($a = "x")$a`, "x"},
		{"set eats leading space and newline", "a\n  #set($a = 1)\nb$a", "a\nb1"},
		{"undefined renders empty", `[$nope] [$nope.x('y')] [$input.path('$').item2]`, `[] [] []`},
		{"quiet undefined", `[$!nope][$!{nope}]`, `[][]`},
		{"braced", `#set($a = "x")${a}y`, "xy"},
		{"dollar alone", `cost: $5 and $`, `cost: $5 and $`},
		{"if true", `#if(true)yes#end`, "yes"},
		{"if elseif else", `#set($n = 2)#if($n == 1)one#elseif($n == 2)two#else other#end`, "two"},
		{"else branch", `#if(false)a#{else}b#{end}`, "b"},
		{"empty string is true", `#if("")t#{else}f#end`, "t"},
		{"null is false", `#if($nope)t#{else}f#end`, "f"},
		{"not", `#if(!$nope)t#end`, "t"},
		{"word ops", `#if(1 lt 2 and not false or false)ok#end`, "ok"},
		{"if line gobbling", "#if(true)\n  x\n#end\ny", "  x\ny"},
		{"foreach", `#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end`, "1,2,3"},
		{"foreach index count", `#foreach($i in ["a","b"])$foreach.index:$foreach.count:$velocityCount #end`, "0:1:1 1:2:2 "},
		{"foreach range", `#foreach($i in [1..4])$i#end`, "1234"},
		{"foreach break", `#foreach($i in [1..9])#if($i == 3)#break#end$i#end`, "12"},
		{"foreach map values", `#set($m = {"a": 1, "b": 2})#foreach($v in $m)$v#end`, "12"},
		{"foreach restores var", `#set($i = "keep")#foreach($i in [1])$i#end$i`, "1keep"},
		{"stop", `a#stop b`, "a"},
		{"comments", "a## line\nb#* block *#c", "abc"},
		{"unparsed", `#[[$a #if]]#`, `$a #if`},
		{"escaped ref defined", `#set($a = 1)\$a`, `$a`},
		{"escaped ref undefined", `\$zz`, `\$zz`},
		{"double escape", `#set($a = 1)\\$a`, `\1`},
		{"arithmetic", `#set($x = 7 / 2)#set($y = 7.0 / 2)#set($z = 2 * 3 + 1 - 4 % 3)$x $y $z`, "3 3.5 6"},
		{"string interp", `#set($n = "w")#set($s = "hello $n!")$s`, "hello w!"},
		{"single quotes no interp", `#set($s = 'hi $n')$s`, `hi $n`},
		{"doubled quote", `#set($s = 'it''s')$s`, `it's`},
		{"list ops", `#set($l = [])#set($d = $l.add("a"))#set($d = $l.add("b"))$l.size() $l.get(1) $l $l.contains("a")`, "2 b [a, b] true"},
		{"map ops", `#set($m = {})#set($d = $m.put("k", "v"))$m.k $m.get("k") $m.keySet() $m.containsKey("k") $m.size() $m`, "v v [k] true 1 {k=v}"},
		{"map index", `#set($m = {"a b": 1})$m["a b"]`, "1"},
		{"set nested creates maps", `#set($context.responseOverride.status = 400)$context.responseOverride.status`, "400"},
		{"string methods", `#set($s = " Hello World ")$s.trim().toUpperCase() $s.length() $s.indexOf("o") $s.substring(1, 6) $s.replace("l", "L") $s.contains("World") $s.trim().startsWith("He")`, "HELLO WORLD 13 5 Hello  HeLLo WorLd  true true"},
		{"replaceAll regex", `#set($s = "a1b22c")$s.replaceAll("[0-9]+", "#") $s.replaceFirst("[0-9]", "_") $s.replaceAll("([a-z])", "<$1>")`, "a#b#c a_b22c <a>1<b>22<c>"},
		{"split", `#set($s = "a,b,,c,,")#foreach($p in $s.split(","))[$p]#end`, "[a][b][][c]"},
		{"matches equals", `"abc".matches("[a-c]+") "a".equals("a") "A".equalsIgnoreCase("a")`, `"abc".matches("[a-c]+") "a".equals("a") "A".equalsIgnoreCase("a")`},
		{"matches", `#set($s = "abc")$s.matches("[a-c]+") $s.matches("b") $s.equals("abc") $s.equalsIgnoreCase("ABC")`, "true false true true"},
		{"input.json whole", `$input.json('$')`, `{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}],"name":"O'Brien \"x\"","n":null}`},
		{"input.json sub", `$input.json('$.pets[0]')`, `{"id":1,"type":"dog","price":249.99}`},
		{"input.json string", `$input.json('$.name')`, `"O'Brien \"x\""`},
		{"input.json wildcard", `$input.json('$.pets[*].type')`, `["dog","cat","fish"]`},
		{"input.json deep", `$input.json('$..id')`, `[1,2,3]`},
		{"input.json missing", `[$input.json('$.missing')]`, `[]`},
		{"input.path size", `$input.path('$.pets').size() $input.path('$.pets').count()`, "3 3"},
		{"input.path object", `#set($p = $input.path('$.pets[1]'))$p.type $p.price $p`, "cat 124.99 {id=2, type=cat, price=124.99}"},
		{"input.path length fn", `$input.path('$.pets.length()')`, "3"},
		{"input.params", `$input.params('id') $input.params('name') $input.params('content-type') [$input.params('none')]`, "abc me application/json []"},
		{"input.params map", `$input.params().querystring.q $input.params().header.get('X-Trace') $input.params().path`, "a b t1 {id=abc}"},
		{"input.body", `$input.body`, `{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}],"name":"O'Brien \"x\"","n":null}`},
		{"context", `$context.stage $context.requestId $context.identity.sourceIp`, "prod r-1 127.0.0.1"},
		{"stage variables", `$stageVariables.env $stageVariables['my-var'] ${stageVariables['env']}`, "dev x dev"},
		{"util.escapeJavaScript", `$util.escapeJavaScript($input.path('$.name')) $util.escapeJavaScript("a/b\\c é 😀")`, `O\'Brien \"x\" a\/b\\\\c \u00E9 \uD83D\uDE00`},
		{"util.escapeJavaScript replaceAll", `$util.escapeJavaScript($input.path('$.name')).replaceAll("\\'","'")`, `O'Brien \"x\"`},
		{"util.parseJson", `#set($o = $util.parseJson('{"key2":{"arr":[1,2,3]}}'))$o.key2.arr[0] $o.key2.arr`, "1 [1, 2, 3]"},
		{"util.urlEncode", `$util.urlEncode("a b&c=d/é*~")`, "a+b%26c%3Dd%2F%C3%A9*%7E"},
		{"util.urlDecode", `$util.urlDecode("a+b%26c")`, "a b&c"},
		{"util.base64", `$util.base64Encode("hello") $util.base64Decode("aGVsbG8=")`, "aGVsbG8= hello"},
		{"doubles and set eating spaces", `#set($d = 1.0)$d #set($e = 0.5 * 2)$e`, "1.01.0"},
		{"comparison", `#if("b" > "a" && 2 >= 2 && 1 != 2 && 1 == 1.0)ok#end`, "ok"},
		{"null compare", `#if($nope == $nope2)eq#end`, "eq"},
		{"set null keeps value", `#set($a = "k")#set($a = $nope)$a`, "k"},
		{"elseif chain line gobble", "#if(false)\na\n#elseif(true)\nb\n#else\nc\n#end\n", "b\n"},
		{"index into list", `#set($l = ["x", "y"])$l[1] $l.get(0)`, "y x"},
		{"identifier with dash", `#set($a-b = 3)$a-b`, "3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.src, vars())
			if got != c.want {
				t.Errorf("template %q\n got: %q\nwant: %q", c.src, got, c.want)
			}
		})
	}
}

// The AWS documentation's parameter mapping example, with its output
// checked as JSON-shaped text.
func TestAllParamsTemplate(t *testing.T) {
	src := `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`
	in := NewInput("", map[string]string{"id": "1"}, map[string]string{"q": "a\"b"}, map[string]string{"Host": "h"})
	out := render(t, src, map[string]any{"input": in})
	v, err := ParseJSON(out)
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	got := ToJSON(v)
	want := `{"params":{"path":{"id":"1"},"querystring":{"q":"a\"b"},"header":{"Host":"h"}}}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// Seed 001: "$input.json('$')" passes the JSON body through unchanged (as
// compact JSON), and an empty body becomes {}.
func TestSeedInputJSONPassthrough(t *testing.T) {
	tpl, err := Parse("$input.json('$')")
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"id": 1, "name": "kim", "email": "k@example.com"}`: `{"id":1,"name":"kim","email":"k@example.com"}`,
		"":          "{}",
		`[1, 2.50]`: `[1,2.5]`,
		`"héllo"`:   `"héllo"`,
	} {
		out, err := tpl.Execute(map[string]any{"input": NewInput(body, nil, nil, nil)})
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if out != want {
			t.Errorf("body %q: got %s want %s", body, out, want)
		}
	}
}

func TestInvalidJSONBody(t *testing.T) {
	tpl, _ := Parse(`{"body": $input.json('$')}`)
	_, err := tpl.Execute(map[string]any{"input": NewInput("not json", nil, nil, nil)})
	var je *JSONError
	if !errors.As(err, &je) {
		t.Fatalf("want a *JSONError, got %v", err)
	}
}

func TestResponseOverride(t *testing.T) {
	ctx := NewMap()
	tpl, _ := Parse(`#set($context.responseOverride.status = 201)#set($context.responseOverride.header.X-Id = "7")ok`)
	out, err := tpl.Execute(map[string]any{"context": ctx})
	if err != nil || out != "ok" {
		t.Fatalf("out %q err %v", out, err)
	}
	ro, _ := ctx.Get("responseOverride")
	status, _ := ro.(*Map).Get("status")
	hdr, _ := ro.(*Map).Get("header")
	id, _ := hdr.(*Map).Get("X-Id")
	if status != int64(201) || id != "7" {
		t.Errorf("status %v header %v", status, id)
	}
}

func TestForeachLimit(t *testing.T) {
	out := render(t, `#foreach($i in [1..5000])x#end`, nil)
	if len(out) != MaxForeachIterations {
		t.Errorf("foreach ran %d times, want %d", len(out), MaxForeachIterations)
	}
}

func TestOutputLimit(t *testing.T) {
	tpl, _ := Parse(`#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end`)
	if _, err := tpl.Execute(nil); !errors.Is(err, ErrOutputTooLarge) {
		t.Fatalf("want ErrOutputTooLarge, got %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		`#if(true)x`,
		`#end`,
		`#foreach($i [1])x#end`,
		`#set($a 1)`,
		`#set($a = )`,
		`$a.b(`,
		`#* open`,
		`#if(true)#else#else#end`,
		`#macro(x)#end`,
		`#set($a = "unterminated)`,
		strings.Repeat("#if(true)", 300) + strings.Repeat("#end", 300),
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", src)
		} else if _, ok := err.(*ParseError); !ok {
			t.Errorf("Parse(%q) error %T, want *ParseError", src, err)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", 123456.789: "123456.789", 1e7: "1.0E7", 1.5e-4: "1.5E-4", -2.25: "-2.25", 0.001: "0.001",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}
