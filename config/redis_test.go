package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/internal/testenv"
)

// redisServer starts redis-server 7 on a free loopback port with the
// settings nebredis deliberately chooses differently from redis-server's
// built-in defaults (bind loopback, no snapshots), and returns a connection.
func redisServer(t *testing.T, dir string) (*respConn, int) {
	t.Helper()
	// --appendonly no is redis-server's default too, so CONFIG GET still
	// compares defaults.
	port := testenv.RedisServer(t, "--dir", dir)
	nc, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &respConn{w: nc, r: bufio.NewReader(nc)}, port
}

// respConn is just enough of a RESP2 client for CONFIG GET/SET.
type respConn struct {
	w net.Conn
	r *bufio.Reader
}

// do sends a command and returns the reply: a string for simple strings
// and bulks, "-ERR ..." for errors, []string for arrays.
func (c *respConn) do(t *testing.T, args ...string) any {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.w.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	v, err := c.read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (c *respConn) read() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return line, nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([]string, 0, n)
		for i := 0; i < n; i++ {
			v, err := c.read()
			if err != nil {
				return nil, err
			}
			out = append(out, v.(string))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// configSetReply is the reply CONFIG SET gives for a SetMany result, as
// commands/ builds it from a *ParamError.
func configSetReply(err error) string {
	var pe *ParamError
	switch {
	case err == nil:
		return "OK"
	case errors.Is(err, ErrUnknownParam) && errors.As(err, &pe):
		return "-ERR Unknown option or number of arguments for CONFIG SET - '" + pe.Name + "'"
	case errors.As(err, &pe):
		return "-ERR CONFIG SET failed (possibly related to argument '" + pe.Name + "') - " + pe.Reason
	}
	return "-ERR " + err.Error()
}

// Our defaults print exactly what redis-server 7 prints for every
// parameter, given the same port, dir, bind and save.
func TestDefaultsMatchRedis(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rc, port := redisServer(t, dir)
	c := Default()
	c.Port = port
	c.Dir = dir
	for _, p := range Params() {
		for _, name := range p.names() {
			got := rc.do(t, "CONFIG", "GET", name)
			pair, ok := got.([]string)
			if !ok || len(pair) != 2 {
				t.Errorf("redis CONFIG GET %s = %q", name, got)
				continue
			}
			if ours := c.Get(name); len(ours) != 1 || ours[0] != [2]string(pair) {
				t.Errorf("CONFIG GET %s: redis %q, nebredis %q", name, pair, ours)
			}
		}
	}
}

// CONFIG SET replies and the values CONFIG GET prints afterwards match
// redis-server 7, for the parameters whose rules nebredis shares.
func TestSetMatchesRedis(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rc, port := redisServer(t, dir)
	c := Default()
	c.Port = port
	c.Dir = dir
	cases := [][]string{
		{"maxmemory", "1gb"}, {"maxmemory", "1GB"}, {"maxmemory", "100k"}, {"maxmemory", "5b"},
		{"maxmemory", "01"}, {"maxmemory", ""}, {"maxmemory", "gb"}, {"maxmemory", "foo"},
		{"maxmemory", "-1"}, {"maxmemory", "-0"}, {"maxmemory", "+5"}, {"maxmemory", " 5"},
		{"maxmemory", "1.5gb"}, {"maxmemory", "9223372036854775807"}, {"maxmemory", "0"},
		{"MAXMEMORY", "7mb"},
		{"maxmemory-policy", "ALLKEYS-LRU"}, {"maxmemory-policy", "volatile-ttl"}, {"maxmemory-policy", "bad"}, {"maxmemory-policy", "allkeys-lfu"}, {"maxmemory-policy", "noeviction"},
		{"maxmemory-samples", "0"}, {"maxmemory-samples", "10"}, {"maxmemory-samples", "1k"},
		{"maxmemory-clients", "10%"}, {"maxmemory-clients", "0%"}, {"maxmemory-clients", "100%"}, {"maxmemory-clients", "101%"},
		{"maxmemory-clients", "1gb"}, {"maxmemory-clients", "1.5gb"}, {"maxmemory-clients", "-1"}, {"maxmemory-clients", "-1%"},
		{"maxmemory-clients", "05%"}, {"maxmemory-clients", "+5%"}, {"maxmemory-clients", " 10%"}, {"maxmemory-clients", "1k%"},
		{"maxmemory-clients", "%"}, {"maxmemory-clients", "18446744073709551615"}, {"maxmemory-clients", "18446744073709551516"},
		{"maxmemory-clients", "18446744073709551515"}, {"maxmemory-clients", "9223372036854775808"}, {"maxmemory-clients", ""},
		{"maxmemory-eviction-tenacity", "101"}, {"maxmemory-eviction-tenacity", "-1"}, {"maxmemory-eviction-tenacity", "05"},
		{"maxmemory-eviction-tenacity", ""}, {"maxmemory-eviction-tenacity", "0"}, {"maxmemory-eviction-tenacity", "100"},
		{"appendfsync", "bad"}, {"appendfsync", "ALWAYS"}, {"appendonly", "maybe"}, {"appendonly", "no"},
		{"timeout", "-1"}, {"timeout", "abc"}, {"timeout", "1.5"}, {"timeout", "000"}, {"timeout", "1k"}, {"timeout", "25"},
		{"hz", "0"}, {"hz", "1000"}, {"hz", "-1"}, {"hz", "10"},
		{"loglevel", "bad"}, {"loglevel", "WARNING"}, {"loglevel", "verbose"},
		{"maxclients", "0"}, {"maxclients", "abc"}, {"maxclients", "100"},
		{"save", "bad"}, {"save", "900"}, {"save", "900 1 300 10"}, {"save", "0 1"}, {"save", ""},
		{"protected-mode", "maybe"}, {"protected-mode", "no"},
		{"proto-max-bulk-len", "10"}, {"proto-max-bulk-len", "1gb"},
		{"client-query-buffer-limit", ""}, {"client-query-buffer-limit", "1"}, {"client-query-buffer-limit", "5gb"},
		{"client-output-buffer-limit", "pubsub 1mb 512kb 60"}, {"client-output-buffer-limit", "normal 1 2"},
		{"client-output-buffer-limit", "master 1 2 3"}, {"client-output-buffer-limit", "PUBSUB 1 2 3"},
		{"client-output-buffer-limit", "replica 1k 2kb 3 normal 4 5 6"}, {"client-output-buffer-limit", "pubsub 1 2 -1"},
		{"client-output-buffer-limit", "pubsub 1 2 4294967296"}, {"client-output-buffer-limit", "pubsub 1 2 2147483648"},
		{"client-output-buffer-limit", "pubsub -1 2 3"}, {"client-output-buffer-limit", "pubsub 1 2 +5"},
		{"client-output-buffer-limit", "pubsub 1 2 5x"}, {"client-output-buffer-limit", "pubsub 1 2.5 5"},
		{"client-output-buffer-limit", ""}, {"client-output-buffer-limit", "slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "Ex"}, {"notify-keyspace-events", "AKEm"},
		{"notify-keyspace-events", "nd"}, {"notify-keyspace-events", "Kg$lshzxetdn"}, {"notify-keyspace-events", "q"},
		{"notify-keyspace-events", "KEAn"}, {"notify-keyspace-events", "gg$"}, {"notify-keyspace-events", ""},
		{"tcp-keepalive", "-1"}, {"tcp-keepalive", "60"},
		{"slowlog-max-len", "-1"}, {"slowlog-max-len", "0"},
		{"slowlog-log-slower-than", "-5"}, {"slowlog-log-slower-than", "-1"},
		{"databases", "3"}, {"daemonize", "yes"}, {"daemonize", "no"}, {"logfile", "x"}, {"dir", "/nonexistent"},
		{"nosuch", "1"},
		{"maxmemory", "1", "maxmemory", "2"},
		{"maxmemory", "1mb", "timeout", "abc"},
		{"maxmemory", "bad", "databases", "3"},
		{"nosuch", "1", "databases", "3"},
		{"maxmemory", "3mb", "hz", "20"},
	}
	for _, args := range cases {
		want := rc.do(t, append([]string{"CONFIG", "SET"}, args...)...)
		var pairs [][2]string
		for i := 0; i+1 < len(args); i += 2 {
			pairs = append(pairs, [2]string{args[i], args[i+1]})
		}
		if got := configSetReply(c.SetMany(pairs)); got != want {
			t.Errorf("CONFIG SET %q: redis %q, nebredis %q", args, want, got)
		}
		for _, kv := range pairs {
			want := fmt.Sprint(rc.do(t, "CONFIG", "GET", kv[0]))
			var flat []string
			for _, kv := range c.Get(kv[0]) {
				flat = append(flat, kv[0], kv[1])
			}
			if got := fmt.Sprint(flat); got != want {
				t.Errorf("after CONFIG SET %q, CONFIG GET %s: redis %q, nebredis %q", args, kv[0], want, got)
			}
		}
	}
}
