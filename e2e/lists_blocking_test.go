package e2e

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestBlockingLists runs the blocking list commands with several clients
// against redis-server and nebredis: the order blocked clients are served
// in, timeouts, wake-ups by pushes and moves, disconnects and CLIENT KILL
// of a blocked client, keys that are deleted or change type while clients
// wait, CLIENT UNBLOCK, and requests pipelined around a blocked command.
// Every wait is bounded (a few seconds at most) and everything is on
// loopback.
func TestBlockingLists(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				pair.flush(t)
				bt := newBlockTest(t, tg, proto)
				t.Run("FIFO", bt.fifo)
				t.Run("Timeout", bt.timeout)
				t.Run("WakeByMove", bt.wakeByMove)
				t.Run("Disconnect", bt.disconnect)
				t.Run("KeyChanges", bt.keyChanges)
				t.Run("Unblock", bt.unblock)
				t.Run("Pipelined", bt.pipelined)
			})
		}
	}
}

// blockWait bounds how long a test lets a client block.
const blockWait = 5 * time.Second

type blockTest struct {
	tg    *target
	proto int
	ctx   context.Context
	ctl   *redis.Client // the pushing client
}

func newBlockTest(t *testing.T, tg *target, proto int) *blockTest {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	bt := &blockTest{tg: tg, proto: proto, ctx: ctx}
	bt.ctl = bt.client(t)
	return bt
}

// client returns a go-redis client of its own, closed at cleanup.
func (bt *blockTest) client(t *testing.T) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: bt.tg.addr, Protocol: bt.proto, MaxRetries: -1, PoolSize: 1,
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// waiter is a connection running one blocking command in a goroutine.
type waiter struct {
	id   int64
	done chan result
}

type result struct {
	val any
	err error
}

// block starts a blocking command on a fresh connection, waits until the
// server shows it blocked, and returns it.
func (bt *blockTest) block(t *testing.T, run func(c *redis.Conn) (any, error)) *waiter {
	t.Helper()
	conn := bt.client(t).Conn()
	t.Cleanup(func() { conn.Close() })
	id, err := conn.ClientID(bt.ctx).Result()
	if err != nil {
		t.Fatalf("CLIENT ID: %v", err)
	}
	w := &waiter{id: id, done: make(chan result, 1)}
	go func() {
		v, err := run(conn)
		w.done <- result{v, err}
	}()
	bt.waitBlocked(t, id)
	return w
}

