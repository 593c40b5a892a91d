package vtl

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"
)

// utilObject is $util.
type utilObject struct{}

func (utilObject) call(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, nil
	}
	if args[0] == nil {
		return nil, nil
	}
	s := toString(args[0])
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), nil
	case "parseJson":
		v, err := ParseJSON(s)
		if err != nil {
			return nil, &EvalError{Msg: "$util.parseJson: " + err.Error(), Err: err}
		}
		return v, nil
	case "urlEncode":
		return URLEncode(s), nil
	case "urlDecode":
		v, err := URLDecode(s)
		if err != nil {
			return nil, &EvalError{Msg: "$util.urlDecode: " + err.Error(), Err: err}
		}
		return v, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		b, ok := decodeBase64Lenient(s)
		if !ok {
			return nil, &EvalError{Msg: "$util.base64Decode: illegal base64 data"}
		}
		return string(b), nil
	}
	return nil, nil
}

// EscapeJavaScript escapes s with JavaScript string rules, as Apache
// Commons Lang 2's StringEscapeUtils.escapeJavaScript (which API Gateway's
// $util.escapeJavaScript is) does: quotes, backslash and '/' get a
// backslash, control characters their short or \u00XX form, and every
// UTF-16 unit above 0x7f a \uXXXX escape in upper-case hex.
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u > 0xfff:
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(u), 16)))
		case u > 0xff:
			b.WriteString(`\u0`)
			b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(u), 16)))
		case u > 0x7f:
			b.WriteString(`\u00`)
			b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(u), 16)))
		case u < 32:
			switch u {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				if u > 0xf {
					b.WriteString(`\u00`)
				} else {
					b.WriteString(`\u000`)
				}
				b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(u), 16)))
			}
		default:
			switch u {
			case '\'':
				b.WriteString(`\'`)
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '/':
				b.WriteString(`\/`)
			default:
				b.WriteByte(byte(u))
			}
		}
	}
	return b.String()
}

// URLEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and
// ".-*_" stay, space becomes '+', every other byte %XX.
func URLEncode(s string) string {
	const upperHex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xF])
		}
	}
	return b.String()
}

// URLDecode is Java's URLDecoder.decode(s, "UTF-8").
func URLDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) {
				return "", &EvalError{Msg: "URLDecoder: Incomplete trailing escape (%) pattern"}
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", &EvalError{Msg: "URLDecoder: Illegal hex characters in escape (%) pattern"}
			}
			b.WriteByte(byte(v))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func decodeBase64Lenient(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
