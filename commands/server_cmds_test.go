package commands

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

func TestServerCommands(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"dbsize"}, ":0\r\n"},
		{[]string{"set", "a", "1"}, "+OK\r\n"},
		{[]string{"set", "b", "2"}, "+OK\r\n"},
		{[]string{"dbsize"}, ":2\r\n"},
		{[]string{"dbsize", "x"}, rErr("ERR wrong number of arguments for 'dbsize' command")},
		{[]string{"swapdb", "0", "1"}, "+OK\r\n"},
		{[]string{"dbsize"}, ":0\r\n"},
		{[]string{"select", "1"}, "+OK\r\n"},
		{[]string{"dbsize"}, ":2\r\n"},
		{[]string{"swapdb", "0", "x"}, rErr("ERR invalid second DB index")},
		{[]string{"swapdb", "x", "0"}, rErr("ERR invalid first DB index")},
		{[]string{"swapdb", "0", "99"}, rErr(ErrDBIndex)},
		{[]string{"swapdb", "-1", "0"}, rErr(ErrDBIndex)},
		{[]string{"flushdb", "a", "b"}, rErr(ErrSyntax)},
		{[]string{"flushdb", "x"}, rErr(ErrSyntax)},
		{[]string{"flushdb", "SYNC"}, "+OK\r\n"},
		{[]string{"dbsize"}, ":0\r\n"},
		{[]string{"set", "c", "3"}, "+OK\r\n"},
		{[]string{"select", "0"}, "+OK\r\n"},
		{[]string{"set", "d", "4"}, "+OK\r\n"},
		{[]string{"flushall", "x"}, rErr(ErrSyntax)},
		{[]string{"flushall", "async"}, "+OK\r\n"},
		{[]string{"dbsize"}, ":0\r\n"},
		{[]string{"time", "x"}, rErr("ERR wrong number of arguments for 'time' command")},
		{[]string{"lastsave", "x"}, rErr("ERR wrong number of arguments for 'lastsave' command")},
		{[]string{"shutdown", "x"}, rErr(ErrSyntax)},
		{[]string{"shutdown", "nosave", "save"}, rErr(ErrSyntax)},
		{[]string{"shutdown", "nosave", "abort"}, rErr(ErrSyntax)},
		{[]string{"shutdown", "abort"}, rErr("ERR No shutdown in progress.")},
		{[]string{"shutdown"}, rErr("ERR Errors trying to SHUTDOWN. Check logs.")},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}

	tm := regexp.MustCompile(`^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$`).FindStringSubmatch(ts.do(sess, "time"))
	if tm == nil {
		t.Fatalf("TIME reply malformed")
	}
	if secs, _ := strconv.ParseInt(tm[1], 10, 64); secs < time.Now().Unix()-5 || secs > time.Now().Unix()+5 {
		t.Errorf("TIME seconds %s", tm[1])
	}
	if us, _ := strconv.Atoi(tm[2]); us >= 1e6 {
		t.Errorf("TIME microseconds %s", tm[2])
	}
	ts.srv.SetLastSave(1234)
	if got := ts.do(sess, "lastsave"); got != ":1234\r\n" {
		t.Errorf("LASTSAVE: %q", got)
	}
}

func TestShutdown(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	calls := 0
	ts.srv.Shutdown = func() { calls++ }
	if out, act := ts.exec(sess, "shutdown", "NOSAVE", "now"); out != "" || act != Close || calls != 1 {
		t.Errorf("SHUTDOWN: reply %q, action %v, hook calls %d", out, act, calls)
	}
}

