package attr

import "bytes"

// Compare orders two values of the same scalar type (S, N or B) as
// DynamoDB's comparators do; ok is false when they are not comparable.
func Compare(a, b *Value) (c int, ok bool) {
	if a == nil || b == nil || a.T != b.T {
		return 0, false
	}
	switch a.T {
	case S:
		switch {
		case a.S < b.S:
			return -1, true
		case a.S > b.S:
			return 1, true
		}
		return 0, true
	case N:
		return CompareNumbers(a.S, b.S), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}
