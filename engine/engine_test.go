package engine

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"
)

// fakeClock is an injected clock tests move by hand.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) NowMs() int64     { return c.ms.Load() }
func (c *fakeClock) advance(ms int64) { c.ms.Add(ms) }
func newFakeClock(start int64) *fakeClock {
	c := &fakeClock{}
	c.ms.Store(start)
	return c
}

func openTest(t testing.TB, o Options) *Engine {
	t.Helper()
	if o.CleanerInterval == 0 {
		o.CleanerInterval = -1
	}
	if o.ExpireInterval == 0 {
		o.ExpireInterval = -1
	}
	e, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestSetGetDelete(t *testing.T) {
	e := openTest(t, Options{Shards: 4, SegmentSize: 64 << 10})
	for i := 0; i < 10000; i++ {
		k := []byte(fmt.Sprintf("key:%d", i))
		if err := e.Set(0, k, bytes.Repeat(k, 3), 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.DBSize(0); n != 10000 {
		t.Fatalf("dbsize %d", n)
	}
	for i := 0; i < 10000; i++ {
		k := []byte(fmt.Sprintf("key:%d", i))
		v, ok, err := e.Get(0, k, nil)
		if err != nil || !ok || !bytes.Equal(v, bytes.Repeat(k, 3)) {
			t.Fatalf("get %s = %q %v %v", k, v, ok, err)
		}
	}
	for i := 0; i < 10000; i += 2 {
		if !e.Delete(0, []byte(fmt.Sprintf("key:%d", i))) {
			t.Fatal("delete missed")
		}
	}
	if n := e.DBSize(0); n != 5000 {
		t.Fatalf("dbsize %d", n)
	}
	e.Clean(true)
	for i := 0; i < 10000; i++ {
		k := []byte(fmt.Sprintf("key:%d", i))
		_, ok, _ := e.Get(0, k, nil)
		if ok != (i%2 == 1) {
			t.Fatalf("key %s present=%v", k, ok)
		}
	}
	st := e.Stats()
	if st.Live > st.Segments {
		t.Fatalf("live %d > segments %d", st.Live, st.Segments)
	}
}
