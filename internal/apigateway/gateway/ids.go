package gateway

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"
)

// NewRequestID returns a REST API request id, a random UUID
// ("deef4878-7910-11e6-8f14-25afc3e9ae33").
func NewRequestID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rand.Uint64())
	binary.BigEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// NewExtendedRequestID returns an id in the form of API Gateway's
// extended request id and HTTP API request id: 11 random bytes in base64
// with '-' for '+' and '_' for '/' ("LV7fzho-PHcEJPw=").
func NewExtendedRequestID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rand.Uint64())
	binary.BigEndian.PutUint64(b[8:], rand.Uint64())
	enc := base64.URLEncoding.EncodeToString(b[:11])
	return enc
}

// NewTraceID returns an X-Amzn-Trace-Id root ("Root=1-5e9f0c65-1de4d666d4dd26aced652b6c")
// for the request time in Unix seconds.
func NewTraceID(unixSeconds int64) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], rand.Uint64())
	binary.BigEndian.PutUint32(b[8:], rand.Uint32())
	var ts [4]byte
	binary.BigEndian.PutUint32(ts[:], uint32(unixSeconds))
	return "Root=1-" + hex.EncodeToString(ts[:]) + "-" + hex.EncodeToString(b[:])
}

// LambdaTraceHeader is the trace header a function invoked by API Gateway
// gets (_X_AMZN_TRACE_ID): the request's trace, which API Gateway also
// forwards in the event's X-Amzn-Trace-Id header (the client's, or the one
// it added), continued by a new Parent segment id, so that the function's
// logs and traces carry the Root a client and API Gateway's access logs
// see. Sampled is 0, as for every trace Nimbus hands out: it runs no X-Ray
// daemon, and SDKs then send nothing. "" (Lambda starts a new trace) when
// trace has no Root.
func LambdaTraceHeader(trace string) string {
	var root, lineage string
	for field := range strings.SplitSeq(trace, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch {
		case strings.EqualFold(k, "Root"):
			root = v
		case strings.EqualFold(k, "Lineage"):
			lineage = v
		}
	}
	if !validTraceRoot(root) {
		return ""
	}
	var parent [8]byte
	binary.BigEndian.PutUint64(parent[:], rand.Uint64())
	h := "Root=" + root + ";Parent=" + hex.EncodeToString(parent[:]) + ";Sampled=0"
	if lineage != "" {
		h += ";Lineage=" + lineage
	}
	return h
}

// validTraceRoot reports whether root is an X-Ray trace id:
// "1-" + 8 hex digits + "-" + 24 hex digits.
func validTraceRoot(root string) bool {
	if len(root) != 35 || root[:2] != "1-" || root[10] != '-' {
		return false
	}
	for i, c := range root[2:] {
		if i == 8 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
