package e2e

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestTransactions runs MULTI/EXEC and WATCH through go-redis against
// redis-server and nebredis: TxPipeline results, an optimistic-lock
// counter incremented by racing clients, atomicity as another client sees
// it, and blocked clients around an EXEC. The concurrent scenarios run
// once per server (RESP2); they are about the server, not the protocol.
func TestTransactions(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				pair.flush(t)
				bt := newBlockTest(t, tg, proto)
				t.Run("TxPipeline", bt.txPipeline)
				t.Run("BlockedAroundExec", bt.blockedAroundExec)
				if proto == 2 {
					t.Run("WatchRetry", bt.watchRetry)
					t.Run("Atomic", bt.atomicExec)
				}
			})
		}
	}
}

func (bt *blockTest) txPipeline(t *testing.T) {
	ctx, rdb := bt.ctx, bt.ctl
	bt.do(t, "DEL", "tx:n", "tx:s", "tx:l")
	pipe := rdb.TxPipeline()
	incr := pipe.Incr(ctx, "tx:n")
	incrBy := pipe.IncrBy(ctx, "tx:n", 10)
	set := pipe.Set(ctx, "tx:s", "v", 0)
	get := pipe.Get(ctx, "tx:s")
	push := pipe.RPush(ctx, "tx:l", "a", "b")
	lrange := pipe.LRange(ctx, "tx:l", 0, -1)
	cmds, err := pipe.Exec(ctx)
	if err != nil {
		t.Fatalf("TxPipeline Exec: %v", err)
	}
	bt.check(t, "commands run", len(cmds), 6)
	bt.check(t, "INCR", incr.Val(), int64(1))
	bt.check(t, "INCRBY", incrBy.Val(), int64(11))
	bt.check(t, "SET", set.Val(), "OK")
	bt.check(t, "GET", get.Val(), "v")
	bt.check(t, "RPUSH", push.Val(), int64(2))
	bt.check(t, "LRANGE", lrange.Val(), []string{"a", "b"})

	// A command failing at run time fails alone; the others run.
	pipe = rdb.TxPipeline()
	bad := pipe.Incr(ctx, "tx:s")
	good := pipe.Incr(ctx, "tx:n")
	_, err = pipe.Exec(ctx)
	bt.check(t, "EXEC reports the first error", fmt.Sprint(err), "ERR value is not an integer or out of range")
	bt.check(t, "INCR on a string", fmt.Sprint(bad.Err()), "ERR value is not an integer or out of range")
	bt.check(t, "INCR after it", good.Val(), int64(12))

	// A queueing error aborts everything.
	pipe = rdb.TxPipeline()
	pipe.Incr(ctx, "tx:n")
	pipe.Do(ctx, "NOSUCHCOMMAND")
	_, err = pipe.Exec(ctx)
	bt.check(t, "EXECABORT", err != nil, true)
	bt.check(t, "nothing ran", bt.do(t, "GET", "tx:n"), "12")

	// TxPipelined with WATCH: a write by another client aborts it.
	conn := bt.client(t).Conn()
	defer conn.Close()
	if err := conn.Do(ctx, "WATCH", "tx:n").Err(); err != nil {
		t.Fatalf("WATCH: %v", err)
	}
	bt.do(t, "INCR", "tx:n")
	_, err = conn.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "tx:n")
		return nil
	})
	bt.check(t, "EXEC after a touch", err, redis.TxFailedErr)
	bt.check(t, "the transaction did not run", bt.do(t, "GET", "tx:n"), "13")
}

// watchRetry: 8 clients each add 1 to a counter 200 times with WATCH,
// GET, MULTI, SET, EXEC, retrying when EXEC fails, while two other
// clients INCR it 200 times each: a lost update would show in the total.
func (bt *blockTest) watchRetry(t *testing.T) {
	const (
		workers = 8
		each    = 200
		writers = 2
	)
	ctx := bt.ctx
	rdb := redis.NewClient(&redis.Options{Addr: bt.tg.addr, Protocol: bt.proto, MaxRetries: -1,
		PoolSize: workers + writers, DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second})
	defer rdb.Close()
	key := "watch:counter"
	bt.do(t, "DEL", key)
	increment := func() (retries int, err error) {
		for {
			err := rdb.Watch(ctx, func(tx *redis.Tx) error {
				n, err := tx.Get(ctx, key).Int()
				if err != nil && !errors.Is(err, redis.Nil) {
					return err
				}
				_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, key, n+1, 0)
					return nil
				})
				return err
			}, key)
			if !errors.Is(err, redis.TxFailedErr) {
				return retries, err
			}
			retries++
		}
	}
	var wg sync.WaitGroup
	var retries atomic.Int64
	errs := make(chan error, workers+writers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				r, err := increment()
				retries.Add(int64(r))
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := rdb.Incr(ctx, key).Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("client error: %v", err)
	}
	t.Logf("%d EXECs aborted by a touch and retried", retries.Load())
	bt.check(t, "counter", bt.do(t, "GET", key), strconv.Itoa((workers+writers)*each))
}