func TestObjectCommand(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	long := strings.Repeat("x", 45)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"object"}, rErr("ERR wrong number of arguments for 'object' command")},
		{[]string{"object", "x"}, rErr("ERR unknown subcommand 'x'. Try OBJECT HELP.")},
		{[]string{"object", "encoding"}, rErr("ERR wrong number of arguments for 'object|encoding' command")},
		{[]string{"object", "encoding", "nokey"}, "$-1\r\n"},
		{[]string{"object", "freq", "nokey"}, "$-1\r\n"},
		{[]string{"set", "k", "123"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("int")},
		{[]string{"object", "refcount", "k"}, ":2147483647\r\n"},
		{[]string{"object", "freq", "k"}, rErr("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")},
		{[]string{"object", "idletime", "k"}, ":0\r\n"},
		{[]string{"set", "k", "99999"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("int")},
		{[]string{"object", "refcount", "k"}, ":1\r\n"},
		{[]string{"set", "k", "-9223372036854775808"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("int")},
		{[]string{"set", "k", "9223372036854775808"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("embstr")},
		{[]string{"set", "k", "0123"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("embstr")},
		{[]string{"set", "k", "+1"}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("embstr")},
		{[]string{"set", "k", long[:44]}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("embstr")},
		{[]string{"set", "k", long}, "+OK\r\n"},
		{[]string{"object", "encoding", "k"}, rBulk("raw")},
		{[]string{"config", "set", "maxmemory-policy", "allkeys-lfu"}, "+OK\r\n"},
		{[]string{"object", "freq", "k"}, ":5\r\n"},
		{[]string{"object", "idletime", "k"}, rErr("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")},
		{[]string{"object", "help", "x"}, rErr("ERR wrong number of arguments for 'object|help' command")},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	help := ts.do(sess, "object", "help")
	if !strings.HasPrefix(help, "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n") {
		t.Errorf("OBJECT HELP: %q", help)
	}

	// Collections report Redis 7.0's encodings, converting for good once
	// a threshold is crossed.
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"rpush", "l", "a"}, ""}, {[]string{"object", "encoding", "l"}, rBulk("quicklist")},
		{[]string{"sadd", "s", "1", "2"}, ""}, {[]string{"object", "encoding", "s"}, rBulk("intset")},
		{[]string{"sadd", "s", "x"}, ""}, {[]string{"object", "encoding", "s"}, rBulk("hashtable")},
		{[]string{"srem", "s", "x"}, ""}, {[]string{"object", "encoding", "s"}, rBulk("hashtable")},
		{[]string{"hset", "h", "f", "v"}, ""}, {[]string{"object", "encoding", "h"}, rBulk("listpack")},
		{[]string{"hset", "h", "f", strings.Repeat("v", 65)}, ""}, {[]string{"object", "encoding", "h"}, rBulk("hashtable")},
		{[]string{"zadd", "z", "1", "m"}, ""}, {[]string{"object", "encoding", "z"}, rBulk("listpack")},
		{[]string{"config", "set", "zset-max-listpack-entries", "0"}, ""}, {[]string{"object", "encoding", "z"}, rBulk("skiplist")},
	} {
		if got := ts.do(sess, st.args...); st.want != "" && got != st.want {
			t.Errorf("%q: got %q, want %q", st.args, got, st.want)
		}
	}
}

func TestMemoryCommand(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	ts.do(sess, "set", "k", "v")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"memory", "usage"}, rErr("ERR wrong number of arguments for 'memory|usage' command")},
		{[]string{"memory", "usage", "nokey"}, "$-1\r\n"},
		{[]string{"memory", "usage", "k", "samples", "x"}, rErr(ErrNotInteger)},
		{[]string{"memory", "usage", "k", "samples", "-1"}, rErr(ErrSyntax)},
		{[]string{"memory", "usage", "k", "x"}, rErr(ErrSyntax)},
		{[]string{"memory", "usage", "k", "samples"}, rErr(ErrSyntax)},
		{[]string{"memory", "x"}, rErr("ERR unknown subcommand 'x'. Try MEMORY HELP.")},
		{[]string{"memory", "stats", "x"}, rErr("ERR wrong number of arguments for 'memory|stats' command")},
		{[]string{"memory", "purge"}, "+OK\r\n"},
		{[]string{"memory", "doctor"}, rBulk("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n")},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	usage := ts.do(sess, "memory", "usage", "k", "SAMPLES", "0")
	if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(usage, ":"), "\r\n")); err != nil || n <= 0 {
		t.Errorf("MEMORY USAGE k: %q", usage)
	}
	stats := ts.do(sess, "memory", "stats")
	for _, want := range []string{"*40\r\n" + rBulk("peak.allocated"), rBulk("keys.count") + ":1\r\n", rBulk("db.0") + "*4\r\n"} {
		if !strings.Contains(stats, want) {
			t.Errorf("MEMORY STATS lacks %q: %q", want, stats)
		}
	}
}

