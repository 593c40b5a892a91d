package environment

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"
)

const (
	// maxLine bounds one log line; longer output is split.
	maxLine = 256 * 1024
	// maxKept bounds the output kept for one invocation (its tail is kept).
	maxKept = 64 * 1024
)

// output reads an environment's stdout and stderr (one pipe), logs every
// line under the function's logger and keeps the current invocation's tail.
// sync lets the environment collect everything the runtime wrote before it
// posted a response, so log tails are complete.
type output struct {
	r      *os.File
	logger *slog.Logger

	mu      sync.Mutex
	partial []byte
	kept    []byte

	syncs chan chan struct{}
	done  chan struct{}
}

func newOutput(r *os.File, logger *slog.Logger) *output {
	o := &output{r: r, logger: logger, syncs: make(chan chan struct{}, 16), done: make(chan struct{})}
	go o.loop()
	return o
}

func (o *output) loop() {
	defer close(o.done)
	chunk := make([]byte, 32*1024)
	for {
		n, err := o.r.Read(chunk)
		if n > 0 {
			o.consume(chunk[:n])
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			_ = o.r.SetReadDeadline(time.Time{})
			o.drainPipe(chunk)
			o.ackSyncs()
			continue
		}
		if err != nil {
			o.mu.Lock()
			if len(o.partial) > 0 {
				o.emit(o.partial)
				o.partial = nil
			}
			o.mu.Unlock()
			o.ackSyncs()
			return
		}
	}
}

// drainPipe reads whatever is already in the pipe without blocking.
func (o *output) drainPipe(chunk []byte) {
	for {
		avail := pendingBytes(o.r)
		if avail <= 0 {
			return
		}
		n, err := o.r.Read(chunk[:min(avail, len(chunk))])
		if n > 0 {
			o.consume(chunk[:n])
		}
		if err != nil {
			return
		}
	}
}

func (o *output) ackSyncs() {
	for {
		select {
		case c := <-o.syncs:
			close(c)
		default:
			return
		}
	}
}

// sync returns once everything written to the pipe so far is logged.
func (o *output) sync() {
	c := make(chan struct{})
	select {
	case o.syncs <- c:
	case <-o.done:
		return
	}
	_ = o.r.SetReadDeadline(time.Unix(1, 0))
	select {
	case <-c:
	case <-o.done:
	case <-time.After(100 * time.Millisecond):
	}
}

func (o *output) consume(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(b) > 0 {
		i := indexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			if len(o.partial) >= maxLine {
				o.emit(o.partial)
				o.partial = o.partial[:0]
			}
			return
		}
		if len(o.partial) > 0 {
			o.partial = append(o.partial, b[:i]...)
			o.emit(o.partial)
			o.partial = o.partial[:0]
		} else {
			o.emit(b[:i])
		}
		b = b[i+1:]
	}
}

// emit logs one line and keeps it; called with mu held.
func (o *output) emit(line []byte) {
	o.logger.Info(string(line))
	o.keep(line)
}

// note records a line of Nimbus's own (START, END, REPORT, timeouts) in
// the log and the kept tail.
func (o *output) note(line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.logger.Info(line)
	o.keep([]byte(line))
}

// noteQuiet records a line in the kept tail (LogType Tail shows it) but
// logs it at debug level: START and END lines of every invocation would
// drown the server log, whose REPORT line already names the request.
func (o *output) noteQuiet(line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.logger.Debug(line)
	o.keep([]byte(line))
}

func (o *output) keep(line []byte) {
	o.kept = append(o.kept, line...)
	o.kept = append(o.kept, '\n')
	if len(o.kept) > maxKept {
		o.kept = append(o.kept[:0], o.kept[len(o.kept)-maxKept/2:]...)
	}
}

// take returns and clears the kept output.
func (o *output) take() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.kept
	o.kept = nil
	return b
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
