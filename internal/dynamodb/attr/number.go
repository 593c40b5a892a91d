package attr

import (
	"strings"

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
	msgNotNumber = "A value provided cannot be converted into a number"
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
	return canonical(d)
}

func parseDecimal(s string) (*apd.Decimal, error) {
	if s == "" || strings.ContainsAny(s, " \t\n_") {
		return nil, &Error{msgNotNumber}
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return nil, &Error{msgNotNumber}
		}
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		return nil, &Error{msgNotNumber}
	}
	return d, nil
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
		return "", &Error{msgOverflow}
	}
	if adj < minExponent {
		return "", &Error{msgUnderflow}
	}
	if digits > maxDigits {
		return "", &Error{msgPrecision}
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
		return "", &Error{msgOverflow}
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
