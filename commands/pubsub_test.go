package commands

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// inbox collects what a session's Push receives.
type inbox struct {
	mu      sync.Mutex // guards frames, pending
	frames  []string
	pending int // what Push reports as waiting to be written
}

func (b *inbox) push(frame []byte) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frames = append(b.frames, string(frame))
	return b.pending
}

func (b *inbox) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.frames
	b.frames = nil
	return out
}

// subscriberSession opens a session whose pushed frames land in an inbox.
func (ts *testServer) subscriberSession(t *testing.T) (*Session, *inbox, *bool) {
	sess, killed := ts.session(fmt.Sprintf("127.0.0.1:%d", 6000+rand.Intn(1000)))
	in := &inbox{}
	sess.Push = in.push
	return sess, in, killed
}

func msgFrame(kind string, parts ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n%s", len(parts)+1, rBulk(kind))
	for _, p := range parts {
		b.WriteString(rBulk(p))
	}
	return b.String()
}

func TestPubSubDelivery(t *testing.T) {
	ts := newTestServer(t, config.Default())
	pub, _ := ts.session("127.0.0.1:5000")
	a, inA, _ := ts.subscriberSession(t)
	b, inB, _ := ts.subscriberSession(t)
	b.SetProto(3)

	if got, want := ts.do(a, "subscribe", "news", "sport"),
		"*3\r\n"+rBulk("subscribe")+rBulk("news")+":1\r\n*3\r\n"+rBulk("subscribe")+rBulk("sport")+":2\r\n"; got != want {
		t.Fatalf("SUBSCRIBE: %q, want %q", got, want)
	}
	ts.do(a, "psubscribe", "n*")
	ts.do(b, "psubscribe", "x*")
	ts.do(b, "ssubscribe", "news")

	// a gets the message twice (channel and pattern); b's pattern does
	// not match and its shard channel is another space.
	if got := ts.do(pub, "publish", "news", "hi"); got != ":2\r\n" {
		t.Errorf("PUBLISH news: %q, want :2", got)
	}
	want := []string{msgFrame("message", "news", "hi"), msgFrame("pmessage", "n*", "news", "hi")}
	if got := inA.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a received %q, want %q", got, want)
	}
	if got := inB.take(); len(got) != 0 {
		t.Errorf("b received %q", got)
	}
	if got := ts.do(pub, "spublish", "news", "s"); got != ":1\r\n" {
		t.Errorf("SPUBLISH: %q", got)
	}
	// RESP3 subscribers get push frames.
	if got, want := inB.take(), []string{">" + msgFrame("smessage", "news", "s")[1:]}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("b received %q, want %q", got, want)
	}

	// INFO and CLIENT LIST see the subscriptions.
	info := ts.srv.Info([]byte("stats"))
	for _, f := range []string{"pubsub_channels:2\r\n", "pubsub_patterns:2\r\n", "pubsubshard_channels:1\r\n"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO stats lacks %q", strings.TrimSpace(f))
		}
	}
	list := ts.do(pub, "client", "list")
	for _, s := range []*Session{a, b} {
		line := ""
		for _, l := range strings.Split(list, "\n") {
			if strings.Contains(l, fmt.Sprintf("id=%d ", s.ID)) {
				line = l
			}
		}
		var sub, psub, ssub int64
		if s == a {
			sub, psub = 2, 1
		} else {
			psub, ssub = 1, 1
		}
		if wantF := fmt.Sprintf(" flags=P db=0 sub=%d psub=%d ssub=%d ", sub, psub, ssub); !strings.Contains(line, wantF) {
			t.Errorf("CLIENT LIST line %q lacks %q", line, wantF)
		}
	}
	if got := ts.do(pub, "client", "list", "type", "pubsub"); strings.Count(got, "flags=P") != 2 || strings.Contains(got, fmt.Sprintf("id=%d ", pub.ID)) {
		t.Errorf("CLIENT LIST TYPE pubsub: %q", got)
	}

	// The connection's end drops everything the sessions held.
	ts.srv.CloseSession(a)
	ts.srv.CloseSession(b)
	if c, p, s := ts.srv.pubsubCounts(); c != 0 || p != 0 || s != 0 {
		t.Errorf("after CloseSession: %d channels, %d patterns, %d shard channels", c, p, s)
	}
	for i := range ts.srv.pubsub.channels.shards {
		if n := len(ts.srv.pubsub.channels.shards[i].subs); n != 0 {
			t.Errorf("channel shard %d keeps %d entries", i, n)
		}
	}
	if got := ts.do(pub, "publish", "news", "hi"); got != ":0\r\n" {
		t.Errorf("PUBLISH after close: %q", got)
	}
}

