package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nebredis/nebredis/internal/testenv"
)

// Each client test runs the same scenario against redis-server and nebredis:
// a failure on redis too means the test is wrong, on nebredis only that
// nebredis is.

// clientTimeout bounds every external client run.
const clientTimeout = 60 * time.Second

func TestGoRedis(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				pair.flush(t)
				goRedisScenario(t, tg, proto)
			})
		}
	}
}

func goRedisScenario(t *testing.T, tg *target, proto int) {
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: tg.addr, Protocol: proto, MaxRetries: -1,
		DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	defer rdb.Close()
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", what, got, want)
		}
	}
	noErr := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}

	check("PING", rdb.Ping(ctx).Val(), "PONG")
	noErr("SET", rdb.Set(ctx, "a", "1", 0).Err())
	v, err := rdb.Get(ctx, "a").Result()
	noErr("GET", err)
	check("GET a", v, "1")
	_, err = rdb.Get(ctx, "missing").Result()
	check("GET missing is redis.Nil", errors.Is(err, redis.Nil), true)

	check("INCR", rdb.Incr(ctx, "n").Val(), int64(1))
	check("INCRBY", rdb.IncrBy(ctx, "n", 10).Val(), int64(11))
	check("DECR", rdb.Decr(ctx, "n").Val(), int64(10))
	f, err := rdb.IncrByFloat(ctx, "fl", 2.5).Result()
	noErr("INCRBYFLOAT", err)
	check("INCRBYFLOAT", f, 2.5)
	_, err = rdb.Incr(ctx, "fl").Result()
	check("INCR on a float is an error", err != nil && strings.HasPrefix(err.Error(), "ERR value is not an integer"), true)

	noErr("MSET", rdb.MSet(ctx, "x", "1", "y", "2").Err())
	vals, err := rdb.MGet(ctx, "x", "y", "missing").Result()
	noErr("MGET", err)
	check("MGET", vals, []any{"1", "2", nil})

	noErr("SET EX", rdb.Set(ctx, "e", "v", 100*time.Second).Err())
	check("TTL after SET EX", rdb.TTL(ctx, "e").Val(), 100*time.Second)
	check("EXPIRE", rdb.Expire(ctx, "e", 50*time.Second).Val(), true)
	check("TTL after EXPIRE", rdb.TTL(ctx, "e").Val(), 50*time.Second)
	pttl := rdb.PTTL(ctx, "e").Val()
	check("PTTL within (49s, 50s]", pttl > 49*time.Second && pttl <= 50*time.Second, true)
	check("TTL without expiry", rdb.TTL(ctx, "a").Val(), time.Duration(-1))
	check("TTL missing", rdb.TTL(ctx, "missing").Val(), time.Duration(-2))
	check("EXPIRE missing", rdb.Expire(ctx, "missing", time.Second).Val(), false)
	check("PERSIST", rdb.Persist(ctx, "e").Val(), true)
	check("TYPE", rdb.Type(ctx, "a").Val(), "string")
	check("EXISTS", rdb.Exists(ctx, "a", "x", "missing").Val(), int64(2))
	check("SETNX", rdb.SetNX(ctx, "a", "2", 0).Val(), false)
	check("GETSET", rdb.GetSet(ctx, "a", "3").Val(), "1")
	check("GETDEL", rdb.GetDel(ctx, "a").Val(), "3")
	check("APPEND", rdb.Append(ctx, "ap", "hello").Val(), int64(5))
	check("STRLEN", rdb.StrLen(ctx, "ap").Val(), int64(5))
	check("GETRANGE", rdb.GetRange(ctx, "ap", 1, 3).Val(), "ell")

	// SCAN over more keys than one call returns.
	want := map[string]bool{}
	pipe := rdb.Pipeline()
	for i := 0; i < 300; i++ {
		k := "s:" + strconv.Itoa(i)
		want[k] = true
		pipe.Set(ctx, k, i, 0)
	}
	_, err = pipe.Exec(ctx)
	noErr("pipelined SETs", err)
	got := map[string]bool{}
	it := rdb.Scan(ctx, 0, "s:*", 17).Iterator()
	for it.Next(ctx) {
		got[it.Val()] = true
	}
	noErr("SCAN", it.Err())
	check("SCAN found every s:* key", got, want)

	// Pipeline: replies come back in order.
	pipe = rdb.Pipeline()
	incrs := make([]*redis.IntCmd, 100)
	for i := range incrs {
		incrs[i] = pipe.Incr(ctx, "p")
	}
	get := pipe.Get(ctx, "p")
	_, err = pipe.Exec(ctx)
	noErr("pipeline", err)
	for i, c := range incrs {
		if c.Val() != int64(i+1) {
			t.Errorf("pipelined INCR %d: got %d", i, c.Val())
			break
		}
	}
	check("pipelined GET", get.Val(), "100")

	// Connection-scoped state needs a dedicated connection.
	conn := rdb.Conn()
	noErr("CLIENT SETNAME", conn.ClientSetName(ctx, "e2e-client").Err())
	check("CLIENT GETNAME", conn.ClientGetName(ctx).Val(), "e2e-client")
	conn.Close()
	// A client for another database SELECTs it when it connects.
	db2 := redis.NewClient(&redis.Options{Addr: tg.addr, Protocol: proto, DB: 2, MaxRetries: -1})
	noErr("SET in db 2", db2.Set(ctx, "only2", "v", 0).Err())
	check("DBSIZE db 2", db2.DBSize(ctx).Val(), int64(1))
	db2.Close()
	check("db 0 lacks only2", rdb.Exists(ctx, "only2").Val(), int64(0))

	cfg, err := rdb.ConfigGet(ctx, "maxmemory-policy").Result()
	noErr("CONFIG GET", err)
	check("CONFIG GET maxmemory-policy", cfg, map[string]string{"maxmemory-policy": "noeviction"})

	info, err := rdb.Info(ctx).Result()
	noErr("INFO", err)
	check("INFO has a Server section", strings.Contains(info, "# Server\r\n"), true)
	check("INFO has a Keyspace section", strings.Contains(info, "# Keyspace\r\n"), true)
	check("INFO reports db0 keys", regexp.MustCompile(`(?m)^db0:keys=\d+,expires=\d+`).MatchString(info), true)

	_, err = rdb.Do(ctx, "NOSUCHCOMMAND", "x").Result()
	check("unknown command error", fmt.Sprint(err), "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ")
	check("DBSIZE", rdb.DBSize(ctx).Val(), int64(307))
	noErr("FLUSHDB", rdb.FlushDB(ctx).Err())
	check("DBSIZE after FLUSHDB", rdb.DBSize(ctx).Val(), int64(0))
}

