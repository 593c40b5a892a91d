// Package dynamodb serves the DynamoDB JSON 1.0 API (X-Amz-Target
// "DynamoDB_20120810.<Operation>") over a storage.Store: tables, items,
// secondary indexes, queries and scans, batches, transactions and TTL.
package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nimbus-dev/nimbus/internal/dynamodb/attr"
	"github.com/nimbus-dev/nimbus/internal/storage"
)

// TargetPrefix is the X-Amz-Target prefix of DynamoDB operations.
const TargetPrefix = "DynamoDB_20120810."

// maxRequestBody bounds a request body (AWS allows 16 MB for batches).
const maxRequestBody = 16 << 20

// Options configure a Service.
type Options struct {
	Logger    *slog.Logger
	Region    string // default us-east-1
	AccountID string // default 000000000000
	// TTLInterval is how often expired items are swept; zero means 1s.
	TTLInterval time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Service is the DynamoDB API over a Store.
type Service struct {
	store  storage.Store
	log    *slog.Logger
	region string
	acct   string
	now    func() time.Time

	mu      sync.RWMutex
	tables  map[string]*table
	nextNum uint64

	locks  keyLocks
	tokens *tokenCache

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New opens the service over store, loading the tables it holds, and starts
// the TTL sweeper.
func New(store storage.Store, opts Options) (*Service, error) {
	s := &Service{
		store:  store,
		log:    opts.Logger,
		region: opts.Region,
		acct:   opts.AccountID,
		now:    opts.Now,
		tables: map[string]*table{},
		tokens: newTokenCache(),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "dynamodb")
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.acct == "" {
		s.acct = "000000000000"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.loadTables(); err != nil {
		return nil, err
	}
	interval := opts.TTLInterval
	if interval <= 0 {
		interval = time.Second
	}
	go s.ttlLoop(interval)
	return s, nil
}

// Close stops background work (the TTL sweeper). It does not close the
// store, which belongs to the caller.
func (s *Service) Close() error {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
	})
	return nil
}

// handler runs one operation on a request body.
type handler func(s *Service, ctx context.Context, body []byte) (any, error)

var operations = map[string]handler{
	"CreateTable":               decode((*Service).createTable),
	"DescribeTable":             decode((*Service).describeTable),
	"ListTables":                decode((*Service).listTables),
	"UpdateTable":               decode((*Service).updateTable),
	"DeleteTable":               decode((*Service).deleteTable),
	"PutItem":                   decodeIn(layerEnveloped, (*Service).putItem),
	"GetItem":                   decode((*Service).getItem),
	"DeleteItem":                decodeIn(layerEnveloped, (*Service).deleteItem),
	"UpdateItem":                decodeIn(layerEnveloped, (*Service).updateItem),
	"Query":                     decode((*Service).query),
	"Scan":                      decodeIn(layerOlder, (*Service).scan),
	"BatchGetItem":              decode((*Service).batchGetItem),
	"BatchWriteItem":            decodeIn(layerOlder, (*Service).batchWriteItem),
	"TransactWriteItems":        decodeIn(layerOlder, (*Service).transactWriteItems),
	"TransactGetItems":          decodeIn(layerOlder, (*Service).transactGetItems),
	"UpdateTimeToLive":          decode((*Service).updateTimeToLive),
	"DescribeTimeToLive":        decode((*Service).describeTimeToLive),
	"DescribeEndpoints":         decode((*Service).describeEndpoints),
	"DescribeLimits":            decode((*Service).describeLimits),
	"TagResource":               decode((*Service).tagResource),
	"UntagResource":             decode((*Service).untagResource),
	"ListTagsOfResource":        decode((*Service).listTagsOfResource),
	"DescribeContinuousBackups": decode((*Service).describeContinuousBackups),
	"ExecuteStatement":          decodeIn(layerOlder, (*Service).executeStatement),
	"BatchExecuteStatement":     decodeIn(layerOlder, (*Service).batchExecuteStatement),
	"ExecuteTransaction":        decodeIn(layerOlder, (*Service).executeTransaction),
}

// decode adapts a typed operation to a handler: it unmarshals the body
// into Req, reporting bad JSON as SerializationException. Top-level item
// fields (Item, Key, ExclusiveStartKey) are parsed in the same pass that
// splits the body, so a large item is read once.
func decode[Req any, Resp any](fn func(*Service, context.Context, *Req) (Resp, error)) handler {
	return decodeIn(layerBare, fn)
}

// valueLayer is the validation layer an operation checks attribute values
// in; DynamoDB words a bad number or a repeated set member differently in
// each.
type valueLayer uint8

const (
	// layerBare is the current wording, bare (GetItem, BatchGetItem, Query).
	layerBare valueLayer = iota
	// layerEnveloped is the current wording inside the "1 validation error
	// detected: " envelope, as every request check of PutItem, UpdateItem
	// and DeleteItem is.
	layerEnveloped
	// layerOlder is the older wording, with an expression attribute value's
	// failure wrapped in "ExpressionAttributeValues contains invalid value:
	// ... for key :v" (BatchWriteItem, TransactWriteItems, TransactGetItems,
	// Scan).
	layerOlder
)

// decodeIn is decode for an operation whose attribute values are checked
// in layer.
func decodeIn[Req any, Resp any](layer valueLayer, fn func(*Service, context.Context, *Req) (Resp, error)) handler {
	fields := itemFieldsOf(reflect.TypeFor[Req]())
	return func(s *Service, ctx context.Context, body []byte) (any, error) {
		req := new(Req)
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		if len(fields) == 0 {
			if err := json.Unmarshal(body, req); err != nil {
				return nil, decodeError(err, layer)
			}
			if rr, ok := any(req).(rawRequest); ok {
				rr.setRaw(body)
			}
			return fn(s, ctx, req)
		}
		items, rest, err := attr.SplitObject(body, fields)
		if err != nil {
			return nil, decodeError(err, layer)
		}
		if err := json.Unmarshal(rest, req); err != nil {
			return nil, decodeError(err, layer)
		}
		rv := reflect.ValueOf(req).Elem()
		for name, it := range items {
			rv.FieldByName(name).Set(reflect.ValueOf(it))
		}
		return fn(s, ctx, req)
	}
}

// rawRequest is implemented by requests whose validation needs the JSON as
// sent; the bytes are valid for the duration of the call only.
type rawRequest interface{ setRaw(body []byte) }

// itemFieldsOf lists the top-level attr.Item fields of a request type
// (their Go names equal their JSON names).
func itemFieldsOf(t reflect.Type) map[string]bool {
	fields := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[attr.Item]() && f.Tag.Get("json") == f.Name {
			fields[f.Name] = true
		}
	}
	return fields
}

