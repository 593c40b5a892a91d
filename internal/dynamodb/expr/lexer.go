package expr

import "fmt"

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tName  // #placeholder
	tValue // :placeholder
	tNumber
	tPunct // ( ) [ ] , . = <> < <= > >= + -
	tBad   // a character no token starts with
)

type token struct {
	kind       tokKind
	text       string
	start, end int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// lex splits src into tokens, ending with a tEOF token.
func lex(src string) []token {
	var toks []token
	i := 0
	for {
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
			i++
		}
		if i >= len(src) {
			return append(toks, token{kind: tEOF, text: "<EOF>", start: len(src), end: len(src)})
		}
		start := i
		c := src[i]
		switch {
		case isLetter(c) || c == '_':
			for i < len(src) && isWord(src[i]) {
				i++
			}
			toks = append(toks, token{tIdent, src[start:i], start, i})
		case isDigit(c):
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			toks = append(toks, token{tNumber, src[start:i], start, i})
		case c == '#' || c == ':':
			i++
			for i < len(src) && isWord(src[i]) {
				i++
			}
			k := tName
			if c == ':' {
				k = tValue
			}
			if i == start+1 {
				k = tBad
			}
			toks = append(toks, token{k, src[start:i], start, i})
		case c == '<':
			i++
			if i < len(src) && (src[i] == '=' || src[i] == '>') {
				i++
			}
			toks = append(toks, token{tPunct, src[start:i], start, i})
		case c == '>':
			i++
			if i < len(src) && src[i] == '=' {
				i++
			}
			toks = append(toks, token{tPunct, src[start:i], start, i})
		case c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '.' || c == '=' || c == '+' || c == '-':
			i++
			toks = append(toks, token{tPunct, src[start:i], start, i})
		default:
			// One whole UTF-8 character as the bad token.
			i++
			for i < len(src) && src[i]&0xC0 == 0x80 {
				i++
			}
			toks = append(toks, token{tBad, src[start:i], start, i})
		}
	}
}

// syntaxError words a parse failure at token i as DynamoDB does: the
// token, and the source from the previous token to the next one.
func syntaxError(src string, toks []token, i int) error {
	t := toks[i]
	from, to := t.start, t.end
	if i > 0 {
		from = toks[i-1].start
	}
	if i+1 < len(toks) && toks[i+1].kind != tEOF {
		to = toks[i+1].end
	}
	return &Error{fmt.Sprintf("Syntax error; token: \"%s\", near: \"%s\"", t.text, src[from:to])}
}
