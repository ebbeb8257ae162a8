package e2e

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// traceScripts logs every scripted command (and every malformed input) with
// both servers' replies, for writing and reviewing tests:
// go test ./e2e -run TestDiff/strings -v -show
var traceScripts = flag.Bool("show", false, "log every scripted command and malformed input with both servers' replies")

// TestDiff runs every testdata/*.txt script against redis-server and
// nebredis and compares the replies byte for byte (see script_test.go for
// the format). Each script runs twice: on RESP2 connections, then on
// connections that start with HELLO 3. Scripts without !config share one
// pair of servers, flushed before each run; the others get their own pair.
func TestDiff(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	var shared *serverPair
	for _, file := range files {
		s, err := loadScript(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.config) == 0 && shared == nil {
			shared = startPair(t)
		}
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			for _, proto := range []int{2, 3} {
				t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
					pair := shared
					if len(s.config) > 0 {
						pair = startPair(t, s.config...)
					}
					runScript(t, pair, s, proto)
				})
			}
		})
	}
}

// serverPair is a redis-server and a nebredis started with the same config.
type serverPair struct {
	redis, neb *target
	pass       string
}

func startPair(t testing.TB, conf ...directive) *serverPair {
	return &serverPair{redis: startRedis(t, conf...), neb: startNebredis(t, conf...), pass: passwordOf(conf)}
}

// flush empties both servers, authenticating first when they need it.
func (p *serverPair) flush(t testing.TB) {
	t.Helper()
	for _, tg := range []*target{p.redis, p.neb} {
		c, err := dialRaw(tg.addr)
		if err != nil {
			t.Fatalf("dial %s: %v", tg.name, err)
		}
		if p.pass != "" {
			c.Do("AUTH", p.pass)
		}
		r, err := c.Do("FLUSHALL")
		c.Close()
		if err != nil || string(r) != "+OK\r\n" {
			t.Fatalf("FLUSHALL on %s: %q %v", tg.name, r, err)
		}
	}
}

// connPair is one client connection to each server.
type connPair struct{ redis, neb *rawClient }

func (p *serverPair) dial(t testing.TB) *connPair {
	t.Helper()
	return &connPair{redis: mustDial(t, p.redis), neb: mustDial(t, p.neb)}
}

// runScript runs s on connections that speak RESP proto.
func runScript(t *testing.T, pair *serverPair, s *script, proto int) {
	for _, name := range s.requires {
		if !knowsCommand(t, pair, name) {
			t.Skipf("waiting for %s in nebredis", name)
		}
	}
	if len(s.config) == 0 {
		pair.flush(t)
	}
	// open connects to both servers, switching to RESP3 when asked; under
	// requirepass the HELLO fails alike on both and they stay on RESP2.
	open := func() *connPair {
		c := pair.dial(t)
		if proto == 3 {
			hello := step{op: "mask", mask: []string{"id"}}
			want, werr := c.redis.Do("HELLO", "3")
			got, gerr := c.neb.Do("HELLO", "3")
			if werr != nil || gerr != nil {
				t.Fatalf("HELLO 3: %v / %v", werr, gerr)
			}
			if ok, how := sameReply(hello, want, got); !ok {
				t.Errorf("%s: HELLO 3 on connect\n%s%s", s.file, describeDiff(want, got), how)
			}
		}
		return c
	}
	conns := map[string]*connPair{"main": open()}
	cur := "main"
	for _, st := range s.steps {
		where := fmt.Sprintf("%s:%d: %s", s.file, st.line, st.text)
		switch st.op {
		case "conn":
			cur = st.args[0]
			if conns[cur] == nil {
				conns[cur] = open()
			}
			continue
		case "sleep":
			time.Sleep(st.wait)
			continue
		case "closed":
			c := conns[cur]
			for _, rc := range []*rawClient{c.redis, c.neb} {
				rc.conn.SetReadDeadline(time.Now().Add(replyTimeout))
				if b, err := rc.r.ReadByte(); err == nil {
					t.Errorf("%s\n  a server did not close the connection: read %q", where, b)
				}
			}
			conns[cur] = open()
			continue
		case "scan":
			compareScan(t, where, conns[cur], st.args)
			continue
		}
		c := conns[cur]
		var req []byte
		if st.op == "raw" {
			req = []byte(st.args[0])
		} else {
			req = encodeCommand(st.args...)
		}
		var want, got []byte
		var werr, gerr error
		if st.op == "recv" {
			want, werr = c.redis.ReadReply()
			got, gerr = c.neb.ReadReply()
		} else {
			want, werr = exchange(c.redis, req)
			got, gerr = exchange(c.neb, req)
		}
		if werr != nil || gerr != nil {
			if werr == nil || gerr == nil {
				t.Errorf("%s\n  redis:    %s (err %v)\n  nebredis: %s (err %v)", where, quoteReply(want), werr, quoteReply(got), gerr)
			}
			// Keep both sides in step: fresh connections for both.
			c.redis.Close()
			c.neb.Close()
			conns[cur] = open()
			continue
		}
		if *traceScripts {
			t.Logf("%s:%d: %s\n  redis:    %s\n  nebredis: %s", s.file, st.line, st.text, quoteReply(want), quoteReply(got))
		}
		if ok, how := sameReply(st, want, got); !ok {
			t.Errorf("%s\n%s%s", where, describeDiff(want, got), how)
		}
	}
}