func decodeError(err error, layer valueLayer) error {
	var ee *eavError
	if errors.As(err, &ee) {
		if layer == layerOlder {
			return validation("ExpressionAttributeValues contains invalid value: " + ee.err.Older() + " for key " + ee.key)
		}
		err = ee.err
	}
	var ae *attr.Error
	if errors.As(err, &ae) {
		switch layer {
		case layerOlder:
			return validation(ae.Older())
		case layerEnveloped:
			return envelope(validation(ae.Msg))
		}
		return validation(ae.Msg)
	}
	var se *attr.SyntaxError
	if errors.As(err, &se) {
		return &apiError{Type: typeSerialization, Message: se.Msg}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &apiError{Type: typeSerialization, Message: serializationMessage(te)}
	}
	return &apiError{Type: typeSerialization}
}

func serializationMessage(te *json.UnmarshalTypeError) string {
	switch te.Value {
	case "number":
		return "NUMBER_VALUE cannot be converted to " + goTypeWord(te.Type.Kind().String())
	case "string":
		return "STRING_VALUE cannot be converted to " + goTypeWord(te.Type.Kind().String())
	case "bool":
		return "TRUE_VALUE cannot be converted to " + goTypeWord(te.Type.Kind().String())
	case "array":
		return "Start of list found where not expected"
	case "object":
		return "Start of structure or map found where not expected"
	}
	return "Unexpected value"
}

