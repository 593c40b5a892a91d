package app

import (
	"crypto/sha256"
	"math/big"
	"strings"
)

// APIID derives API Gateway's 10-character id from a logical id, stably
// across restarts, so URLs printed once keep working.
func APIID(logicalID string) string {
	return derivedID("api:"+logicalID, 10)
}

func derivedID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	s := new(big.Int).SetBytes(sum[:]).Text(36)
	for len(s) < n {
		s = "0" + s
	}
	return strings.ToLower(s[:n])
}