// pythonWithRedis finds a python3 that can import redis: the first python3
// on PATH may be a private interpreter without python3-redis, so Debian's
// /usr/bin/python3 is tried too.
func pythonWithRedis(t *testing.T) (path, version string) {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		out, err := exec.Command(p, "-c", "import redis; print(redis.__version__)").Output()
		if err == nil {
			return p, strings.TrimSpace(string(out))
		}
	}
	testenv.Missing(t, "no python3 with the redis module (apt-get install python3-redis)")
	return "", ""
}

const redisPyScript = `
import json, sys, redis
port, proto = int(sys.argv[1]), int(sys.argv[2])
kw = {"protocol": 3} if proto == 3 else {}
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=True, **kw)
out = {}
out["ping"] = r.ping()
out["set"] = r.set("a", "1")
out["get"] = r.get("a")
out["get_missing"] = r.get("missing")
out["incr"] = r.incr("n")
out["incrby"] = r.incrby("n", 5)
out["incrbyfloat"] = r.incrbyfloat("f", 1.5)
out["mset"] = r.mset({"x": "1", "y": "2"})
out["mget"] = r.mget("x", "y", "missing")
out["expire"] = r.expire("a", 100)
out["ttl"] = r.ttl("a")
out["exists"] = r.exists("a", "x", "missing")
out["type"] = r.type("a")
for i in range(120):
    r.set("s:%d" % i, i)
out["scan_iter"] = len(set(r.scan_iter(match="s:*", count=13)))
p = r.pipeline(transaction=False)
for i in range(50):
    p.incr("p")
p.get("p")
res = p.execute()
out["pipeline_first"], out["pipeline_last"] = res[0], res[-1]
try:
    r.execute_command("NOSUCHCOMMAND", "x")
    out["error"] = None
except redis.exceptions.ResponseError as e:
    out["error"] = str(e)
out["delete"] = r.delete("a", "x", "missing")
out["dbsize"] = r.dbsize()
print(json.dumps(out, sort_keys=True))
`

