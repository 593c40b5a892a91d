package environment

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// TestOutputSync checks that sync collects every line written before it,
// in order, whether the reading goroutine or sync itself reads it.
func TestOutputSync(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	o := newOutput(r, slog.New(slog.DiscardHandler))
	for round := range 200 {
		var want strings.Builder
		lines := 1 + round%7
		for i := range lines {
			// Some rounds write more than one read takes (32 KB), less
			// than the kept tail (64 KB).
			line := fmt.Sprintf("round %d line %d %s", round, i, strings.Repeat("x", (round*997+i*31)%9000))
			want.WriteString(line + "\n")
			if _, err := w.WriteString(line + "\n"); err != nil {
				t.Fatal(err)
			}
		}
		o.sync()
		if got := string(o.take()); got != want.String() {
			t.Fatalf("round %d: kept %d bytes, want %d", round, len(got), want.Len())
		}
	}
	// A last line without a newline is logged when the output ends.
	_, _ = w.WriteString("no newline")
	w.Close()
	select {
	case <-o.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("output did not end: eof %v partial %q", o.eof, o.partial)
	}
	if got := string(o.take()); got != "no newline\n" {
		t.Fatalf("after the end: %q", got)
	}
}