func exchange(c *rawClient, req []byte) ([]byte, error) {
	if err := c.Write(req); err != nil {
		return nil, err
	}
	return c.ReadReply()
}

// sameReply compares two replies the way step asks; how explains a
// non-byte-exact comparison that failed.
func sameReply(st step, want, got []byte) (ok bool, how string) {
	if bytes.Equal(want, got) {
		return true, ""
	}
	switch st.op {
	case "", "raw", "recv":
		return false, ""
	case "type":
		return want[0] == got[0], "\n  (compared type bytes only)"
	}
	wn, err1 := parseReply(want)
	gn, err2 := parseReply(got)
	if err1 != nil || err2 != nil {
		return false, fmt.Sprintf("\n  (parse: %v / %v)", err1, err2)
	}
	switch st.op {
	case "sort":
		return bytes.Equal(wn.sorted().encode(), gn.sorted().encode()), "\n  (compared with elements sorted)"
	case "shape":
		return wn.shape() == gn.shape(), fmt.Sprintf("\n  (compared shapes: %s vs %s)", wn.shape(), gn.shape())
	case "near":
		if wn.kind != ':' || gn.kind != ':' {
			return false, ""
		}
		a, _ := strconv.ParseInt(wn.str, 10, 64)
		b, _ := strconv.ParseInt(gn.str, 10, 64)
		d := a - b
		if d < 0 {
			d = -d
		}
		return d <= st.near, fmt.Sprintf("\n  (integers may differ by %d)", st.near)
	case "mask":
		return bytes.Equal(wn.masked(st.mask).encode(), gn.masked(st.mask).encode()),
			fmt.Sprintf("\n  (compared with fields %v hidden)", st.mask)
	}
	return false, ""
}

// compareScan iterates a SCAN-family command on both servers and compares
// the sorted set of everything returned. Replies that are not a cursor
// array (errors) are compared byte for byte.
func compareScan(t *testing.T, where string, c *connPair, args []string) {
	want, werr := scanAll(c.redis, args)
	got, gerr := scanAll(c.neb, args)
	if werr != nil || gerr != nil {
		t.Errorf("%s\n  redis:    %v\n  nebredis: %v", where, werr, gerr)
		return
	}
	if want != got {
		t.Errorf("%s\n  redis:    %s\n  nebredis: %s\n  (compared sorted union of a full iteration)", where, want, got)
	}
}