func TestRedisPy(t *testing.T) {
	python, version := pythonWithRedis(t)
	t.Logf("%s, redis-py %s", python, version)
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	want := map[string]any{
		"ping": true, "set": true, "get": "1", "get_missing": nil, "incr": 1.0, "incrby": 6.0,
		"incrbyfloat": 1.5, "mset": true, "mget": []any{"1", "2", nil}, "expire": true, "ttl": 100.0,
		"exists": 2.0, "type": "string", "scan_iter": 120.0, "pipeline_first": 1.0, "pipeline_last": "50",
		"error": "unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ", "delete": 2.0, "dbsize": 124.0,
	}
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				if proto == 3 && major < 5 {
					t.Skipf("redis-py %s has no RESP3 (protocol=3 needs 5.0)", version)
				}
				pair.flush(t)
				checkJSONFields(t, runRedisPy(t, python, redisPyScript, tg.port(), strconv.Itoa(proto)), want)
			})
		}
	}
}

// runCLI runs a Debian client binary with a time limit and returns its
// combined output.
func runCLI(t *testing.T, bin string, stdin []byte, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s timed out after %v", bin, clientTimeout)
	}
	return string(out), err
}

// TestRedisCLI runs redis-cli the ways people do, against both servers, and
// requires identical output.
func TestRedisCLI(t *testing.T) {
	cli := testenv.LookPath(t, "redis-cli")
	pair := startPair(t)
	run := func(t *testing.T, tg *target, stdin []byte, args ...string) string {
		out, err := runCLI(t, cli, stdin, append([]string{"-h", "127.0.0.1", "-p", tg.port()}, args...)...)
		if err != nil {
			t.Errorf("redis-cli %v against %s: %v\n%s", args, tg.name, err, out)
		}
		return out
	}

	t.Run("commands", func(t *testing.T) {
		pair.flush(t)
		invocations := [][]string{
			{"PING"}, {"SET", "a", "1"}, {"GET", "a"}, {"GET", "missing"}, {"INCR", "a"},
			{"MSET", "x", "1", "y", "2"}, {"MGET", "x", "y", "missing"}, {"EXPIRE", "x", "100"}, {"TTL", "x"},
			{"DEL", "x", "y"}, {"FOOBAR", "arg"}, {"GET"}, {"SET", "sp", "with space"}, {"GET", "sp"},
			{"--no-raw", "GET", "sp"}, {"--no-raw", "MGET", "a", "missing"}, {"--no-raw", "INCR", "a"},
			{"--no-raw", "FOOBAR"}, {"-3", "GET", "missing"}, {"-3", "--no-raw", "GET", "missing"},
			{"-n", "1", "SET", "db1", "v"}, {"-n", "1", "DBSIZE"}, {"DBSIZE"}, {"-r", "3", "INCR", "rep"},
			{"--scan", "--pattern", "d*"},
		}
		for _, args := range invocations {
			want := run(t, pair.redis, nil, args...)
			got := run(t, pair.neb, nil, args...)
			if want != got {
				t.Errorf("redis-cli %s\n  redis:    %q\n  nebredis: %q", strings.Join(args, " "), want, got)
			}
		}
	})

	t.Run("interactive", func(t *testing.T) {
		// With stdin piped, redis-cli runs its REPL: it asks for COMMAND DOCS
		// first (for hints), then reads commands line by line.
		pair.flush(t)
		session := []byte("SET a 1\nGET a\nGET missing\nINCR a\nMGET a missing\nFOOBAR x\nSELECT 1\nDBSIZE\nPING\nquit\n")
		want := run(t, pair.redis, session)
		got := run(t, pair.neb, session)
		if want != got {
			t.Errorf("interactive session\n  redis:    %q\n  nebredis: %q", want, got)
		}
		if strings.Contains(got, "ERR") && !strings.Contains(want, "ERR") {
			t.Errorf("redis-cli printed an error against nebredis: %q", got)
		}
	})

	t.Run("pipe", func(t *testing.T) {
		const n = 100000
		var stream bytes.Buffer
		for i := 0; i < n; i++ {
			k := "key:" + strconv.Itoa(i)
			stream.Write(encodeCommand("SET", k, "value:"+strconv.Itoa(i)))
		}
		for _, tg := range []*target{pair.redis, pair.neb} {
			pair.flush(t)
			out := run(t, tg, stream.Bytes(), "--pipe")
			if !strings.Contains(out, "errors: 0, replies: "+strconv.Itoa(n)) {
				t.Errorf("redis-cli --pipe against %s: %q", tg.name, out)
			}
			c := mustDial(t, tg)
			r, err := c.Do("DBSIZE")
			if err != nil || string(r) != ":"+strconv.Itoa(n)+"\r\n" {
				t.Errorf("DBSIZE after --pipe on %s: %q %v", tg.name, r, err)
			}
			r, err = c.Do("GET", "key:99999")
			if err != nil || string(r) != "$11\r\nvalue:99999\r\n" {
				t.Errorf("GET key:99999 after --pipe on %s: %q %v", tg.name, r, err)
			}
		}
	})
}

