package attr

import "unicode/utf8"

// MaxItemSize is DynamoDB's item size limit (400 KB).
const MaxItemSize = 400 * 1024

// MaxNesting is how many maps and lists DynamoDB lets an attribute nest:
// 31 levels of wrapping are stored, 32 refused.
const MaxNesting = 31

// ItemSize is the item's size as DynamoDB meters it: the UTF-8 length of
// every attribute name plus the size of its value.
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + ValueSize(v)
	}
	return n
}

// ValueSize is one value's metered size. Strings and binaries count their
// bytes; numbers count base-100 digit pairs from the first to the last
// significant digit plus one byte (and one more when negative); BOOL and
// NULL are one byte; lists and maps cost 3 bytes plus one byte per element
// on top of their contents; sets cost the sum of their members.
func ValueSize(v *Value) int {
	switch v.T {
	case S:
		return len(v.S)
	case N:
		return NumberSize(v.S)
	case B:
		return len(v.B)
	case BOOL, NULL:
		return 1
	case M:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + ValueSize(e)
		}
		return n
	case L:
		n := 3
		for _, e := range v.L {
			n += 1 + ValueSize(e)
		}
		return n
	case SS:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.SS {
			n += NumberSize(s)
		}
		return n
	case BS:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	}
	return 0
}

// NumberSize is the metered size of canonical number text.
func NumberSize(s string) int {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			break
		}
	}
	// Powers of ten of the most and least significant non-zero digits.
	hi, lo := 0, 0
	found := false
	for i := 0; i < len(intPart); i++ {
		if intPart[i] != '0' {
			p := len(intPart) - 1 - i
			if !found {
				hi, found = p, true
			}
			lo = p
		}
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] != '0' {
			p := -(i + 1)
			if !found {
				hi, found = p, true
			}
			lo = p
		}
	}
	if !found {
		return 1
	}
	pairs := floorDiv2(hi) - floorDiv2(lo) + 1
	n := 1 + pairs
	if neg {
		n++
	}
	return n
}

func floorDiv2(p int) int {
	if p >= 0 {
		return p / 2
	}
	return -((-p + 1) / 2)
}

// StringLen is the length size() reports for a string: AWS documents it
// as the string's length, counted here in characters.
func StringLen(s string) int { return utf8.RuneCountInString(s) }
