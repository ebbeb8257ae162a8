package commands

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/internal/testenv"
)

// redisServer runs a real redis-server on a free loopback port for the
// length of the test and returns its address.
func redisServer(t *testing.T, extra ...string) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(testenv.RedisServer(t, extra...))
}

// rawClient sends commands to a real server and returns each reply's
// bytes exactly as they arrived.
type rawClient struct {
	conn net.Conn
	rd   *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawClient{conn: c, rd: bufio.NewReader(c)}
}

func (rc *rawClient) do(args []string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = rc.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := rc.conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	var out strings.Builder
	err := rc.readReply(&out)
	return out.String(), err
}

// readReply copies one RESP2/RESP3 reply to out.
func (rc *rawClient) readReply(out *strings.Builder) error {
	line, err := rc.rd.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(line[1:], "\r\n"))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.rd, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>':
		for i := 0; i < n; i++ {
			if err := rc.readReply(out); err != nil {
				return err
			}
		}
	case '%':
		for i := 0; i < 2*n; i++ {
			if err := rc.readReply(out); err != nil {
				return err
			}
		}
	}
	return nil
}

// diffStep is one command of a differential script: arguments separated
// by spaces, "”" for an empty one and "␣" for a space inside one; a
// trailing " -" means "run it, compare nothing".
type diffStep = string

func splitStep(s diffStep) ([]string, bool) {
	check := true
	if strings.HasSuffix(s, " -") {
		s, check = strings.TrimSuffix(s, " -"), false
	}
	args := strings.Split(s, " ")
	for i, a := range args {
		if a == "''" {
			a = ""
		}
		args[i] = strings.ReplaceAll(a, "␣", " ")
	}
	return args, check
}

// runDiff sends every step to redis-server and to nebredis and reports
// every reply that differs in a single byte.
func runDiff(t *testing.T, addr string, cfg config.Config, steps []diffStep) {
	t.Helper()
	rc := dialRaw(t, addr)
	ts := newTestServer(t, cfg)
	sess, _ := ts.session("127.0.0.1:5000")
	for _, st := range steps {
		args, check := splitStep(st)
		start := time.Now()
		want, err := rc.do(args)
		if d := time.Since(start); d > time.Second {
			t.Logf("redis-server took %v for %q", d, args)
		}
		if err != nil {
			t.Fatalf("redis-server, %q: %v", args, err)
		}
		got := ts.do(sess, args...)
		if check && got != want {
			t.Errorf("%q:\n nebredis %q\n    redis %q", args, got, want)
		}
	}
}

