package commands

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
)

func TestClientCommands(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"client", "id"}, ":" + itoa(sess.ID) + "\r\n"},
		{[]string{"client", "id", "x"}, rErr("ERR wrong number of arguments for 'client|id' command")},
		{[]string{"client", "getname"}, "$-1\r\n"},
		{[]string{"client", "setname", "a b"}, rErr(errClientName)},
		{[]string{"client", "setname", "a\nb"}, rErr(errClientName)},
		{[]string{"client", "setname", "conn-1"}, "+OK\r\n"},
		{[]string{"client", "getname"}, rBulk("conn-1")},
		{[]string{"client", "setinfo", "lib-name", "go-redis(x_v1)"}, "+OK\r\n"},
		{[]string{"client", "setinfo", "LIB-VER", "9.23.0"}, "+OK\r\n"},
		{[]string{"client", "setinfo", "lib-ver", "1 2"}, rErr("ERR lib-ver cannot contain spaces, newlines or special characters.")},
		{[]string{"client", "setinfo", "Lib-Name", "a\tb"}, rErr("ERR Lib-Name cannot contain spaces, newlines or special characters.")},
		{[]string{"client", "setinfo", "x", "y"}, rErr("ERR Unrecognized option 'x'")},
		{[]string{"client", "setinfo", "lib-name"}, rErr("ERR wrong number of arguments for 'client|setinfo' command")},
		{[]string{"client", "no-evict", "on"}, "+OK\r\n"},
		{[]string{"client", "no-evict", "OFF"}, "+OK\r\n"},
		{[]string{"client", "no-evict", "x"}, rErr(ErrSyntax)},
		{[]string{"client", "no-evict"}, rErr("ERR wrong number of arguments for 'client|no-evict' command")},
		{[]string{"client", "list", "type", "x"}, rErr("ERR Unknown client type 'x'")},
		{[]string{"client", "list", "x"}, rErr(ErrSyntax)},
		{[]string{"client", "list", "id", "x"}, rErr("ERR Invalid client ID")},
		{[]string{"client", "list", "id", "999"}, rBulk("")},
		{[]string{"client", "list", "type", "pubsub"}, rBulk("")},
		{[]string{"client", "kill"}, rErr("ERR wrong number of arguments for 'client|kill' command")},
		{[]string{"client", "kill", "a", "b"}, rErr(ErrSyntax)},
		{[]string{"client", "kill", "id", "x"}, rErr("ERR client-id should be greater than 0")},
		{[]string{"client", "kill", "id", "0"}, rErr("ERR client-id should be greater than 0")},
		{[]string{"client", "kill", "id", "5", "skipme", "x"}, rErr(ErrSyntax)},
		{[]string{"client", "kill", "id", "5", "skipme"}, rErr(ErrSyntax)},
		{[]string{"client", "kill", "maxage", "1"}, rErr(ErrSyntax)},
		{[]string{"client", "kill", "user", "bob"}, rErr("ERR No such user 'bob'")},
		{[]string{"client", "kill", "type", "x"}, rErr("ERR Unknown client type 'x'")},
		{[]string{"client", "kill", "1.2.3.4:5"}, rErr("ERR No such client")},
		{[]string{"client", "kill", "id"}, rErr("ERR No such client")},
		{[]string{"client", "kill", "addr", "1.1.1.1:1"}, ":0\r\n"},
		{[]string{"client", "kill", "laddr", "1.1.1.1:1"}, ":0\r\n"},
		// The caller is skipped by default in the new form.
		{[]string{"client", "kill", "addr", "127.0.0.1:5000"}, ":0\r\n"},
		{[]string{"client", "kill", "user", "default", "skipme", "yes"}, ":0\r\n"},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	if sess.LibName != "go-redis(x_v1)" || sess.LibVer != "9.23.0" {
		t.Errorf("lib-name %q lib-ver %q", sess.LibName, sess.LibVer)
	}
}

var clientLineRE = regexp.MustCompile(`^id=(\d+) addr=(\S+) laddr=(\S+) fd=\d+ name=(\S*) age=\d+ idle=\d+ flags=([a-zA-Z]+) db=(\d+) ` +
	`sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 ` +
	`events=r cmd=(\S+) user=default redir=-1 resp=([23]) lib-name=(\S*) lib-ver=(\S*)\n$`)

