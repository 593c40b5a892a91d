package attr

import (
	"strconv"

	"github.com/cockroachdb/apd/v3"
)

// DynamoDB's number limits: 38 significant digits, magnitudes from 1E-130
// up to (but excluding) 1E+126.
const (
	maxDigits   = 38
	minExponent = -130 // adjusted exponent of the smallest magnitude
	maxExponent = 125  // adjusted exponent of the largest magnitude
)

// Number error messages as DynamoDB words them.
const (
	msgNotNumber = "The parameter cannot be converted to a numeric value"
	msgPrecision = "Attempting to store more than 38 significant digits in a Number"
	msgOverflow  = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)

// arith has room for exact sums of in-range numbers; results are then
// checked against DynamoDB's limits.
var arith = apd.Context{Precision: 300, MaxExponent: 1000, MinExponent: -1000, Traps: apd.DefaultTraps}

// ParseNumber validates s as a DynamoDB number and returns its canonical
// text: plain decimal notation without exponent, leading or trailing zeros
// ("1.50E2" -> "150", "-0" -> "0").
func ParseNumber(s string) (string, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return "", err
	}
	canon, err := canonical(d)
	if e, ok := err.(*Error); ok && (e.Msg == msgOverflow || e.Msg == msgUnderflow) {
		if _, digits, frac, exp := numberSyntax(s); exp != "" {
			e.Old = olderRange(s, digits, frac, exp, e.Msg)
		}
	}
	return canon, err
}

// notNumber is the error for text that is not a number. DynamoDB's current
// request validation echoes the text after a colon (also when empty); its
// older layer leaves the colon out for an empty string.
func notNumber(s string) *Error {
	e := &Error{Msg: msgNotNumber + ": " + s}
	if s == "" {
		e.Old = msgNotNumber
	}
	return e
}

// numberSyntax reports whether s is [+-]digits[.digits][(e|E)[+-]digits]
// with at least one mantissa digit, and returns the mantissa's significant
// digit count and the exponent text.
func numberSyntax(s string) (ok bool, digits int, fracDigits int, exp string) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	mant := 0
	lead := true
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		mant++
		if s[i] != '0' || !lead {
			lead = false
			digits++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			mant++
			fracDigits++
			if s[i] != '0' || !lead {
				lead = false
				digits++
			}
		}
	}
	if mant == 0 {
		return false, 0, 0, ""
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		start := i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n++
		}
		if n == 0 {
			return false, 0, 0, ""
		}
		exp = s[start:i]
	}
	return i == len(s), digits, fracDigits, exp
}

func parseDecimal(s string) (*apd.Decimal, error) {
	ok, digits, frac, exp := numberSyntax(s)
	if !ok {
		return nil, notNumber(s)
	}
	var e64 int64
	if exp != "" {
		v, err := strconv.ParseInt(exp, 10, 64)
		if err != nil {
			// An exponent past a 64-bit integer does not convert at all.
			return nil, notNumber(s)
		}
		e64 = v
	}
	if digits == 0 {
		// Zero is range-checked by the exponent it is written with.
		switch {
		case e64 > maxExponent:
			return nil, &Error{Msg: msgOverflow}
		case e64 < minExponent:
			return nil, &Error{Msg: msgUnderflow}
		}
		return apd.New(0, 0), nil
	}
	d, _, err := apd.NewFromString(s)
	if err == nil && d.Form == apd.Finite {
		return d, nil
	}
	// The exponent is past what apd holds: the magnitude is out of range.
	e := &Error{Msg: msgOverflow}
	if e64 < 0 {
		e.Msg = msgUnderflow
	}
	e.Old = olderRange(s, digits, frac, exp, e.Msg)
	return nil, e
}

// olderRange is how DynamoDB's older validation layer, which reads numbers
// as Java's BigDecimal does, words a number whose exponent is huge: an
// exponent past a 32-bit int does not parse, and the magnitude check wraps
// around in 32-bit arithmetic.
func olderRange(s string, digits, frac int, exp, current string) string {
	v, err := strconv.ParseInt(exp, 10, 32)
	if err != nil {
		return notNumber(s).Msg
	}
	scale := int64(frac) - v
	if scale != int64(int32(scale)) {
		return notNumber(s).Msg
	}
	// digits counts from the first significant digit, so the magnitude is
	// digits + exponent - frac (wrapping like Java's int).
	mag := int32(int64(digits) - scale)
	switch {
	case mag > maxExponent+1:
		return msgOverflow
	case mag < minExponent+1:
		return msgUnderflow
	}
	return current
}

// canonical checks d against DynamoDB's limits and formats it.
func canonical(d *apd.Decimal) (string, error) {
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return "0", nil
	}
	digits := r.NumDigits()
	adj := int64(r.Exponent) + digits - 1
	if adj > maxExponent {
		return "", &Error{Msg: msgOverflow}
	}
	if adj < minExponent {
		return "", &Error{Msg: msgUnderflow}
	}
	if digits > maxDigits {
		return "", &Error{Msg: msgPrecision}
	}
	return r.Text('f'), nil
}

// Decimal parses canonical number text (already validated).
func Decimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return apd.New(0, 0)
	}
	return d
}

// AddNumbers returns a+b (or a-b when sub) in canonical form, or the
// DynamoDB error when the result is out of range.
func AddNumbers(a, b string, sub bool) (string, error) {
	x, y := Decimal(a), Decimal(b)
	var z apd.Decimal
	var err error
	if sub {
		_, err = arith.Sub(&z, x, y)
	} else {
		_, err = arith.Add(&z, x, y)
	}
	if err != nil {
		return "", &Error{Msg: msgOverflow}
	}
	return canonical(&z)
}

// CompareNumbers orders two canonical numbers by value.
func CompareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	return Decimal(a).Cmp(Decimal(b))
}
