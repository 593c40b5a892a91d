package environment

import (
	"log/slog"
	"os"
	"sync"
	"syscall"
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
//
// The pipe is non-blocking. A goroutine waits for it to become readable;
// every read of the pipe, and the consuming of what it returned, happens
// under rmu, so sync can drain the pipe itself, in order, without waking
// that goroutine: once sync's read finds the pipe empty, everything
// written before is consumed.
type output struct {
	r      *os.File
	raw    syscall.RawConn
	logger *slog.Logger

	rmu   sync.Mutex
	chunk []byte
	eof   bool

	mu      sync.Mutex
	partial []byte
	kept    []byte

	done chan struct{}
}

func newOutput(r *os.File, logger *slog.Logger) *output {
	o := &output{r: r, logger: logger, chunk: make([]byte, 32*1024), done: make(chan struct{})}
	raw, err := r.SyscallConn()
	if err != nil {
		// An os.Pipe always has one; without it nothing can be read.
		close(o.done)
		return o
	}
	o.raw = raw
	go o.loop()
	return o
}

func (o *output) loop() {
	defer close(o.done)
	// Read calls the function again each time the pipe becomes readable,
	// until it reports the end of the output.
	_ = o.raw.Read(func(fd uintptr) bool { return o.drain(fd) })
	_ = o.r.Close()
}

// drain reads what the pipe holds now; it reports true at the end of the
// output (every writer gone) or on an error.
func (o *output) drain(fd uintptr) bool {
	o.rmu.Lock()
	defer o.rmu.Unlock()
	for !o.eof {
		n, err := syscall.Read(int(fd), o.chunk)
		switch {
		case n > 0:
			o.consume(o.chunk[:n])
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			// Readiness is edge-triggered: only a read that finds the
			// pipe empty (not a short one, which may hide the end of
			// the output) lets the caller wait for the next write.
			return false
		default:
			o.eof = true
			o.mu.Lock()
			if len(o.partial) > 0 {
				o.emit(o.partial)
				o.partial = nil
			}
			o.mu.Unlock()
		}
	}
	return true
}

// sync returns once everything written to the pipe so far is logged.
func (o *output) sync() {
	if o.raw == nil {
		return
	}
	_ = o.raw.Control(func(fd uintptr) { o.drain(fd) })
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