func TestClientListAndInfo(t *testing.T) {
	ts := newTestServer(t, config.Default())
	a, _ := ts.session("127.0.0.1:5000")
	b, _ := ts.session("127.0.0.1:5001")
	ts.do(a, "client", "setname", "alpha")
	ts.do(a, "select", "3")
	ts.do(a, "client", "no-evict", "on")
	ts.do(b, "hello", "3")

	info := ts.do(a, "client", "info")
	body := strings.TrimSuffix(info[strings.Index(info, "\r\n")+2:], "\r\n")
	m := clientLineRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("CLIENT INFO line does not parse: %q", body)
	}
	if m[1] != itoa(a.ID) || m[2] != "127.0.0.1:5000" || m[4] != "alpha" || m[5] != "e" || m[6] != "3" || m[7] != "client|info" || m[8] != "2" {
		t.Errorf("CLIENT INFO fields: %q", m[1:])
	}
	// RESP3 gets a verbatim string.
	info3 := ts.do(b, "client", "info")
	if !strings.HasPrefix(info3, "=") || !strings.Contains(info3, "\r\ntxt:id="+itoa(b.ID)+" ") {
		t.Errorf("CLIENT INFO in RESP3: %q", info3)
	}

	list := ts.do(a, "client", "list")
	lines := strings.SplitAfter(strings.TrimSuffix(list[strings.Index(list, "\r\n")+2:], "\r\n"), "\n")
	if len(lines) != 3 || lines[2] != "" {
		t.Fatalf("CLIENT LIST: %q", list)
	}
	for i, want := range []*Session{a, b} {
		m := clientLineRE.FindStringSubmatch(lines[i])
		if m == nil || m[1] != itoa(want.ID) {
			t.Errorf("CLIENT LIST line %d: %q", i, lines[i])
		}
	}
	if got := ts.do(a, "client", "list", "id", itoa(b.ID), "12345"); !strings.Contains(got, "id="+itoa(b.ID)+" ") || strings.Count(got, "id=") != 1 {
		t.Errorf("CLIENT LIST ID: %q", got)
	}
	if got := ts.do(a, "client", "list", "type", "normal"); strings.Count(got, "id=") != 2 {
		t.Errorf("CLIENT LIST TYPE normal: %q", got)
	}
}

func TestClientKill(t *testing.T) {
	ts := newTestServer(t, config.Default())
	a, _ := ts.session("127.0.0.1:5000")
	b, bKilled := ts.session("127.0.0.1:5001")
	c, cKilled := ts.session("127.0.0.1:5002")

	if got := ts.do(a, "client", "kill", "id", itoa(b.ID)); got != ":1\r\n" || !*bKilled {
		t.Errorf("CLIENT KILL ID: %q, killed %v", got, *bKilled)
	}
	// A killed client is gone from CLIENT LIST even before its connection
	// loop has unregistered it.
	if got := ts.do(a, "client", "list"); strings.Contains(got, "id="+itoa(b.ID)+" ") {
		t.Errorf("killed client still listed: %q", got)
	}
	if got := ts.do(a, "client", "kill", "127.0.0.1:5002"); got != "+OK\r\n" || !*cKilled {
		t.Errorf("CLIENT KILL addr: %q, killed %v", got, *cKilled)
	}
	_ = c
	// The old form may kill the caller: it replies, then closes.
	if out, act := ts.exec(a, "client", "kill", "127.0.0.1:5000"); out != "+OK\r\n" || act != Close {
		t.Errorf("CLIENT KILL self: %q, %v", out, act)
	}
	// SKIPME no in the new form too; clients already killed do not count.
	d, _ := ts.session("127.0.0.1:5003")
	if out, act := ts.exec(d, "client", "kill", "laddr", "127.0.0.1:6379", "skipme", "no"); out != ":1\r\n" || act != Close {
		t.Errorf("CLIENT KILL LADDR SKIPME no: %q, %v", out, act)
	}
}