// scanAll runs args (cursor included, e.g. SCAN 0 MATCH k*) until the
// cursor comes back to 0 and returns the sorted distinct elements, or the
// raw reply when it is not a SCAN reply.
func scanAll(c *rawClient, args []string) (string, error) {
	args = append([]string(nil), args...)
	cursorAt := 2
	if strings.EqualFold(args[0], "scan") {
		cursorAt = 1
	}
	seen := map[string]bool{}
	for i := 0; ; i++ {
		if i > 100000 {
			return "", fmt.Errorf("cursor did not return to 0 after %d calls", i)
		}
		raw, err := c.Do(args...)
		if err != nil {
			return "", err
		}
		n, err := parseReply(raw)
		if err != nil {
			return "", err
		}
		if n.kind != '*' || len(n.elems) != 2 || n.elems[0].kind != '$' || n.elems[1].kind != '*' {
			return quoteReply(raw), nil
		}
		for _, e := range n.elems[1].elems {
			seen[string(e.encode())] = true
		}
		if n.elems[0].str == "0" {
			break
		}
		args[cursorAt] = n.elems[0].str
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return strconv.Quote(strings.Join(out, "")), nil
}

// knowsCommand reports whether nebredis has a command, by calling it without
// arguments: an unknown command gets Redis's "unknown command" error,
// anything else (usually an arity error) means it exists.
func knowsCommand(t testing.TB, pair *serverPair, name string) bool {
	c := mustDial(t, pair.neb)
	if pair.pass != "" {
		c.Do("AUTH", pair.pass)
	}
	r, err := c.Do(name)
	if err != nil {
		t.Fatalf("probing %s: %v", name, err)
	}
	return !bytes.HasPrefix(r, []byte("-ERR unknown command"))
}

// TestDiffLargeValues compares string commands on values from 1 KiB to
// 8 MiB, and a deep pipeline, byte for byte.
func TestDiffLargeValues(t *testing.T) {
	pair := startPair(t)
	c := pair.dial(t)
	same := func(args ...string) {
		t.Helper()
		req := encodeCommand(args...)
		want, werr := exchange(c.redis, req)
		got, gerr := exchange(c.neb, req)
		if werr != nil || gerr != nil || !bytes.Equal(want, got) {
			short := append([]string(nil), args...)
			for i, a := range short {
				if len(a) > 40 {
					short[i] = fmt.Sprintf("<%d bytes>", len(a))
				}
			}
			t.Errorf("%v (errors %v / %v)\n%s", short, werr, gerr, describeDiff(want, got))
		}
	}
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20, 8 << 20} {
		v := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789"[size%7:], size/30+1)[:size]
		n := strconv.Itoa(size)
		same("SET", "big", v)
		same("GET", "big")
		same("STRLEN", "big")
		same("APPEND", "big", v[:size/2])
		same("GETRANGE", "big", strconv.Itoa(size-10), strconv.Itoa(size+10))
		same("SETRANGE", "big", n, "middle")
		same("SETRANGE", "big", strconv.Itoa(2*size), "tail")
		same("GET", "big")
		same("GETDEL", "big")
		same("SETRANGE", "sparse", n, "x")
		same("GET", "sparse")
		same("DEL", "sparse")
	}
	// 200 keys of 10 KiB in one MSET and one MGET.
	mset := []string{"MSET"}
	mget := []string{"MGET"}
	for i := 0; i < 200; i++ {
		k := "m" + strconv.Itoa(i)
		mset = append(mset, k, strings.Repeat(strconv.Itoa(i%10), 10<<10))
		mget = append(mget, k)
	}
	same(mset...)
	same(mget...)
	// 10000 commands written at once, replies read afterwards.
	var pipe []byte
	for i := 0; i < 10000; i++ {
		pipe = append(pipe, encodeCommand("INCRBY", "ctr", strconv.Itoa(i))...)
	}
	for _, rc := range []*rawClient{c.redis, c.neb} {
		if err := rc.Write(pipe); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 10000; i++ {
		want, werr := c.redis.ReadReply()
		got, gerr := c.neb.ReadReply()
		if werr != nil || gerr != nil || !bytes.Equal(want, got) {
			t.Fatalf("pipelined INCRBY %d: %s / %v\n%s", i, werr, gerr, describeDiff(want, got))
		}
	}
}
