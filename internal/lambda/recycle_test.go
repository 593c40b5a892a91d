package lambda

import (
	"context"
	"testing"

	"github.com/nimbus-dev/nimbus/internal/app"
)

func TestApplyRecyclesWithoutFailingInFlight(t *testing.T) {
	h := newHarness(t, Options{})
	fn := goFunction(t, "live")
	if err := h.svc.Apply(context.Background(), []*app.Function{fn}, nil); err != nil {
		t.Fatal(err)
	}
	inFlight := make(chan string, 1)
	go func() {
		out := invokeJSON(t, h, "live", `{"mode":"sleep","sleepMs":700}`)
		inFlight <- string(out.Payload)
	}()
	waitFor(t, "the invocation to start", func() bool { _, busy := h.svc.functions["live"].pool.Stats(); return busy == 1 })
	changed := goFunction(t, "live")
	changed.Environment = map[string]string{"GREETING": "changed"}
	if err := h.svc.Apply(context.Background(), []*app.Function{changed}, nil); err != nil {
		t.Fatal(err)
	}
	if out := invokeJSON(t, h, "live", `{"mode":"env","env":"GREETING"}`); string(out.Payload) != `"changed"` {
		t.Errorf("after apply: %s", out.Payload)
	}
	if got := <-inFlight; got != `"slept"` {
		t.Errorf("in-flight invocation: %s", got)
	}
	idle, _ := h.svc.functions["live"].pool.Stats()
	if idle != 1 {
		t.Errorf("stale environment kept: %d idle", idle)
	}

	h.svc.CodeChanged("live")
	idle, _ = h.svc.functions["live"].pool.Stats()
	if idle != 0 {
		t.Errorf("CodeChanged kept %d warm environments", idle)
	}
	if out := invokeJSON(t, h, "live", `{"value":1}`); string(out.Payload) != `{"echo":1}` {
		t.Errorf("after CodeChanged: %s", out.Payload)
	}

	if err := h.svc.Apply(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.resolve("live", ""); err == nil {
		t.Error("function removed from the template still resolves")
	}
}