func TestInfo(t *testing.T) {
	cfg := config.Default()
	cfg.Port = 7777
	ts := newTestServer(t, cfg)
	sess, _ := ts.session("127.0.0.1:5000")
	ts.do(sess, "set", "k", "v")
	ts.do(sess, "set", "t", "v", "EX", "100")
	ts.do(sess, "select", "5")
	ts.do(sess, "set", "k", "v")

	sections := func(info string) []string {
		var out []string
		for _, l := range strings.Split(info, "\r\n") {
			if strings.HasPrefix(l, "# ") {
				out = append(out, l[2:])
			}
		}
		return out
	}
	body := func(reply string) string { return strings.TrimSuffix(reply[strings.Index(reply, "\r\n")+2:], "\r\n") }

	def := body(ts.do(sess, "info"))
	if got := strings.Join(sections(def), ","); got != "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Errorstats,Cluster,Keyspace" {
		t.Errorf("INFO sections: %s", got)
	}
	if got := strings.Join(sections(body(ts.do(sess, "info", "all"))), ","); got != "Server,Clients,Memory,Persistence,Stats,Replication,CPU,Modules,Commandstats,Errorstats,Cluster,Keyspace" {
		t.Errorf("INFO all sections: %s", got)
	}
	if got := strings.Join(sections(body(ts.do(sess, "info", "keyspace", "CPU"))), ","); got != "CPU,Keyspace" {
		t.Errorf("INFO keyspace cpu sections (Redis's order): %s", got)
	}
	if got := ts.do(sess, "info", "keyspace"); got != rBulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n") {
		t.Errorf("INFO keyspace: %q", got)
	}
	if got := ts.do(sess, "info", "nosuch"); got != rBulk("") {
		t.Errorf("INFO nosuch: %q", got)
	}
	for _, re := range []string{
		`(?m)^redis_version:7\.0\.15\r$`, `(?m)^redis_mode:standalone\r$`, `(?m)^tcp_port:7777\r$`,
		`(?m)^process_id:\d+\r$`, `(?m)^uptime_in_seconds:\d+\r$`, `(?m)^arch_bits:(32|64)\r$`, `(?m)^os:\S.*\r$`,
		`(?m)^connected_clients:1\r$`, `(?m)^maxclients:10000\r$`,
		`(?m)^used_memory:[1-9]\d*\r$`, `(?m)^used_memory_human:\d+(\.\d\d[KMGT]|B)\r$`, `(?m)^used_memory_rss:\d+\r$`,
		`(?m)^used_memory_peak:[1-9]\d*\r$`, `(?m)^maxmemory:0\r$`, `(?m)^maxmemory_human:0B\r$`,
		`(?m)^maxmemory_policy:noeviction\r$`, `(?m)^mem_fragmentation_ratio:\d+\.\d\d\r$`,
		`(?m)^aof_enabled:0\r$`, `(?m)^rdb_last_save_time:\d+\r$`,
		`(?m)^total_commands_processed:\d+\r$`, `(?m)^instantaneous_ops_per_sec:\d+\r$`,
		`(?m)^keyspace_hits:\d+\r$`, `(?m)^keyspace_misses:\d+\r$`, `(?m)^expired_keys:0\r$`, `(?m)^evicted_keys:0\r$`,
		`(?m)^role:master\r$`, `(?m)^connected_slaves:0\r$`,
		`(?m)^used_cpu_sys:\d+\.\d{6}\r$`, `(?m)^used_cpu_user:\d+\.\d{6}\r$`,
		`(?m)^cluster_enabled:0\r$`,
	} {
		if !regexp.MustCompile(re).MatchString(def) {
			t.Errorf("INFO lacks %s", re)
		}
	}
	// RESP3 clients get a verbatim string.
	ts.do(sess, "hello", "3")
	if got := ts.do(sess, "info", "cluster"); got != "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Errorf("INFO in RESP3: %q", got)
	}

	// Families may replace a section.
	ts.srv.SetInfoSection("cluster", func() []InfoField { return []InfoField{{"cluster_enabled", "1"}} })
	if got := ts.srv.Info([]byte("cluster")); got != "# Cluster\r\ncluster_enabled:1\r\n" {
		t.Errorf("replaced section: %q", got)
	}
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.00K", 1536: "1.50K",
		1 << 20: "1.00M", 3 << 30: "3.00G", 1 << 40: "1.00T"} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
}

