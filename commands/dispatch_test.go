package commands

import (
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
)

func TestDispatchErrors(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	b100 := strings.Repeat("b", 100)
	a200 := strings.Repeat("a", 200)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"foo", "a", "b"}, "ERR unknown command 'foo', with args beginning with: 'a' 'b' "},
		{[]string{"foo"}, "ERR unknown command 'foo', with args beginning with: "},
		{[]string{""}, "ERR unknown command '', with args beginning with: "},
		// The argument list stops once 128 bytes of it are shown, and the
		// last argument shown is cut to fit.
		{[]string{"foo", b100, b100, "c"},
			"ERR unknown command 'foo', with args beginning with: '" + b100 + "' '" + strings.Repeat("b", 25) + "' "},
		{[]string{"foo", b100, "cc", "dd", "e"},
			"ERR unknown command 'foo', with args beginning with: '" + b100 + "' 'cc' 'dd' 'e' "},
		{[]string{a200, "x"}, "ERR unknown command '" + a200[:128] + "', with args beginning with: 'x' "},
		// Line breaks would break the protocol: they become spaces.
		{[]string{"foo", "a\nb", "c"}, "ERR unknown command 'foo', with args beginning with: 'a b' 'c' "},
		{[]string{"client", "x"}, "ERR unknown subcommand 'x'. Try CLIENT HELP."},
		{[]string{"Client", a200}, "ERR unknown subcommand '" + a200[:128] + "'. Try CLIENT HELP."},
		{[]string{"slowlog", "x"}, "ERR unknown subcommand 'x'. Try SLOWLOG HELP."},
		{[]string{"get"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"GET", "a", "b"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"client"}, "ERR wrong number of arguments for 'client' command"},
		{[]string{"client", "setname"}, "ERR wrong number of arguments for 'client|setname' command"},
		{[]string{"CLIENT", "SETNAME", "a", "b"}, "ERR wrong number of arguments for 'client|setname' command"},
		{[]string{"config", "get"}, "ERR wrong number of arguments for 'config|get' command"},
		{[]string{"ping", "a", "b"}, "ERR wrong number of arguments for 'ping' command"},
		{[]string{"slowlog", "get", "1", "2"}, "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP."},
		{[]string{"SlowLog", "GET", "1", "2"}, "ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."},
	}
	for _, tt := range tests {
		if got := ts.do(sess, tt.args...); got != rErr(tt.want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.args, got, rErr(tt.want))
		}
	}
}

func TestDispatchCaseInsensitive(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	for _, name := range []string{"ping", "PING", "Ping", "pInG"} {
		if got := ts.do(sess, name); got != "+PONG\r\n" {
			t.Errorf("%s: got %q", name, got)
		}
	}
	if got := ts.do(sess, "CLIENT", "ID"); got != ":"+itoa(sess.ID)+"\r\n" {
		t.Errorf("CLIENT ID: got %q", got)
	}
}

func TestDispatchAuth(t *testing.T) {
	cfg := config.Default()
	cfg.RequirePass = "secret"
	ts := newTestServer(t, cfg)
	sess, _ := ts.session("127.0.0.1:5000")
	steps := []struct {
		args []string
		want string
	}{
		// Existence and arity come before authentication, as in Redis.
		{[]string{"foo", "a"}, rErr("ERR unknown command 'foo', with args beginning with: 'a' ")},
		{[]string{"get"}, rErr("ERR wrong number of arguments for 'get' command")},
		{[]string{"get", "k"}, rErr(ErrNoAuth)},
		{[]string{"ping"}, rErr(ErrNoAuth)},
		{[]string{"client", "id"}, rErr(ErrNoAuth)},
		{[]string{"hello"}, rErr(errHelloNoAuth)},
		{[]string{"hello", "3"}, rErr(errHelloNoAuth)},
		{[]string{"hello", "2", "auth", "default", "bad"}, rErr(ErrInvalidPass)},
		{[]string{"hello", "2", "auth", "bob", "secret"}, rErr(ErrInvalidPass)},
		{[]string{"auth", "bad"}, rErr(ErrInvalidPass)},
		{[]string{"auth", "a", "b", "c"}, rErr(ErrSyntax)},
		{[]string{"auth", "secret"}, "+OK\r\n"},
		{[]string{"ping"}, "+PONG\r\n"},
		{[]string{"reset"}, "+RESET\r\n"},
		{[]string{"ping"}, rErr(ErrNoAuth)},
		{[]string{"auth", "default", "secret"}, "+OK\r\n"},
		{[]string{"get", "k"}, "$-1\r\n"},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}

	// HELLO with AUTH authenticates and switches protocol in one step.
	s2, _ := ts.session("127.0.0.1:5001")
	got := ts.do(s2, "hello", "3", "auth", "default", "secret")
	if !strings.HasPrefix(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n") || !s2.Authenticated || s2.Proto != 3 {
		t.Errorf("HELLO 3 AUTH: got %q, authenticated %v, proto %d", got, s2.Authenticated, s2.Proto)
	}

	// Removing requirepass at runtime lets unauthenticated sessions in;
	// setting it again keeps sessions that were in.
	s3, _ := ts.session("127.0.0.1:5002")
	if got := ts.do(sess, "config", "set", "requirepass", ""); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET requirepass: %q", got)
	}
	if got := ts.do(s3, "ping"); got != "+PONG\r\n" {
		t.Errorf("after clearing requirepass: %q", got)
	}
	if got := ts.do(s3, "auth", "x"); got != rErr(errAuthNoPassword) {
		t.Errorf("AUTH without password: %q", got)
	}
}