// benchSupported are the redis-benchmark tests nebredis must pass: the ones
// that use only strings and connection commands.
var benchSupported = []string{"ping_inline", "ping_mbulk", "set", "get", "incr", "mset"}

// benchDefault is redis-benchmark 7's default suite, by -t name.
var benchDefault = []string{"ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "rpush", "lpop", "rpop",
	"sadd", "hset", "spop", "zadd", "zpopmin", "lrange_100", "lrange_300", "lrange_500", "lrange_600", "mset"}

// benchResult matches the line redis-benchmark -q prints when a test ends.
var benchResult = regexp.MustCompile(`(?m)^\s*([A-Z_]+[^:]*): [0-9.]+ requests per second`)

// runBenchmark runs redis-benchmark on a few tests. It stops at the first
// error reply ("Error from server: ...", exit status 1), which is returned.
func runBenchmark(t *testing.T, bin string, tg *target, tests []string, args ...string) error {
	t.Helper()
	args = append([]string{"-h", "127.0.0.1", "-p", tg.port(), "-q", "-n", "2000", "-c", "10",
		"-t", strings.Join(tests, ",")}, args...)
	out, err := runCLI(t, bin, nil, args...)
	out = strings.ReplaceAll(out, "\r", "\n")
	if err != nil {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "Error") {
				return fmt.Errorf("%v: %s", err, strings.TrimSpace(line))
			}
		}
		return fmt.Errorf("%v: %s", err, out)
	}
	if n := len(benchResult.FindAllString(out, -1)); n < len(tests) {
		return fmt.Errorf("%d results for %d tests:\n%s", n, len(tests), out)
	}
	return nil
}

func TestRedisBenchmark(t *testing.T) {
	bin := testenv.LookPath(t, "redis-benchmark")
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		t.Run(tg.name, func(t *testing.T) {
			for _, pipeline := range []string{"1", "16"} {
				pair.flush(t)
				if err := runBenchmark(t, bin, tg, benchSupported, "-P", pipeline); err != nil {
					t.Errorf("redis-benchmark -P %s -t %s: %v", pipeline, strings.Join(benchSupported, ","), err)
				}
			}
			// The rest of the default suite needs lists, sets, sorted sets
			// and hashes. redis-benchmark gives up at the first error, so run
			// each test alone and log the ones that fail, failing only on
			// the string and connection tests.
			pair.flush(t)
			for _, test := range benchDefault {
				err := runBenchmark(t, bin, tg, []string{test})
				switch {
				case err == nil:
				case slices.Contains(benchSupported, test):
					t.Errorf("default suite, %s: %v", test, err)
				default:
					t.Logf("default suite, %s (not a string command yet): %v", test, err)
				}
			}
		})
	}
}

// runRedisPy runs a redis-py script with python and args (bounded by
// clientTimeout) and returns what it printed.
func runRedisPy(t *testing.T, python, script string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("redis-py script: %v\n%s%s", err, out, stderr.String())
	}
	return out
}

// checkJSONFields decodes a script's JSON object and compares the fields
// named in want.
func checkJSONFields(t *testing.T, out []byte, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("redis-py output %q: %v", out, err)
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s: got %#v, want %#v", k, got[k], w)
		}
	}
}