// waitBlocked polls CLIENT LIST until client id runs a blocking command,
// then gives it a moment to register (CLIENT LIST shows the command from
// the moment it starts).
func (bt *blockTest) waitBlocked(t *testing.T, id int64) {
	t.Helper()
	deadline := time.Now().Add(blockWait)
	for time.Now().Before(deadline) {
		list, err := bt.ctl.ClientList(bt.ctx).Result()
		if err != nil {
			t.Fatalf("CLIENT LIST: %v", err)
		}
		for _, line := range strings.Split(list, "\n") {
			if strings.HasPrefix(line, fmt.Sprintf("id=%d ", id)) && blockingCmd(line) {
				time.Sleep(30 * time.Millisecond)
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("client %d did not block", id)
}

func blockingCmd(line string) bool {
	for _, f := range strings.Fields(line) {
		if name, ok := strings.CutPrefix(f, "cmd="); ok {
			return name == "blpop" || name == "brpop" || name == "blmove" || name == "brpoplpush" || name == "blmpop" ||
				name == "bzpopmin" || name == "bzpopmax" || name == "bzmpop"
		}
	}
	return false
}

// gone waits until client id has left CLIENT LIST.
func (bt *blockTest) gone(t *testing.T, id int64) {
	t.Helper()
	deadline := time.Now().Add(blockWait)
	for time.Now().Before(deadline) {
		list, err := bt.ctl.ClientList(bt.ctx).Result()
		if err != nil {
			t.Fatalf("CLIENT LIST: %v", err)
		}
		if !strings.Contains(list, fmt.Sprintf("id=%d ", id)) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("client %d is still connected", id)
}

// result waits for w's reply.
func (w *waiter) result(t *testing.T) result {
	t.Helper()
	select {
	case r := <-w.done:
		return r
	case <-time.After(2 * blockWait):
		t.Fatalf("client %d never got a reply", w.id)
		return result{}
	}
}

// stillBlocked checks that w has had no reply for a while.
func (w *waiter) stillBlocked(t *testing.T) {
	t.Helper()
	select {
	case r := <-w.done:
		t.Fatalf("client %d should still be blocked, got %#v %v", w.id, r.val, r.err)
	case <-time.After(100 * time.Millisecond):
	}
}

func (bt *blockTest) check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func (bt *blockTest) do(t *testing.T, args ...any) any {
	t.Helper()
	v, err := bt.ctl.Do(bt.ctx, args...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

func blpop(bt *blockTest, keys ...string) func(c *redis.Conn) (any, error) {
	return func(c *redis.Conn) (any, error) { return c.BLPop(bt.ctx, blockWait, keys...).Result() }
}

// fifo: clients blocked on one key are served in the order they blocked,
// before the pushing client's next command runs.
func (bt *blockTest) fifo(t *testing.T) {
	var ws []*waiter
	for range 3 {
		ws = append(ws, bt.block(t, blpop(bt, "fifo")))
	}
	bt.check(t, "RPUSH", bt.do(t, "RPUSH", "fifo", "a", "b", "c", "d"), int64(4))
	bt.check(t, "LRANGE right after the push", bt.do(t, "LRANGE", "fifo", 0, -1), []any{"d"})
	for i, w := range ws {
		r := w.result(t)
		bt.check(t, fmt.Sprintf("client %d", i), r.val, []string{"fifo", string(rune('a' + i))})
	}

	// Several keys: the first one signalled serves; BLMPOP takes a count.
	a := bt.block(t, blpop(bt, "k1", "k2"))
	b := bt.block(t, func(c *redis.Conn) (any, error) {
		key, vals, err := c.BLMPop(bt.ctx, blockWait, "right", 2, "k0", "k2").Result()
		return []any{key, vals}, err
	})
	bt.do(t, "RPUSH", "k2", "x", "y", "z")
	bt.check(t, "BLPOP k1 k2", a.result(t).val, []string{"k2", "x"})
	bt.check(t, "BLMPOP k0 k2 RIGHT COUNT 2", b.result(t).val, []any{"k2", []string{"z", "y"}})
	bt.check(t, "k2 drained", bt.do(t, "EXISTS", "k2"), int64(0))
}

// timeout: short timeouts expire with the null reply.
func (bt *blockTest) timeout(t *testing.T) {
	conn := bt.client(t)
	for _, args := range [][]any{
		{"BLPOP", "nokey", 0.1},
		{"BRPOP", "nokey", "nokey2", 0.1},
		{"BLMOVE", "nokey", "dst", "LEFT", "RIGHT", 0.1},
		{"BRPOPLPUSH", "nokey", "dst", 0.1},
		{"BLMPOP", 0.1, 1, "nokey", "LEFT"},
	} {
		start := time.Now()
		_, err := conn.Do(bt.ctx, args...).Result()
		took := time.Since(start)
		if !errors.Is(err, redis.Nil) {
			t.Errorf("%v: got %v, want a null reply", args, err)
		}
		if took < 90*time.Millisecond || took > 3*time.Second {
			t.Errorf("%v: answered after %v, want about 100ms", args, took)
		}
	}
	bt.check(t, "nothing created", bt.do(t, "EXISTS", "nokey", "dst"), int64(0))
}

// wakeByMove: LMOVE and RPOPLPUSH into a waited key wake its client, and
// a served BLMOVE wakes the clients waiting on its destination.
func (bt *blockTest) wakeByMove(t *testing.T) {
	w := bt.block(t, blpop(bt, "dst"))
	bt.do(t, "RPUSH", "src", "x", "y")
	bt.check(t, "LMOVE", bt.do(t, "LMOVE", "src", "dst", "LEFT", "RIGHT"), "x")
	bt.check(t, "dst right after LMOVE", bt.do(t, "EXISTS", "dst"), int64(0))
	bt.check(t, "woken by LMOVE", w.result(t).val, []string{"dst", "x"})

	w = bt.block(t, func(c *redis.Conn) (any, error) { return c.BRPop(bt.ctx, blockWait, "dst").Result() })
	bt.check(t, "RPOPLPUSH", bt.do(t, "RPOPLPUSH", "src", "dst"), "y")
	bt.check(t, "woken by RPOPLPUSH", w.result(t).val, []string{"dst", "y"})

	// A chain: BLMOVE src2 -> mid, and BLPOP mid.
	mover := bt.block(t, func(c *redis.Conn) (any, error) {
		return c.BLMove(bt.ctx, "src2", "mid", "LEFT", "RIGHT", blockWait).Result()
	})
	popper := bt.block(t, blpop(bt, "mid"))
	bt.do(t, "RPUSH", "src2", "v")
	bt.check(t, "BLMOVE served", mover.result(t).val, "v")
	bt.check(t, "BLPOP on its destination served", popper.result(t).val, []string{"mid", "v"})
	bt.check(t, "all consumed", bt.do(t, "EXISTS", "src2", "mid"), int64(0))

	// A destination of another type: the served client gets WRONGTYPE and
	// the element stays.
	bt.do(t, "SET", "strdst", "s")
	w = bt.block(t, func(c *redis.Conn) (any, error) {
		return c.BLMove(bt.ctx, "src3", "strdst", "LEFT", "RIGHT", blockWait).Result()
	})
	bt.do(t, "RPUSH", "src3", "e")
	if r := w.result(t); r.err == nil || !strings.HasPrefix(r.err.Error(), "WRONGTYPE") {
		t.Errorf("BLMOVE to a string: got %#v %v, want WRONGTYPE", r.val, r.err)
	}
	bt.check(t, "element kept", bt.do(t, "LRANGE", "src3", 0, -1), []any{"e"})
}

// disconnect: a blocked client that goes away never takes an element.
func (bt *blockTest) disconnect(t *testing.T) {
	for _, how := range []string{"close", "kill"} {
		key := "gone:" + how
		rc := mustDial(t, bt.tg)
		idReply, err := rc.Do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		fmt.Sscanf(string(idReply), ":%d", &id)
		if err := rc.Write(encodeCommand("BLPOP", key, "5")); err != nil {
			t.Fatal(err)
		}
		bt.waitBlocked(t, id)
		if how == "close" {
			rc.Close()
		} else {
			bt.check(t, "CLIENT KILL ID", bt.do(t, "CLIENT", "KILL", "ID", id), int64(1))
			if r, err := rc.ReadReply(); err == nil {
				t.Errorf("killed client got a reply: %q", r)
			}
		}
		bt.gone(t, id)
		bt.check(t, "RPUSH after "+how, bt.do(t, "RPUSH", key, "v"), int64(1))
		bt.check(t, "element kept after "+how, bt.do(t, "LRANGE", key, 0, -1), []any{"v"})
	}
}

// keyChanges: a key deleted, replaced by another type or expired while
// clients wait does not wake them; they are served when it is a list again.
func (bt *blockTest) keyChanges(t *testing.T) {
	w := bt.block(t, blpop(bt, "chg"))
	bt.do(t, "SET", "chg", "str")
	w.stillBlocked(t)
	bt.do(t, "DEL", "chg")
	bt.do(t, "HSET", "chg", "f", "v")
	w.stillBlocked(t)
	bt.do(t, "DEL", "chg")
	w.stillBlocked(t)
	bt.do(t, "SET", "chg", "str", "PX", 50)
	time.Sleep(100 * time.Millisecond)
	bt.check(t, "LPUSH on the expired key", bt.do(t, "LPUSH", "chg", "v"), int64(1))
	bt.check(t, "served after the type changes", w.result(t).val, []string{"chg", "v"})
	bt.check(t, "consumed", bt.do(t, "EXISTS", "chg"), int64(0))

	// Lists created and deleted under other names (RENAME, DEL) do not
	// wake a client blocked on another key; a push to its key does.
	w = bt.block(t, blpop(bt, "chg2"))
	bt.do(t, "RPUSH", "other", "a")
	bt.do(t, "RENAME", "other", "tmp")
	bt.do(t, "DEL", "tmp")
	w.stillBlocked(t)
	bt.do(t, "RPUSH", "chg2", "w")
	bt.check(t, "served after delete", w.result(t).val, []string{"chg2", "w"})
}

// unblock: CLIENT UNBLOCK answers the timeout reply or an error.
func (bt *blockTest) unblock(t *testing.T) {
	w := bt.block(t, blpop(bt, "ub"))
	bt.check(t, "CLIENT UNBLOCK", bt.do(t, "CLIENT", "UNBLOCK", w.id), int64(1))
	if r := w.result(t); !errors.Is(r.err, redis.Nil) {
		t.Errorf("unblocked with TIMEOUT: got %#v %v, want a null reply", r.val, r.err)
	}
	bt.check(t, "CLIENT UNBLOCK of a client not blocked", bt.do(t, "CLIENT", "UNBLOCK", w.id), int64(0))

	w = bt.block(t, func(c *redis.Conn) (any, error) {
		return c.BLMove(bt.ctx, "ub", "ub2", "LEFT", "LEFT", blockWait).Result()
	})
	bt.check(t, "CLIENT UNBLOCK ERROR", bt.do(t, "CLIENT", "UNBLOCK", w.id, "ERROR"), int64(1))
	if r := w.result(t); r.err == nil || r.err.Error() != "UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Errorf("unblocked with ERROR: got %#v %v", r.val, r.err)
	}
	bt.do(t, "RPUSH", "ub", "x")
	bt.check(t, "nothing taken by unblocked clients", bt.do(t, "LRANGE", "ub", 0, -1), []any{"x"})
}

// pipelined: replies to the commands before a blocking one arrive while it
// waits; commands sent while it waits run after it, in order.
func (bt *blockTest) pipelined(t *testing.T) {
	rc := mustDial(t, bt.tg)
	if bt.proto == 3 {
		if _, err := rc.Do("HELLO", "3"); err != nil {
			t.Fatal(err)
		}
	}
	idReply, err := rc.Do("CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	fmt.Sscanf(string(idReply), ":%d", &id)
	var batch []byte
	batch = append(batch, encodeCommand("PING")...)
	batch = append(batch, encodeCommand("BLPOP", "pipe", "5")...)
	batch = append(batch, encodeCommand("ECHO", "queued")...)
	if err := rc.Write(batch); err != nil {
		t.Fatal(err)
	}
	if r, err := rc.ReadReply(); err != nil || string(r) != "+PONG\r\n" {
		t.Fatalf("PING before BLPOP: %q %v", r, err)
	}
	bt.waitBlocked(t, id)
	if err := rc.Write([]byte("ECHO typed\r\n")); err != nil { // inline, sent while blocked
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	bt.do(t, "RPUSH", "pipe", "v")
	for _, want := range []string{"*2\r\n$4\r\npipe\r\n$1\r\nv\r\n", "$6\r\nqueued\r\n", "$5\r\ntyped\r\n"} {
		if r, err := rc.ReadReply(); err != nil || string(r) != want {
			t.Errorf("got %q %v, want %q", r, err, want)
		}
	}

	// The null reply of a timeout, on the wire.
	want := map[int]string{2: "*-1\r\n", 3: "_\r\n"}[bt.proto]
	for _, args := range [][]string{{"BLPOP", "pipe", "0.01"}, {"BLMOVE", "pipe", "x", "LEFT", "LEFT", "0.01"},
		{"BLMPOP", "0.01", "1", "pipe", "LEFT"}} {
		if r, err := rc.Do(args...); err != nil || string(r) != want {
			t.Errorf("%v: got %q %v, want %q", args, r, err, want)
		}
	}
}