func TestDispatchOOM(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	if got := ts.do(sess, "set", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	if got := ts.do(sess, "config", "set", "maxmemory", "1", "maxmemory-policy", "noeviction"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	if got := ts.do(sess, "set", "k2", "v"); got != rErr(ErrOOM) {
		t.Errorf("SET over maxmemory: got %q", got)
	}
	// Commands that are not denyoom still run.
	if got := ts.do(sess, "get", "k"); got != rBulk("v") {
		t.Errorf("GET over maxmemory: got %q", got)
	}
	if got := ts.do(sess, "del", "k"); got != ":1\r\n" {
		t.Errorf("DEL over maxmemory: got %q", got)
	}
	stats := ts.srv.Info([]byte("commandstats"))
	if !strings.Contains(stats, "cmdstat_set:calls=1,") || !strings.Contains(stats, "rejected_calls=1,failed_calls=0") {
		t.Errorf("commandstats after OOM:\n%s", stats)
	}
}

func TestCommandStats(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	ts.do(sess, "ping")
	ts.do(sess, "ping")
	ts.do(sess, "ping", "a", "b") // failed: PING checks its own arity, as in Redis
	ts.do(sess, "echo")           // rejected: arity
	ts.do(sess, "select", "x")    // failed: error reply
	ts.do(sess, "client", "setname", "a")
	ts.do(sess, "nosuch") // no row: not counted per command
	info := ts.srv.Info([]byte("commandstats"))
	for _, want := range []string{
		"# Commandstats\r\n",
		"cmdstat_ping:calls=3,usec=",
		",rejected_calls=0,failed_calls=1\r\n",
		"cmdstat_echo:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n",
		"cmdstat_select:calls=1,",
		"rejected_calls=0,failed_calls=1\r\n",
		"cmdstat_client|setname:calls=1,",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, info)
		}
	}
	if strings.Contains(info, "nosuch") || strings.Contains(info, "cmdstat_get") {
		t.Errorf("INFO commandstats shows commands never called:\n%s", info)
	}
	stats := ts.srv.Info([]byte("stats"))
	if !strings.Contains(stats, "total_commands_processed:5\r\n") {
		t.Errorf("total_commands_processed: %s", stats)
	}
	errs := ts.srv.Info([]byte("errorstats"))
	if errs != "# Errorstats\r\nerrorstat_ERR:count=4\r\n" {
		t.Errorf("errorstats: %q", errs)
	}
	if got := ts.do(sess, "config", "resetstat"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	got := ts.srv.Info([]byte("commandstats"))
	if !strings.HasPrefix(got, "# Commandstats\r\ncmdstat_config|resetstat:calls=1,") || strings.Count(got, "cmdstat_") != 1 {
		t.Errorf("after RESETSTAT: %q", got)
	}
}

func TestKeyspaceHitsMisses(t *testing.T) {
	ts := newTestServer(t, config.Default())
	ts.srv.Hit()
	ts.srv.Hit()
	ts.srv.Miss()
	info := ts.srv.Info([]byte("stats"))
	if !strings.Contains(info, "keyspace_hits:2\r\n") || !strings.Contains(info, "keyspace_misses:1\r\n") {
		t.Errorf("INFO stats:\n%s", info)
	}
}

func TestSlowlog(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	ts.do(sess, "client", "setname", "me")
	ts.do(sess, "config", "set", "slowlog-log-slower-than", "0")
	ts.do(sess, "echo", strings.Repeat("x", 130))
	ts.do(sess, "get") // rejected by the dispatcher: not logged
	ts.do(sess, "auth", "secret-password")
	got := ts.do(sess, "slowlog", "get", "2")
	// Newest first: AUTH (redacted), then ECHO (argument cut to 128 bytes).
	// Entry 0 is the CONFIG SET that enabled logging.
	want := "*2\r\n" +
		"*6\r\n:2\r\n:0\r\n:0\r\n*2\r\n$4\r\nauth\r\n$10\r\n(redacted)\r\n" +
		rBulk("127.0.0.1:5000") + rBulk("me") +
		"*6\r\n:1\r\n:0\r\n:0\r\n*2\r\n$4\r\necho\r\n" +
		rBulk(strings.Repeat("x", 128)+"... (2 more bytes)") + rBulk("127.0.0.1:5000") + rBulk("me")
	// Durations and timestamps vary: compare with those fields normalised.
	if norm := normaliseSlowlog(got); norm != want {
		t.Errorf("SLOWLOG GET 2:\n got %q\nwant %q", norm, want)
	}
	if got := ts.do(sess, "slowlog", "len"); got != ":4\r\n" {
		t.Errorf("SLOWLOG LEN: %q", got)
	}
	if got := ts.do(sess, "slowlog", "get", "-2"); got != rErr("ERR count should be greater than or equal to -1") {
		t.Errorf("SLOWLOG GET -2: %q", got)
	}
	if got := ts.do(sess, "slowlog", "reset"); got != "+OK\r\n" {
		t.Errorf("SLOWLOG RESET: %q", got)
	}
	// RESET itself is logged after it runs.
	if got := ts.do(sess, "slowlog", "len"); got != ":1\r\n" {
		t.Errorf("SLOWLOG LEN after RESET: %q", got)
	}

	// Long commands keep 31 arguments and a summary of the rest.
	long := []string{"echo"}
	for i := 0; i < 39; i++ {
		long = append(long, "z")
	}
	ts.srv.slowlog.add(toBytes(long), sess.Created, 0, "a", "")
	newest := ts.srv.slowlog.newest(1)[0]
	if len(newest.args) != 32 || string(newest.args[31]) != "... (9 more arguments)" {
		t.Errorf("long command logged as %d args, last %q", len(newest.args), newest.args[len(newest.args)-1])
	}

	// slowlog-max-len bounds the log; -1 disables logging.
	ts.do(sess, "config", "set", "slowlog-max-len", "2")
	for i := 0; i < 5; i++ {
		ts.do(sess, "ping")
	}
	if got := ts.do(sess, "slowlog", "len"); got != ":2\r\n" {
		t.Errorf("SLOWLOG LEN with max-len 2: %q", got)
	}
	ts.do(sess, "config", "set", "slowlog-log-slower-than", "-1")
	ts.do(sess, "slowlog", "reset")
	ts.do(sess, "ping")
	if got := ts.do(sess, "slowlog", "len"); got != ":0\r\n" {
		t.Errorf("SLOWLOG LEN when disabled: %q", got)
	}
}

// normaliseSlowlog sets every entry's timestamp and duration to 0, so
// that replies can be compared.
func normaliseSlowlog(reply string) string {
	lines := strings.Split(reply, "\r\n")
	for i := 0; i+3 < len(lines); i++ {
		if lines[i] == "*6" && strings.HasPrefix(lines[i+1], ":") {
			lines[i+2], lines[i+3] = ":0", ":0"
		}
	}
	return strings.Join(lines, "\r\n")
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestOpsMeter(t *testing.T) {
	var m opsMeter
	const ms = int64(1e6)
	if r := m.rate(0, 0); r != 0 {
		t.Errorf("empty meter: %d", r)
	}
	// 1000 ops every 100ms: 10000 ops/s.
	for i := int64(0); i <= 20; i++ {
		m.maybeSample(i*100*ms, i*1000)
	}
	if r := m.rate(2050*ms, 20500); r < 9000 || r > 11000 {
		t.Errorf("rate = %d, want about 10000", r)
	}
	// Idle for a minute: the rate falls to about zero.
	if r := m.rate(62000*ms, 20500); r > 100 {
		t.Errorf("idle rate = %d", r)
	}
}

// A nested Exec (as EXEC runs queued commands) must not clobber the
// caller's Ctx.
func TestNestedExec(t *testing.T) {
	ts := newTestServer(t, config.Default())
	ts.srv.Table.Add(&Command{Name: "twice", Arity: 2, Group: "server", Since: "0", Summary: "x", Complexity: "O(1)",
		Handler: func(c *Ctx) {
			arg := c.Args[1]
			c.W.WriteArray(2)
			c.Srv.Exec(c.Sess, [][]byte{[]byte("echo"), []byte("inner")}, c.W)
			c.W.WriteBulk(c.Args[1])
			if &c.Args[1][0] != &arg[0] || c.Cmd.Name != "twice" {
				c.W.WriteError("clobbered")
			}
		}})
	sess, _ := ts.session("127.0.0.1:5000")
	if got := ts.do(sess, "twice", "outer"); got != "*2\r\n"+rBulk("inner")+rBulk("outer") {
		t.Errorf("got %q", got)
	}
}