func TestPubSubOutputLimit(t *testing.T) {
	ts := newTestServer(t, config.Default())
	pub, _ := ts.session("127.0.0.1:5000")
	if got := ts.do(pub, "config", "set", "client-output-buffer-limit", "pubsub 1000 0 0"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	sub, in, killed := ts.subscriberSession(t)
	ts.do(sub, "subscribe", "c")
	in.pending = 999
	ts.do(pub, "publish", "c", "x")
	if *killed {
		t.Fatal("killed under the hard limit")
	}
	in.pending = 1000
	if got := ts.do(pub, "publish", "c", "x"); got != ":1\r\n" {
		t.Errorf("PUBLISH: %q", got)
	}
	if !*killed || !sub.killed.Load() {
		t.Fatal("not killed at the hard limit")
	}
	// A session being closed receives nothing more but still counts, as
	// in Redis, until its connection ends.
	in.take()
	if got := ts.do(pub, "publish", "c", "x"); got != ":1\r\n" || len(in.take()) != 0 {
		t.Errorf("PUBLISH to a closing subscriber: %q", got)
	}

	// Soft limit: over it for longer than its seconds.
	ts.do(pub, "config", "set", "client-output-buffer-limit", "pubsub 0 100 0")
	sub2, in2, killed2 := ts.subscriberSession(t)
	ts.do(sub2, "subscribe", "c")
	in2.pending = 100
	ts.do(pub, "publish", "c", "x") // first seen over: the clock starts
	if *killed2 {
		t.Fatal("killed when first over the soft limit")
	}
	sub2.pubsub.softSince.Add(-2) // two seconds ago
	ts.do(pub, "publish", "c", "x")
	if !*killed2 {
		t.Fatal("not killed after the soft limit's seconds")
	}
}

// TestPubSubNoListenerAllocs: the publish path keyspace notifications and
// the cluster use costs no allocation (and no lock) when nobody listens.
func TestPubSubNoListenerAllocs(t *testing.T) {
	ts := newTestServer(t, config.Default())
	ch, msg := []byte("__keyspace@0__:k"), []byte("set")
	if n := testing.AllocsPerRun(100, func() { ts.srv.Publish(ch, msg) }); n != 0 {
		t.Errorf("Publish with no subscribers: %v allocs", n)
	}
	sess, _, _ := ts.subscriberSession(t)
	ts.do(sess, "subscribe", "other")
	if n := testing.AllocsPerRun(100, func() { ts.srv.Publish(ch, msg) }); n != 0 {
		t.Errorf("Publish to a channel nobody listens on: %v allocs", n)
	}
}

// TestPubSubConcurrent subscribes, unsubscribes, closes and publishes
// from many goroutines (run it with -race), then checks that the
// registry is empty and every delivery a subscriber saw was well formed.
func TestPubSubConcurrent(t *testing.T) {
	ts := newTestServer(t, config.Default())
	const workers, rounds = 8, 200
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	var delivered atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func() { // a subscriber that comes and goes
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(w)))
			for r := 0; r < rounds; r++ {
				sess := ts.srv.NewSession("127.0.0.1:1", "127.0.0.1:2", func() {})
				sess.Push = func(frame []byte) int {
					if !strings.HasPrefix(string(frame), "*3\r\n$7\r\nmessage") && !strings.HasPrefix(string(frame), "*4\r\n$8\r\npmessage") {
						t.Errorf("bad frame %q", frame)
					}
					delivered.Add(1)
					return 0
				}
				ch := fmt.Sprintf("c%d", rng.Intn(4))
				ts.do(sess, "subscribe", ch, "c9")
				ts.do(sess, "psubscribe", "c*")
				if rng.Intn(2) == 0 {
					ts.do(sess, "unsubscribe")
				}
				ts.srv.CloseSession(sess)
			}
		}()
		go func() { // a publisher
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				ts.srv.Publish([]byte(fmt.Sprintf("c%d", r%5)), []byte("m"))
			}
		}()
	}
	wg.Wait()
	if c, p, s := ts.srv.pubsubCounts(); c != 0 || p != 0 || s != 0 {
		t.Errorf("registry not empty: %d channels, %d patterns, %d shard channels", c, p, s)
	}
	t.Logf("%d deliveries", delivered.Load())
}

func BenchmarkPublish(b *testing.B) {
	for _, subs := range []int{0, 1, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			ts := newTestServer(b, config.Default())
			for i := 0; i < subs; i++ {
				sess, _ := ts.session("127.0.0.1:1")
				sess.Push = func([]byte) int { return 0 }
				ts.do(sess, "subscribe", "ch")
			}
			ch, msg := []byte("ch"), []byte("hello world")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ts.srv.Publish(ch, msg)
			}
		})
	}
}

// TestKeyspaceEventsFromEngine: expirations and evictions the engine makes
// on its own are published as "expired" and "evicted" events, in the
// key's logical database, only while their classes are enabled.
func TestKeyspaceEventsFromEngine(t *testing.T) {
	ts := newTestServer(t, config.Default())
	admin, _ := ts.session("127.0.0.1:5000")
	sub, in, _ := ts.subscriberSession(t)
	ts.do(sub, "psubscribe", "__keyevent@*")

	ts.do(admin, "select", "2")
	ts.do(admin, "set", "gone", "v", "px", "1")
	time.Sleep(5 * time.Millisecond)
	ts.do(admin, "get", "gone") // lazy expiry; notifications are off: nothing
	if got := in.take(); len(got) != 0 {
		t.Fatalf("events with notify-keyspace-events off: %q", got)
	}

	if got := ts.do(admin, "config", "set", "notify-keyspace-events", "Exe"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	ts.do(admin, "set", "short", "v", "px", "1")
	time.Sleep(5 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); ts.srv.Engine.Stats().ExpiredKeys < 2 && time.Now().Before(deadline); {
		ts.srv.Engine.ActiveExpire(time.Second)
	}
	want := msgFrame("pmessage", "__keyevent@*", "__keyevent@2__:expired", "short")
	if got := in.take(); len(got) != 1 || got[0] != want {
		t.Fatalf("active expiry published %q, want %q", got, want)
	}

	for i := 0; i < 50; i++ {
		ts.do(admin, "set", fmt.Sprintf("k%d", i), strings.Repeat("x", 1000))
	}
	ts.srv.Engine.SetMaxMemory(1, engine.AllKeysRandom)
	ts.srv.Engine.EnsureMemory()
	ts.srv.Engine.SetMaxMemory(0, engine.NoEviction)
	got := in.take()
	if len(got) == 0 {
		t.Fatal("no evicted events")
	}
	for _, f := range got {
		if !strings.Contains(f, "__keyevent@2__:evicted") {
			t.Errorf("unexpected event %q", f)
		}
	}
	t.Logf("%d evicted events", len(got))
}
