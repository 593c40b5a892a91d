package attr

import "github.com/cockroachdb/apd/v3"

// AppendKey appends the order-preserving encoding of a key value (S, N or
// B) to dst. Encodings of equal values are equal, byte order matches
// DynamoDB's order (numbers by value, strings and binaries by bytes), and
// every encoding is self-delimiting, so encoded parts can be concatenated
// and still compare part by part.
func AppendKey(dst []byte, v *Value) []byte {
	switch v.T {
	case S:
		return appendEscaped(dst, []byte(v.S))
	case B:
		return appendEscaped(dst, v.B)
	case N:
		return appendEscaped(dst, numberKey(v.S))
	}
	return appendEscaped(dst, nil)
}

// appendEscaped writes b with 0x00 escaped as 0x00 0xFF and a 0x00 0x01
// terminator, so a shorter value sorts before any longer one it prefixes.
func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			dst = append(dst, 0, 0xFF)
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, 0, 0x01)
}

// numberKey encodes a canonical number: a sign class byte (negative < zero
// < positive), the adjusted exponent (inverted for negatives) and the
// significant digits as ASCII (inverted and closed with 0xFE for
// negatives, so that a longer negative digit string sorts first).
func numberKey(s string) []byte {
	d := Decimal(s)
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return []byte{0x02}
	}
	digits := r.Coeff.String()
	adj := int(r.Exponent) + len(digits) - 1
	exp := byte(adj - minExponent)
	out := make([]byte, 0, len(digits)+3)
	if r.Negative {
		out = append(out, 0x01, 0xFF-exp)
		for i := 0; i < len(digits); i++ {
			out = append(out, '9'-digits[i]+'0')
		}
		return append(out, 0xFE)
	}
	out = append(out, 0x03, exp)
	return append(out, digits...)
}

// AppendKeyPrefix appends the encoding of an S or B value without its
// terminator: every key whose value starts with v starts with these bytes
// (begins_with on a sort key becomes a range scan).
func AppendKeyPrefix(dst []byte, v *Value) []byte {
	b := v.B
	if v.T == S {
		b = []byte(v.S)
	}
	enc := appendEscaped(nil, b)
	return append(dst, enc[:len(enc)-2]...)
}