func defaultSave() string {
	cfg := config.Default()
	return cfg.Get("save")[0][1]
}

func TestConfigCommand(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	changed := 0
	ts.srv.ConfigChanged = func(cfg config.Config) { changed++ }
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"config", "get"}, rErr("ERR wrong number of arguments for 'config|get' command")},
		{[]string{"config", "get", "nosuch"}, "*0\r\n"},
		// redis-benchmark asks for these two at start.
		{[]string{"config", "get", "save"}, "*2\r\n" + rBulk("save") + rBulk(defaultSave())},
		{[]string{"config", "get", "appendonly"}, "*2\r\n" + rBulk("appendonly") + rBulk("no")},
		{[]string{"config", "get", "MAXMEMORY"}, "*2\r\n" + rBulk("MAXMEMORY") + rBulk("0")},
		{[]string{"config", "set", "hz"}, rErr("ERR wrong number of arguments for 'config|set' command")},
		{[]string{"config", "set", "a", "b", "c"}, rErr(ErrSyntax)},
		{[]string{"config", "set", "nosuch", "1"}, rErr("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")},
		{[]string{"config", "set", "maxmemory", "x", "nosuch", "1"}, rErr("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")},
		{[]string{"config", "set", "maxmemory-policy", "bogus"}, rErr("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")},
		{[]string{"config", "set", "maxmemory", "bogus"}, rErr("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")},
		{[]string{"config", "set", "hz", "11", "hz", "12"}, rErr("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter")},
		{[]string{"config", "set", "daemonize", "no"}, rErr("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")},
		{[]string{"config", "set", "dir", "/tmp"}, rErr("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")},
		{[]string{"config", "set", "maxmemory", "1mb", "maxmemory-policy", "allkeys-lru"}, "+OK\r\n"},
		{[]string{"config", "get", "maxmemory"}, "*2\r\n" + rBulk("maxmemory") + rBulk("1048576")},
		{[]string{"config", "resetstat", "x"}, rErr("ERR wrong number of arguments for 'config|resetstat' command")},
		{[]string{"config", "rewrite"}, rErr("ERR The server is running without a config file")},
		{[]string{"config", "x"}, rErr("ERR unknown subcommand 'x'. Try CONFIG HELP.")},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	if max, policy := ts.srv.Engine.MaxMemory(); max != 1<<20 || policy != engine.AllKeysLRU {
		t.Errorf("engine maxmemory %d policy %v", max, policy)
	}
	if changed != 1 {
		t.Errorf("ConfigChanged called %d times", changed)
	}
	if got := ts.srv.Config().MaxMemoryPolicy; got != "allkeys-lru" {
		t.Errorf("config policy %q", got)
	}
	// Several patterns, one map.
	got := ts.do(sess, "config", "get", "maxmemory", "maxmemory-policy")
	if got != "*4\r\n"+rBulk("maxmemory")+rBulk("1048576")+rBulk("maxmemory-policy")+rBulk("allkeys-lru") {
		t.Errorf("CONFIG GET two names: %q", got)
	}
	ts.do(sess, "hello", "3")
	if got := ts.do(sess, "config", "get", "hz"); got != "%1\r\n"+rBulk("hz")+rBulk("10") {
		t.Errorf("CONFIG GET in RESP3: %q", got)
	}
	// requirepass is redacted in the slowlog.
	ts.do(sess, "config", "set", "slowlog-log-slower-than", "0")
	ts.do(sess, "config", "set", "requirepass", "hunter2")
	if got := ts.do(sess, "slowlog", "get", "1"); strings.Contains(got, "hunter2") || !strings.Contains(got, "(redacted)") {
		t.Errorf("SLOWLOG shows CONFIG SET requirepass as %q", got)
	}
}