// atomicExec: two clients run MULTI; INCR a; INCR b; EXEC over and over
// (a and b live on different shards) while two others read MGET a b: no
// reader may ever see a transaction half done.
func (bt *blockTest) atomicExec(t *testing.T) {
	const txs = 1500
	ctx := bt.ctx
	rdb := redis.NewClient(&redis.Options{Addr: bt.tg.addr, Protocol: bt.proto, MaxRetries: -1,
		PoolSize: 4, DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second})
	defer rdb.Close()
	a, b := "atomic:{x}a", "atomic:b"
	bt.do(t, "DEL", a, b)
	var writers, readers sync.WaitGroup
	var done atomic.Bool
	var torn, reads atomic.Int64
	errs := make(chan error, 4)
	for range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for range txs {
				_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Incr(ctx, a)
					p.Incr(ctx, b)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for !done.Load() {
				v, err := rdb.MGet(ctx, a, b).Result()
				if err != nil {
					errs <- err
					return
				}
				reads.Add(1)
				if v[0] != v[1] {
					if torn.Add(1) == 1 {
						t.Errorf("MGET saw a transaction half done: %v", v)
					}
				}
			}
		}()
	}
	writers.Wait()
	done.Store(true)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("client error: %v", err)
	}
	if n := torn.Load(); n > 0 {
		t.Errorf("%d of %d reads saw a half-done transaction", n, reads.Load())
	}
	bt.check(t, "a", bt.do(t, "GET", a), strconv.Itoa(2*txs))
	bt.check(t, "b", bt.do(t, "GET", b), strconv.Itoa(2*txs))
}

// blockedAroundExec: a client blocked on a key does not hold up another
// client's EXEC, and keys the transaction fills are served to it after
// the transaction, not between its commands.
func (bt *blockTest) blockedAroundExec(t *testing.T) {
	ctx := bt.ctx
	bt.do(t, "DEL", "bx:l")
	w := bt.block(t, blpop(bt, "bx:l"))
	var llen *redis.IntCmd
	var lrange *redis.StringSliceCmd
	_, err := bt.ctl.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, "bx:l", "a", "b")
		llen = p.LLen(ctx, "bx:l")
		lrange = p.LRange(ctx, "bx:l", 0, -1)
		return nil
	})
	if err != nil {
		t.Fatalf("EXEC while a client is blocked: %v", err)
	}
	bt.check(t, "LLEN inside EXEC", llen.Val(), int64(2))
	bt.check(t, "LRANGE inside EXEC", lrange.Val(), []string{"a", "b"})
	r := w.result(t)
	bt.check(t, "the blocked client's pop", r.val, []string{"bx:l", "a"})
	bt.check(t, "left after it", bt.do(t, "LRANGE", "bx:l", "0", "-1"), []any{"b"})
}

// redisPyTxScript uses redis-py's transactions: pipeline() (transaction
// by default) and transaction() with WATCH, which retries on WatchError.
const redisPyTxScript = `
import json, sys, threading, redis
port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=True)
out = {}
p = r.pipeline()
p.set("py:a", "1").incr("py:a").incrby("py:a", 5).get("py:a").rpush("py:l", "x", "y").lrange("py:l", 0, -1)
out["pipeline"] = p.execute()
p = r.pipeline()
p.set("py:s", "str").incr("py:s").get("py:s")
out["runtime_error"] = [str(x) if isinstance(x, Exception) else x for x in p.execute(raise_on_error=False)]
attempts = [0]
def add_one(pipe):
    attempts[0] += 1
    n = int(pipe.get("py:counter") or 0)
    if attempts[0] == 1:
        r.set("py:counter", 100)  # another client's write: this attempt must fail
    pipe.multi()
    pipe.set("py:counter", n + 1)
    pipe.get("py:counter")
out["transaction"] = r.transaction(add_one, "py:counter")
out["attempts"] = attempts[0]
def worker():
    for _ in range(50):
        r.transaction(lambda pipe: (lambda n: (pipe.multi(), pipe.set("py:c2", n + 1)))(int(pipe.get("py:c2") or 0)), "py:c2")
threads = [threading.Thread(target=worker) for _ in range(4)]
for th in threads: th.start()
for th in threads: th.join()
out["concurrent"] = r.get("py:c2")
print(json.dumps(out, sort_keys=True))
`

func TestRedisPyTransactions(t *testing.T) {
	python, version := pythonWithRedis(t)
	t.Logf("%s, redis-py %s", python, version)
	want := map[string]any{
		"pipeline":      []any{true, 2.0, 7.0, "7", 2.0, []any{"x", "y"}},
		"runtime_error": []any{true, "value is not an integer or out of range", "str"},
		"transaction":   []any{true, "101"},
		"attempts":      2.0,
		"concurrent":    "200",
	}
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		t.Run(tg.name, func(t *testing.T) {
			pair.flush(t)
			checkJSONFields(t, runRedisPy(t, python, redisPyTxScript, tg.port()), want)
		})
	}
}
