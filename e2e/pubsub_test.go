package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Pub/Sub with real clients, against redis-server and nebredis alike (a
// failure on redis-server too means the test is wrong): go-redis's PubSub
// in RESP2 and RESP3, redis-py's pubsub and its listener thread, and a
// subscriber that never reads, which must be disconnected at the pubsub
// output buffer limit while PUBLISH keeps answering promptly.

func TestPubSubGoRedis(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				pair.flush(t)
				goRedisPubSub(t, tg, proto)
			})
		}
	}
}

func goRedisPubSub(t *testing.T, tg *target, proto int) {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	client := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: tg.addr, Protocol: proto, MaxRetries: -1,
			DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
		t.Cleanup(func() { c.Close() })
		return c
	}
	pub, subc := client(), client()
	// receive reads the next thing on ps: a *redis.Subscription, a
	// *redis.Message or a *redis.Pong.
	receive := func(ps *redis.PubSub) any {
		t.Helper()
		v, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		return v
	}
	expect := func(ps *redis.PubSub, want any) {
		t.Helper()
		if got := receive(ps); !reflect.DeepEqual(got, want) {
			t.Errorf("received %#v, want %#v", got, want)
		}
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", what, got, want)
		}
	}

	ps := subc.Subscribe(ctx, "news", "sport")
	defer ps.Close()
	expect(ps, &redis.Subscription{Kind: "subscribe", Channel: "news", Count: 1})
	expect(ps, &redis.Subscription{Kind: "subscribe", Channel: "sport", Count: 2})
	if err := ps.PSubscribe(ctx, "n*"); err != nil {
		t.Fatal(err)
	}
	expect(ps, &redis.Subscription{Kind: "psubscribe", Channel: "n*", Count: 3})

	// A channel subscriber that also matches a pattern gets both messages,
	// and PUBLISH counts both.
	check("PUBLISH news", pub.Publish(ctx, "news", "hello").Val(), int64(2))
	expect(ps, &redis.Message{Channel: "news", Payload: "hello"})
	expect(ps, &redis.Message{Channel: "news", Pattern: "n*", Payload: "hello"})
	check("PUBLISH elsewhere", pub.Publish(ctx, "elsewhere", "x").Val(), int64(0))
	check("PUBLISH new (pattern only)", pub.Publish(ctx, "new", "p").Val(), int64(1))
	expect(ps, &redis.Message{Channel: "new", Pattern: "n*", Payload: "p"})

	// PING in subscribed mode (RESP2: ["pong", arg]; RESP3: a bulk).
	if err := ps.Ping(ctx, "are you there"); err != nil {
		t.Fatal(err)
	}
	expect(ps, &redis.Pong{Payload: "are you there"})

	// A pipelined burst arrives whole and in order.
	const burst = 500
	p := pub.Pipeline()
	for i := 0; i < burst; i++ {
		p.Publish(ctx, "sport", strconv.Itoa(i))
	}
	cmds, err := p.Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cmds {
		if n := c.(*redis.IntCmd).Val(); n != 1 {
			t.Fatalf("PUBLISH %d in the burst returned %d", i, n)
		}
	}
	for i := 0; i < burst; i++ {
		m, ok := receive(ps).(*redis.Message)
		if !ok || m.Channel != "sport" || m.Payload != strconv.Itoa(i) {
			t.Fatalf("burst message %d: %#v", i, m)
		}
	}

	if err := ps.Unsubscribe(ctx, "news"); err != nil {
		t.Fatal(err)
	}
	expect(ps, &redis.Subscription{Kind: "unsubscribe", Channel: "news", Count: 2})
	check("NUMSUB", pub.PubSubNumSub(ctx, "news", "sport").Val(), map[string]int64{"news": 0, "sport": 1})
	check("NUMPAT", pub.PubSubNumPat(ctx).Val(), int64(1))
	check("CHANNELS", pub.PubSubChannels(ctx, "*").Val(), []string{"sport"})

	// Shard channels work standalone.
	sps := client().SSubscribe(ctx, "orders")
	defer sps.Close()
	expect(sps, &redis.Subscription{Kind: "ssubscribe", Channel: "orders", Count: 1})
	check("SPUBLISH", pub.SPublish(ctx, "orders", "o1").Val(), int64(1))
	expect(sps, &redis.Message{Channel: "orders", Payload: "o1"})
	check("SHARDNUMSUB", pub.PubSubShardNumSub(ctx, "orders").Val(), map[string]int64{"orders": 1})
	check("SHARDCHANNELS", pub.PubSubShardChannels(ctx, "*").Val(), []string{"orders"})

	// Closing the subscriber's connection drops its subscriptions.
	ps.Close()
	sps.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := pub.PubSubNumSub(ctx, "sport").Val()["sport"]
		if n == 0 && pub.PubSubNumPat(ctx).Val() == 0 && len(pub.PubSubShardChannels(ctx, "*").Val()) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions still counted 5s after the subscribers closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	check("PUBLISH after close", pub.Publish(ctx, "sport", "x").Val(), int64(0))
}