func goTypeWord(kind string) string {
	switch kind {
	case "string":
		return "String"
	case "bool":
		return "Boolean"
	case "int", "int32", "int64":
		return "Integer"
	}
	return "String"
}

// ServeHTTP serves one DynamoDB API request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	h := operations[op]
	ct := responseContentType(r)
	if !ok || h == nil {
		s.writeError(w, ct, &apiError{Type: typeUnknownOperation})
		return
	}
	if ae := checkSignature(r); ae != nil {
		s.writeError(w, ct, ae)
		return
	}
	in := getBuffer()
	defer putBuffer(in)
	if r.ContentLength > 0 && r.ContentLength <= maxRequestBody {
		in.Grow(int(r.ContentLength))
	}
	if _, err := in.ReadFrom(io.LimitReader(r.Body, maxRequestBody+1)); err != nil {
		s.writeError(w, ct, &apiError{Type: typeSerialization, Message: err.Error()})
		return
	}
	if in.Len() > maxRequestBody {
		s.writeError(w, ct, validation("Request size exceeded the maximum allowed size"))
		return
	}
	// encoding/json would quietly replace bytes that are not UTF-8; AWS
	// refuses such a body.
	if !utf8.Valid(in.Bytes()) {
		s.writeError(w, ct, &apiError{Type: typeSerialization})
		return
	}
	// Decoding copies everything it keeps, so the body buffer is reused.
	resp, err := s.safeCall(h, r.Context(), in.Bytes(), op)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Error("operation failed", "op", op, "err", err)
			ae = internal(err)
		}
		s.writeError(w, ct, ae)
		return
	}
	var out []byte
	if a, ok := resp.(jsonAppender); ok {
		buf := getBuffer()
		defer putBuffer(buf)
		if err = a.appendJSON(buf); err == nil {
			out = buf.Bytes()
		}
	} else {
		out, err = json.Marshal(resp)
	}
	if err != nil {
		s.writeError(w, ct, internal(err))
		return
	}
	writeJSON(w, ct, http.StatusOK, out)
}

// buffers recycles request and response buffers between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

// putBuffer returns b to the pool unless it grew large (a batch), so the
// pool does not pin big buffers.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

// jsonAppender is implemented by the hot responses (items, pages), which
// write their JSON directly instead of going through reflection.
type jsonAppender interface {
	appendJSON(buf *bytes.Buffer) error
}

// safeCall runs an operation, turning a panic into an internal error so
// one bad request never takes the server down.
func (s *Service) safeCall(h handler, ctx context.Context, body []byte, op string) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("operation panicked", "op", op, "panic", r)
			err = internal(errors.New("unexpected failure"))
		}
	}()
	return h(s, ctx, body)
}

func (s *Service) writeError(w http.ResponseWriter, contentType string, e *apiError) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	out, _ := json.Marshal(e.body())
	writeJSON(w, contentType, status, out)
}

func writeJSON(w http.ResponseWriter, contentType string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	// Spelled as DynamoDB spells them (Set would canonicalise the case).
	h["x-amzn-RequestId"] = []string{requestID()}
	h["x-amz-crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// requestID returns a 52-character id shaped like DynamoDB's. Request ids
// need to be unique, not secret, so a fast generator is enough.
func requestID() string {
	var b [52]byte
	for i := 0; i < len(b); i += 8 {
		r := rand.Uint64()
		for j := i; j < i+8 && j < len(b); j++ {
			b[j] = idChars[r%uint64(len(idChars))]
			r /= uint64(len(idChars))
		}
	}
	return string(b[:])
}
