package commands

import (
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
)

// helloReply is HELLO's reply map as redis-server 7.0.15 sends it.
func helloReply(proto int, id int64) string {
	body := rBulk("server") + rBulk("redis") + rBulk("version") + rBulk(Version) +
		rBulk("proto") + ":" + itoa(int64(proto)) + "\r\n" + rBulk("id") + ":" + itoa(id) + "\r\n" +
		rBulk("mode") + rBulk("standalone") + rBulk("role") + rBulk("master") + rBulk("modules") + "*0\r\n"
	if proto == 3 {
		return "%7\r\n" + body
	}
	return "*14\r\n" + body
}

func TestConnectionCommands(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	id := sess.ID
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"ping"}, "+PONG\r\n"},
		{[]string{"ping", "hi"}, rBulk("hi")},
		{[]string{"echo", "a b"}, rBulk("a b")},
		{[]string{"echo"}, rErr("ERR wrong number of arguments for 'echo' command")},
		{[]string{"select", "1"}, "+OK\r\n"},
		{[]string{"select", "15"}, "+OK\r\n"},
		{[]string{"select", "16"}, rErr(ErrDBIndex)},
		{[]string{"select", "-1"}, rErr(ErrDBIndex)},
		{[]string{"select", "x"}, rErr(ErrNotInteger)},
		{[]string{"select", "01"}, rErr(ErrNotInteger)},
		{[]string{"auth", "x"}, rErr(errAuthNoPassword)},
		// Without requirepass the default user is "nopass": any password
		// in the two-argument form is accepted.
		{[]string{"auth", "default", "x"}, "+OK\r\n"},
		{[]string{"auth", "bob", "x"}, rErr(ErrInvalidPass)},
		{[]string{"hello"}, helloReply(2, id)},
		{[]string{"hello", "2"}, helloReply(2, id)},
		{[]string{"hello", "x"}, rErr("ERR Protocol version is not an integer or out of range")},
		{[]string{"hello", "1"}, rErr("NOPROTO unsupported protocol version")},
		{[]string{"hello", "4"}, rErr("NOPROTO unsupported protocol version")},
		{[]string{"hello", "3", "setname"}, rErr("ERR Syntax error in HELLO option 'setname'")},
		{[]string{"hello", "3", "auth", "a"}, rErr("ERR Syntax error in HELLO option 'auth'")},
		{[]string{"hello", "2", "setname", "a", "b"}, rErr("ERR Syntax error in HELLO option 'b'")},
		{[]string{"hello", "2", "foo"}, rErr("ERR Syntax error in HELLO option 'foo'")},
		{[]string{"hello", "2", "setname", "a b"}, rErr(errClientName)},
		{[]string{"hello", "3", "auth", "default", "x", "setname", "foo"}, helloReply(3, id)},
		// The session now speaks RESP3.
		{[]string{"client", "getname"}, rBulk("foo")},
		{[]string{"client", "setname", ""}, "+OK\r\n"},
		{[]string{"client", "getname"}, "_\r\n"},
		{[]string{"hello"}, helloReply(3, id)},
		{[]string{"hello", "2"}, helloReply(2, id)},
		{[]string{"client", "getname"}, "$-1\r\n"},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
}

func TestQuitAndReset(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	if out, act := ts.exec(sess, "quit"); out != "+OK\r\n" || act != Close {
		t.Errorf("QUIT: %q, %v", out, act)
	}
	var hooked *Session
	ts.srv.AddResetHook(func(s *Session) { hooked = s })
	ts.do(sess, "hello", "3", "setname", "n")
	ts.do(sess, "select", "3")
	ts.do(sess, "client", "no-evict", "on")
	ts.do(sess, "client", "setinfo", "lib-name", "go-redis")
	if out, act := ts.exec(sess, "reset"); out != "+RESET\r\n" || act != Continue {
		t.Errorf("RESET: %q, %v", out, act)
	}
	if sess.Proto != 2 || sess.DB != 0 || sess.Name != "" || sess.NoEvict || hooked != sess {
		t.Errorf("after RESET: proto %d db %d name %q noevict %v hook %v", sess.Proto, sess.DB, sess.Name, sess.NoEvict, hooked != nil)
	}
	if sess.LibName != "go-redis" {
		t.Errorf("RESET cleared lib-name (Redis keeps it): %q", sess.LibName)
	}
}

func TestSelectIsPerSession(t *testing.T) {
	ts := newTestServer(t, config.Default())
	a, _ := ts.session("127.0.0.1:5000")
	b, _ := ts.session("127.0.0.1:5001")
	ts.do(a, "select", "2")
	ts.do(a, "set", "k", "in2")
	if got := ts.do(b, "get", "k"); got != "$-1\r\n" {
		t.Errorf("db 0 sees db 2's key: %q", got)
	}
	ts.do(b, "select", "2")
	if got := ts.do(b, "get", "k"); got != rBulk("in2") {
		t.Errorf("db 2: %q", got)
	}
}

func TestHelloRedactedInSlowlog(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	ts.do(sess, "config", "set", "slowlog-log-slower-than", "0")
	ts.do(sess, "hello", "2", "auth", "default", "pw", "setname", "x")
	got := ts.do(sess, "slowlog", "get", "1")
	if strings.Contains(got, "pw") || strings.Count(got, "(redacted)") != 2 || !strings.Contains(got, rBulk("setname")+rBulk("x")) {
		t.Errorf("SLOWLOG shows HELLO as %q", got)
	}
}
