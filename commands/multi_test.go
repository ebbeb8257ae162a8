package commands

import (
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
)

// TestWatchRegistryForgetsSessions: whichever way a session's watch ends
// (EXEC, DISCARD, UNWATCH, RESET, a queueing error then EXEC, the
// connection closing), the registry keeps nothing of it.
func TestWatchRegistryForgetsSessions(t *testing.T) {
	ts := newTestServer(t, config.Default())
	ends := [][]string{
		{"multi", "exec"},
		{"multi", "discard"},
		{"unwatch"},
		{"reset"},
		{"multi", "nosuch", "exec"},
		{"exec x"},
		{}, // closed below
	}
	var sessions []*Session
	for _, end := range ends {
		sess := ts.srv.NewSession("127.0.0.1:1", "127.0.0.1:2", nil)
		sessions = append(sessions, sess)
		if got := ts.do(sess, "watch", "k1", "k2", "k1"); got != "+OK\r\n" {
			t.Fatalf("WATCH: %q", got)
		}
		ts.do(sess, "select", "3")
		ts.do(sess, "watch", "k1")
		for _, cmd := range end {
			ts.do(sess, cmd)
		}
	}
	ts.srv.CloseSession(sessions[len(sessions)-1])
	r := &ts.srv.tx.watches
	if n := r.n.Load(); n != 0 {
		t.Errorf("%d watched keys left in the registry", n)
	}
	if len(r.keys) != 0 {
		t.Errorf("registry keeps %v", r.keys)
	}
	for _, sess := range sessions {
		if len(sess.tx.watched) != 0 || sess.tx.multi || len(sess.tx.queue) != 0 {
			t.Errorf("session %d keeps transaction state: %+v", sess.ID, sess.tx.watched)
		}
		ts.srv.CloseSession(sess)
	}
}

// TestQueuedArgumentsAreCopies: the dispatcher's arguments alias the
// connection's read buffer, which the next request overwrites; a queued
// command must run with the arguments it was sent.
func TestQueuedArgumentsAreCopies(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	ts.do(sess, "multi")
	buf := []byte("setkeyval")
	args := [][]byte{buf[0:3:3], buf[3:6:6], buf[6:9:9]}
	rec := &respRecorder{sess: sess}
	ts.srv.Exec(sess, args, rec)
	if string(rec.b) != "+QUEUED\r\n" {
		t.Fatalf("SET in MULTI: %q", rec.b)
	}
	copy(buf, "getxxxyyy")
	if got := ts.do(sess, "exec"); got != "*1\r\n+OK\r\n" {
		t.Fatalf("EXEC: %q", got)
	}
	if got := ts.do(sess, "get", "key"); got != rBulk("val") {
		t.Fatalf("GET key: %q", got)
	}
}

// TestExecStats: a queued command's error is its own failed call, not
// EXEC's; EXECABORT is EXEC's; refusals while queueing are rejected calls.
func TestExecStats(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	for _, cmd := range []string{"set s abc", "multi", "incr s", "get s", "exec",
		"multi", "get", "exec"} {
		ts.do(sess, cmd)
	}
	stats := ts.do(sess, "info", "commandstats")
	for _, want := range []string{
		"cmdstat_exec:calls=2,", "cmdstat_incr:calls=1,",
		"cmdstat_get:calls=1,",
	} {
		if !strings.Contains(stats, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, stats)
		}
	}
	for _, line := range strings.Split(stats, "\r\n") {
		switch {
		case strings.HasPrefix(line, "cmdstat_exec:") && !strings.HasSuffix(line, "rejected_calls=0,failed_calls=1"),
			strings.HasPrefix(line, "cmdstat_incr:") && !strings.HasSuffix(line, "failed_calls=1"),
			strings.HasPrefix(line, "cmdstat_get:") && !strings.HasSuffix(line, "rejected_calls=1,failed_calls=0"):
			t.Errorf("unexpected counts: %s", line)
		}
	}
	errs := ts.do(sess, "info", "errorstats")
	for _, want := range []string{"errorstat_ERR:count=2", "errorstat_EXECABORT:count=1"} {
		if !strings.Contains(errs, want) {
			t.Errorf("INFO errorstats lacks %q:\n%s", want, errs)
		}
	}
}

// TestClientListTransactionFields: flags x while in MULTI, d once a
// watched key was touched; multi= counts the queued commands and
// multi-mem their arguments as Redis does (bytes + 8 per argument).
func TestClientListTransactionFields(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	other, _ := ts.session("127.0.0.1:2")
	field := func(name string) string {
		line := ts.do(sess, "client", "info")
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, name+"="); ok {
				return v
			}
		}
		t.Fatalf("CLIENT INFO has no %s: %q", name, line)
		return ""
	}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}
	check("flags", field("flags"), "N")
	check("multi", field("multi"), "-1")
	ts.do(sess, "watch", "w")
	ts.do(other, "set", "w", "1")
	check("flags after a touch", field("flags"), "d")
	ts.do(sess, "multi")
	ts.do(sess, "client", "list")
	ts.do(sess, "ping")
	line := ts.do(other, "client", "list")
	for _, want := range []string{" flags=xd ", " multi=2 ", " multi-mem=38 ", " cmd=ping "} {
		if !strings.Contains(line, want) {
			t.Errorf("CLIENT LIST lacks %q:\n%s", want, line)
		}
	}
	ts.do(sess, "discard")
	check("flags after DISCARD", field("flags"), "N")
	check("multi after DISCARD", field("multi"), "-1")
	check("multi-mem after DISCARD", field("multi-mem"), "0")
}

// TestBlockingInsideExec: a blocking pop queued in MULTI pops when it
// can and otherwise answers at once with its timeout reply.
func TestBlockingInsideExec(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	got := ts.do(sess, "multi")
	got += ts.do(sess, "rpush", "l", "a")
	got += ts.do(sess, "blpop", "l", "0")
	got += ts.do(sess, "blpop", "l", "0")
	got += ts.do(sess, "exec")
	want := "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n:1\r\n*2\r\n" + rBulk("l") + rBulk("a") + "*-1\r\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestExecKillsItself: CLIENT KILL of the client's own connection inside
// EXEC closes it after the reply; the commands after it run, but their
// replies are dropped (Redis's close-after-reply).
func TestExecKillsItself(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	ts.do(sess, "multi")
	ts.do(sess, "client", "kill", "id", itoa(sess.ID), "skipme", "no")
	ts.do(sess, "set", "after", "1")
	got, act := ts.exec(sess, "exec")
	if got != "*2\r\n:1\r\n" || act != Close {
		t.Fatalf("EXEC: %q, action %v; want %q and Close", got, act, "*2\r\n:1\r\n")
	}
	other, _ := ts.session("127.0.0.1:2")
	if got := ts.do(other, "get", "after"); got != rBulk("1") {
		t.Fatalf("the command after CLIENT KILL did not run: GET after = %q", got)
	}
}