const redisPyPubSubScript = `
import json, sys, time, redis
port, proto = int(sys.argv[1]), int(sys.argv[2])
kw = {"protocol": 3} if proto == 3 else {}
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=True, **kw)

def drain(p, n):
    got, deadline = [], time.time() + 10
    while len(got) < n and time.time() < deadline:
        m = p.get_message(timeout=1)
        if m:
            got.append([m["type"], m["pattern"], m["channel"], m["data"]])
    return got

def wait_numsub(ch, n):
    deadline = time.time() + 10
    while r.pubsub_numsub(ch)[0][1] != n and time.time() < deadline:
        time.sleep(0.01)

out = {}
p = r.pubsub()
p.subscribe("news")
p.psubscribe("n*")
out["confirmations"] = drain(p, 2)
out["publish"] = r.publish("news", "hello")
out["messages"] = drain(p, 2)

received = []
p2 = r.pubsub()
p2.subscribe(**{"events": lambda m: received.append(m["data"])})
thread = p2.run_in_thread(sleep_time=0.01)
wait_numsub("events", 1)
out["publish_counts"] = sorted(set(r.publish("events", str(i)) for i in range(200)))
deadline = time.time() + 10
while len(received) < 200 and time.time() < deadline:
    time.sleep(0.01)
thread.stop()
thread.join(5)
out["listener_in_order"] = received == [str(i) for i in range(200)]

out["numsub"] = r.pubsub_numsub("news", "events", "none")
out["numpat"] = r.pubsub_numpat()
p.unsubscribe()
p.punsubscribe()
out["unsubscribed"] = drain(p, 2)
p.close()
p2.close()
wait_numsub("events", 0)
out["publish_after_close"] = r.publish("events", "x")
print(json.dumps(out, sort_keys=True))
`

func TestPubSubRedisPy(t *testing.T) {
	python, version := pythonWithRedis(t)
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	pair := startPair(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			if proto == 3 && major < 5 {
				t.Skipf("redis-py %s has no RESP3 (protocol=3 needs 5.0)", version)
			}
			outs := map[string]string{}
			for _, tg := range []*target{pair.redis, pair.neb} {
				outs[tg.name] = strings.TrimSpace(string(runRedisPy(t, python, redisPyPubSubScript, tg.port(), strconv.Itoa(proto))))
			}
			if outs["redis"] != outs["nebredis"] {
				t.Errorf("redis-py pubsub transcripts differ\n  redis:    %s\n  nebredis: %s", outs["redis"], outs["nebredis"])
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(outs["nebredis"]), &got); err != nil {
				t.Fatal(err)
			}
			if got["publish"] != 2.0 || got["listener_in_order"] != true || fmt.Sprint(got["publish_counts"]) != "[1]" {
				t.Errorf("nebredis transcript: %s", outs["nebredis"])
			}
		})
	}
}

// TestPubSubStuckSubscriber: a raw client subscribes and never reads. With
// client-output-buffer-limit "pubsub 1mb 512kb 60", large messages fill the
// socket buffers and then its output buffer; it must be disconnected once
// that passes 1 MiB, while every PUBLISH answers promptly (a publisher
// never waits for a subscriber).
func TestPubSubStuckSubscriber(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
			defer cancel()
			pub := redis.NewClient(&redis.Options{Addr: tg.addr, MaxRetries: -1, ReadTimeout: 10 * time.Second})
			defer pub.Close()
			if err := pub.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 1mb 512kb 60").Err(); err != nil {
				t.Fatal(err)
			}
			defer pub.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 32mb 8mb 60")

			stuck := mustDial(t, tg)
			if r, err := stuck.Do("SUBSCRIBE", "firehose"); err != nil || !bytes.Contains(r, []byte("firehose")) {
				t.Fatalf("SUBSCRIBE: %q %v", r, err)
			}
			payload := strings.Repeat("x", 64<<10)
			var slowest time.Duration
			published, gone := 0, false
			for published < 2000 && !gone { // 2000 x 64 KiB = 125 MiB at most
				start := time.Now()
				n, err := pub.Publish(ctx, "firehose", payload).Result()
				slowest = max(slowest, time.Since(start))
				if err != nil {
					t.Fatalf("PUBLISH %d: %v", published, err)
				}
				published++
				gone = n == 0
			}
			t.Logf("%s: subscriber disconnected after %d messages of 64 KiB; slowest PUBLISH %v", tg.name, published, slowest)
			if !gone {
				t.Fatalf("the stuck subscriber still receives after %d messages (%d MiB)", published, published/16)
			}
			if slowest > 2*time.Second {
				t.Errorf("a PUBLISH took %v while a subscriber was stuck", slowest)
			}
			if n := pub.PubSubNumSub(ctx, "firehose").Val()["firehose"]; n != 0 {
				t.Errorf("NUMSUB after the disconnect: %d", n)
			}
			// What the kernel had buffered can still be read, then the
			// connection ends.
			stuck.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, stuck.conn)
			if err != nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset") {
				t.Errorf("reading the stuck subscriber's connection: %v", err)
			}
		})
	}
}