func TestDifferentialConnectionAndServer(t *testing.T) {
	addr := redisServer(t)
	long := strings.Repeat("b", 100)
	x45 := strings.Repeat("x", 45)
	steps := []diffStep{
		"ping", "ping hello", "ping a b", "PING", "echo x", "echo", "echo ''",
		"select 1", "select 16", "select x", "select -1", "select 01", "select 0",
		"foo a b", "foo", "'' a", "foo " + long + " " + long + " c", strings.Repeat("a", 200) + " x", "foo a\nb c",
		"client x", "CLIENT X", "client", "client setname", "client setname a b", "client setname a␣b", "client id x",
		"get", "GET a b",
		"auth x", "auth a b c", "auth default x", "auth bob x",
		"hello 4", "hello 1", "hello x", "hello 3 setname", "hello 3 auth a", "hello 2 setname a b", "hello 2 foo",
		"client setname conn", "client getname", "client setname ''", "client getname",
		"client no-evict on", "client no-evict OFF", "client no-evict x", "client no-evict",
		"client kill 1.2.3.4:5", "client kill id x", "client kill id 0", "client kill a b", "client kill maxage 1",
		"client kill id 5 skipme x", "client kill id 5 skipme", "client kill id", "client kill type x",
		"client kill addr 1.1.1.1:1", "client kill laddr 1.1.1.1:1", "client kill skipme yes",
		"client list type x", "client list id x", "client list x", "client list id 99999",
		"command info nosuch", "command info client|list", "command info client|id", "command info client|kill",
		"command info memory|usage", "command info object|encoding", "command info object|help",
		"command info config|get", "command info config|set", "command info slowlog|get", "command info slowlog|len",
		"command info ping", "command info echo", "command info select", "command info auth", "command info hello",
		"command info reset", "command info quit", "command info dbsize", "command info flushdb", "command info flushall",
		"command info time", "command info swapdb", "command info lastsave", "command info shutdown", "command info info",
		"command info command|docs", "command info command|getkeys", "command info command|list",
		"command docs nosuch", "command docs ping", "command docs echo", "command docs select", "command docs auth",
		"command docs hello", "command docs reset", "command docs quit", "command docs client|setname",
		"command docs client|list", "command docs client|kill", "command docs client|no-evict",
		"command docs dbsize", "command docs flushall", "command docs time", "command docs swapdb", "command docs lastsave",
		"command docs shutdown", "command docs info", "command docs object|freq", "command docs memory|usage",
		"command docs config|get", "command docs config|set", "command docs slowlog|get", "command docs command|list",
		"command docs command|info",
		"command getkeys", "command getkeys get", "command getkeys foo a", "command getkeys get a b",
		"command getkeys client list", "command getkeys client x", "command getkeys memory usage k",
		"command getkeys object encoding k", "command getkeys mset a b c d", "command getkeysandflags memory usage k",
		"command list x", "command list filterby", "command list filterby x y", "command list filterby module x",
		"command help", "command help x", "command count x",
		"slowlog help", "object help", "memory help", "config help",
		"slowlog get x", "slowlog get -2", "slowlog get 1 2", "slowlog x", "slowlog len x",
		"object", "object x", "object encoding", "object encoding nokey", "object freq nokey",
		"object refcount nokey", "object idletime nokey",
		"set k 123 -", "object encoding k", "object refcount k", "object freq k",
		"set k 99999 -", "object refcount k", "object encoding k",
		"set k 0123 -", "object encoding k", "set k -1 -", "object encoding k", "set k +1 -", "object encoding k",
		"set k " + x45[:44] + " -", "object encoding k", "set k " + x45 + " -", "object encoding k",
		"memory usage nokey", "memory usage k x", "memory usage k samples x", "memory usage k samples",
		"memory usage k samples -1", "memory x", "memory usage", "memory stats x", "memory doctor x",
		"dbsize", "dbsize x", "flushdb a b", "flushdb x", "flushall x",
		"swapdb 0 x", "swapdb x 0", "swapdb 0 99", "swapdb -1 0", "swapdb 0 1", "dbsize", "swapdb 0 1", "dbsize",
		"shutdown x", "shutdown abort", "shutdown nosave abort", "shutdown nosave save",
		"config set nosuch 1", "config set maxmemory bogus", "config set maxmemory-policy bogus",
		"config set hz 11 hz 12", "config set a b c", "config set hz", "config set daemonize no", "config set dir /tmp",
		"config get", "config get nosuch", "config get maxmemory", "config get MAXMEMORY", "config get appendonly",
		"config get maxmemory-policy", "config set maxmemory 1mb maxmemory-policy allkeys-lru", "config get maxmemory",
		"config set maxmemory 0 maxmemory-policy noeviction", "config rewrite", "config resetstat x", "config x",
		"info nosuch", "time x", "lastsave x",
		"flushall sync", "dbsize", "flushdb async",
		"reset", "client getname",
		// RESP3.
		"hello 3 -",
		"ping", "echo x", "client getname", "object encoding nokey", "memory usage nokey", "info nosuch",
		"command info memory|usage", "command info client|list", "command info nosuch",
		"command docs ping", "command docs hello", "command docs client|kill", "command docs nosuch",
		"config get maxmemory", "config get nosuch", "client list id 99999",
		"command getkeysandflags memory usage k",
		"reset", "ping",
	}
	cfg := config.Default()
	runDiff(t, addr, cfg, steps)
}

func TestDifferentialAuth(t *testing.T) {
	addr := redisServer(t, "--requirepass", "secret")
	cfg := config.Default()
	cfg.RequirePass = "secret"
	runDiff(t, addr, cfg, []diffStep{
		"foo a", "get", "get k", "ping", "client id", "hello", "hello 3",
		"hello 2 auth default bad", "hello 2 auth bob secret", "auth bad", "auth a b c", "auth bob secret",
		"auth secret", "ping", "reset", "ping", "auth default secret", "get k",
		"reset", "hello 3 auth default secret -", "ping", "client getname",
	})
}
