package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// durabilitySuite measures what persistence costs and gives back: SET
// throughput with the append-only file fsynced on every write and once a
// second, and how long a server takes after a SHUTDOWN to come back with
// every key it had.
type durabilitySuite struct{}

func (durabilitySuite) Name() string { return "durability" }

// appendOnly are the persistence directives of the durability suite.
func appendOnly(fsync string) []string {
	return []string{"--save", "", "--appendonly", "yes", "--appendfsync", fsync}
}

// restartTimeout bounds one server's wait to come back after a restart.
const restartTimeout = 10 * time.Minute

func (s durabilitySuite) Run(ctx context.Context, e *env) ([]row, error) {
	var rows []row
	for _, fsync := range []string{"always", "everysec"} {
		r, err := s.setThroughput(ctx, e, fsync)
		rows = append(rows, r)
		if err != nil {
			return rows, err
		}
	}
	r, err := s.restart(ctx, e)
	return append(rows, r), err
}

// setThroughput runs redis-benchmark -t set against both servers with the
// append-only file on and the given appendfsync, in rounds.
func (s durabilitySuite) setThroughput(ctx context.Context, e *env, fsync string) (row, error) {
	rw := row{Suite: s.Name(), Test: "SET appendfsync " + fsync, Metric: requestsPerSecond}
	servers := make(map[serverKind]*server)
	for _, k := range bothKinds {
		dir, err := e.newDir("aof-" + fsync + "-" + string(k))
		if err != nil {
			return rw, err
		}
		srv, err := e.startServer(ctx, k, dir, appendOnly(fsync)...)
		if err != nil {
			return rw, err
		}
		defer srv.stop()
		servers[k] = srv
	}
	load := benchmarkLoad{Test: "set", Clients: e.sizes.Clients, Requests: e.sizes.Requests, Pipeline: 1,
		Keyspace: e.sizes.Keyspace}
	for r := 0; r < e.sizes.Rounds; r++ {
		for _, k := range roundOrder(r) {
			o := rw.outcome(k)
			if o.Missing != "" {
				continue
			}
			res, err := e.runBenchmark(ctx, servers[k], load)
			if errors.Is(err, errRefused) {
				e.logf("durability: %s refused %s: %s", k, rw.Test, brief(err))
				o.Missing = "unsupported"
				continue
			}
			if err != nil {
				return rw, err
			}
			o.add(res.RPS)
			o.P50ms = append(o.P50ms, res.P50ms)
			o.P99ms = append(o.P99ms, res.P99ms)
		}
		e.logf("durability round %d/%d %s: redis %s, nebredis %s", r+1, e.sizes.Rounds, rw.Test,
			lastRPS(rw.Redis), lastRPS(rw.Nebredis))
	}
	// Every round wrote keys with the AOF on: a server whose directory
	// is still empty paid nothing for durability, and its numbers say so.
	for _, k := range bothKinds {
		if o := rw.outcome(k); o.measured() {
			n, err := servers[k].dataBytes()
			if err != nil {
				return rw, err
			}
			if n == 0 {
				o.Note = "wrote nothing to its dir"
			}
		}
	}
	return rw, nil
}

// restart loads the keys into a server with appendonly yes (appendfsync
// everysec), SHUTDOWNs it, starts it again on the same directory and times
// how long, from the new process's start, DBSIZE takes to reach the key
// count again.
func (s durabilitySuite) restart(ctx context.Context, e *env) (row, error) {
	keys := e.sizes.Keys
	rw := row{Suite: s.Name(), Test: fmt.Sprintf("restart with %s keys (appendonly)", countLabel(keys)), Metric: restartSeconds}
	for r := 0; r < e.sizes.Rounds; r++ {
		for _, k := range roundOrder(r) {
			o := rw.outcome(k)
			if o.Missing != "" {
				continue // a server that lost its keys once would lose them again
			}
			took, after, err := e.timeRestart(ctx, k, keys)
			if err != nil {
				return rw, err
			}
			if after != int64(keys) {
				o.Missing = fmt.Sprintf("not durable (DBSIZE after restart = %d)", after)
				e.logf("durability round %d/%d restart: %s came back with %d of %d keys", r+1, e.sizes.Rounds, k, after, keys)
				continue
			}
			o.add(took.Seconds())
			e.logf("durability round %d/%d restart: %s has its %d keys back after %v", r+1, e.sizes.Rounds, k, keys,
				took.Round(time.Millisecond))
		}
	}
	return rw, nil
}

// timeRestart runs one load, shutdown and restart of a server of kind k.
// It returns how long the restarted server took to hold every key, or,
// for a server that answers DBSIZE with fewer keys and still has fewer
// after RestartGrace, that count.
func (e *env) timeRestart(ctx context.Context, k serverKind, keys int) (took time.Duration, dbsize int64, err error) {
	dir, err := e.newDir("restart-" + string(k))
	if err != nil {
		return 0, 0, err
	}
	directives := appendOnly("everysec")
	first, err := e.startServer(ctx, k, dir, directives...)
	if err != nil {
		return 0, 0, err
	}
	if err := loadStrings(ctx, first.client, keys); err != nil {
		first.stop()
		return 0, 0, fmt.Errorf("load %s: %w", k, err)
	}
	if n, err := first.client.DBSize(ctx).Result(); err != nil || n != int64(keys) {
		first.stop()
		return 0, 0, fmt.Errorf("%s holds %d keys after loading %d (%v)", k, n, keys, err)
	}
	if err := first.shutdown(ctx, 2*time.Minute); err != nil {
		return 0, 0, err
	}

	start := time.Now()
	second, err := e.spawnServer(k, dir, directives...)
	if err != nil {
		return 0, 0, err
	}
	defer second.stop()
	var shortSince time.Time // when DBSIZE first answered with too few keys
	for {
		n, err := second.client.DBSize(ctx).Result()
		switch {
		case err == nil && n == int64(keys):
			return time.Since(start), n, nil
		case err == nil:
			if shortSince.IsZero() {
				shortSince = time.Now()
			} else if time.Since(shortSince) > e.sizes.RestartGrace {
				return 0, n, nil
			}
		case redis.IsLoadingError(err):
			// Still reading its files: answering, not ready.
		case !second.running():
			return 0, 0, fmt.Errorf("%s exited while restarting: %s", k, second.logTail())
		}
		if ctx.Err() != nil {
			return 0, 0, ctx.Err()
		}
		if time.Since(start) > restartTimeout {
			return 0, 0, fmt.Errorf("%s restarted with %d keys did not have them back within %v", k, keys, restartTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
