package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// malformedCase is bad input for the connection layer.
type malformedCase struct {
	name    string
	payload []byte
	// fatal cases make Redis reply with a protocol error and close the
	// connection by itself; the others are sent followed by a half-close,
	// which makes any server finish replying and close.
	fatal bool
	// survivalOnly cases are not compared with Redis: Redis looks for line
	// ends with strchr, so a NUL byte in an inline command or a header line
	// hides the rest of the buffer from it, a C artefact not worth copying.
	survivalOnly bool
}

// hidesFromRedis reports whether Redis's strchr-based line parsing would
// stop at a NUL byte in payload (see survivalOnly).
func hidesFromRedis(payload []byte) bool { return bytes.IndexByte(payload, 0) >= 0 }

// malformedResult is what a server did with one malformedCase.
type malformedResult struct {
	replies []byte // everything the server sent
	closed  bool   // the server closed the connection
	reset   bool   // the connection was reset, so replies may be cut short
}

func (r malformedResult) String() string {
	return fmt.Sprintf("%s (closed %v, reset %v)", quoteReply(r.replies), r.closed, r.reset)
}

// sendMalformed writes c.payload on a new connection to tg and collects
// what comes back until the server closes the connection or goes quiet.
func sendMalformed(t *testing.T, tg *target, c malformedCase) malformedResult {
	t.Helper()
	conn, err := net.DialTimeout("tcp", tg.addr, replyTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", tg.name, err)
	}
	defer conn.Close()
	var res malformedResult
	conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	if _, err := conn.Write(c.payload); err != nil {
		// The server may close before reading everything (and should, after
		// a protocol error); what it sent first is still worth reading.
		res.reset = true
	}
	quiet := replyTimeout
	if !c.fatal {
		conn.(*net.TCPConn).CloseWrite()
	} else {
		// A server that keeps the connection open after replying with an
		// error is acceptable; do not wait the full timeout for it.
		quiet = 2 * time.Second
	}
	buf := make([]byte, 64<<10)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := conn.Read(buf)
		res.replies = append(res.replies, buf[:n]...)
		if err == nil {
			continue
		}
		var ne net.Error
		switch {
		case errors.Is(err, io.EOF):
			res.closed = true
		case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
			res.closed, res.reset = true, true
		case errors.As(err, &ne) && ne.Timeout():
		default:
			t.Fatalf("reading from %s: %v", tg.name, err)
		}
		return res
	}
}

// wellFormed checks that b is a sequence of complete RESP replies.
func wellFormed(b []byte) error {
	r := bufio.NewReader(bytes.NewReader(b))
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return nil
		}
		var out []byte
		if err := readValue(r, &out, 0); err != nil {
			return err
		}
	}
}

func bulkHeader(n int64) string { return fmt.Sprintf("$%d\r\n", n) }

func malformedCases() []malformedCase {
	ping := "*1\r\n$4\r\nPING\r\n"
	cases := []malformedCase{
		{name: "huge bulk length (redcon panic payload)", payload: []byte("*1\r\n$9223372036854775807\r\n"), fatal: true},
		{name: "bulk length overflowing int64", payload: []byte("*1\r\n$99999999999999999999\r\n"), fatal: true},
		{name: "600MB declared bulk", payload: []byte("*1\r\n" + bulkHeader(600<<20)), fatal: true},
		{name: "negative bulk length", payload: []byte("*1\r\n$-1\r\n"), fatal: true},
		{name: "very negative bulk length", payload: []byte("*1\r\n$-9223372036854775808\r\n"), fatal: true},
		{name: "non-numeric bulk length", payload: []byte("*1\r\n$abc\r\n"), fatal: true},
		{name: "empty bulk length", payload: []byte("*1\r\n$\r\n"), fatal: true},
		{name: "bulk without $", payload: []byte("*1\r\nPING\r\n"), fatal: true},
		{name: "nested array", payload: []byte("*1\r\n*1\r\n$4\r\nPING\r\n"), fatal: true},
		{name: "multibulk count too large", payload: []byte("*2147483648\r\n"), fatal: true},
		{name: "multibulk count overflowing int64", payload: []byte("*99999999999999999999\r\n"), fatal: true},
		{name: "non-numeric multibulk count", payload: []byte("*x\r\n"), fatal: true},
		{name: "1MB inline line", payload: []byte(strings.Repeat("A", 1<<20) + "\r\n"), fatal: true},
		{name: "1MB without newline", payload: []byte(strings.Repeat("B", 1<<20)), fatal: true},
		{name: "unbalanced quotes inline", payload: []byte("SET \"a b\r\n"), fatal: true},

		{name: "negative multibulk count is ignored", payload: []byte("*-1\r\n" + ping)},
		{name: "very negative multibulk count is ignored", payload: []byte("*-100\r\n" + ping)},
		{name: "zero multibulk count is ignored", payload: []byte("*0\r\n" + ping)},
		{name: "large multibulk count then close", payload: []byte("*2147483647\r\n$4\r\nPING\r\n")},
		{name: "large declared bulk then close", payload: []byte("*1\r\n" + bulkHeader(100<<20) + "abc")},
		{name: "truncated bulk", payload: []byte("*2\r\n$3\r\nGET\r\n$3\r\nfo")},
		{name: "truncated header", payload: []byte("*2\r\n$3")},
		{name: "lone star", payload: []byte("*")},
		{name: "bulk header without multibulk is inline", payload: []byte("$3\r\nfoo\r\n")},
		{name: "binary garbage line", payload: []byte("\x01\x02\xff\xfe\x7f\r\n")},
		{name: "binary garbage no newline", payload: []byte("\x01\x02\xff\xfe\x7f")},
		{name: "NUL bytes inline", payload: []byte("\x00\x01\x02\xff\r\nPING\r\n"), survivalOnly: true},
		{name: "NUL bytes in a bulk are data", payload: []byte("*2\r\n$4\r\nECHO\r\n$3\r\n\x00\x00\x00\r\n")},
		{name: "inline commands", payload: []byte("PING\r\nECHO hello\r\nSET \"a b\" 'c d'\r\nGET \"a b\"\r\n\r\n   \r\nPING\n")},
		{name: "inline with escapes", payload: []byte("ECHO \"\\x41\\n\\t\"\r\nECHO 'it\\'s'\r\n")},
		{name: "inline unknown command", payload: []byte("NOSUCH a b\r\n")},
		{name: "bulk not followed by CRLF", payload: []byte("*1\r\n$4\r\nPINGxx" + ping)},
		{name: "1000 pipelined PINGs", payload: []byte(strings.Repeat(ping, 1000))},
		{name: "lowercase and mixed-case commands", payload: []byte("*1\r\n$4\r\nping\r\n*1\r\n$4\r\nPiNg\r\n")},
		{name: "empty command name", payload: []byte("*1\r\n$0\r\n\r\n")},
		{name: "many empty arguments", payload: []byte("*4\r\n$4\r\nECHO\r\n$0\r\n\r\n$0\r\n\r\n$0\r\n\r\n")},
	}
	return cases
}

func TestMalformedInput(t *testing.T) {
	pair := startPair(t)
	for _, c := range malformedCases() {
		t.Run(c.name, func(t *testing.T) {
			checkMalformed(t, pair, c)
		})
	}
}

// checkMalformed sends c to both servers. nebredis must reply with
// well-formed replies (an error, for fatal cases) or close the connection,
// must match Redis's replies where neither connection was reset, and must
// still answer PING afterwards.
func checkMalformed(t *testing.T, pair *serverPair, c malformedCase) {
	t.Helper()
	want := sendMalformed(t, pair.redis, c)
	got := sendMalformed(t, pair.neb, c)
	if *traceScripts {
		t.Logf("%q\n  redis:    %v\n  nebredis: %v", c.payload, want, got)
	}
	if !pingOnce(pair.neb.addr, pair.pass) {
		t.Fatalf("nebredis does not answer PING after %q", c.name)
	}
	if err := wellFormed(got.replies); err != nil {
		t.Errorf("nebredis sent a malformed reply stream: %v\n  nebredis: %v", err, got)
	}
	if c.fatal && !got.closed && !bytes.HasPrefix(got.replies, []byte("-")) {
		t.Errorf("nebredis neither replied with an error nor closed the connection\n  nebredis: %v", got)
	}
	if want.reset || got.reset || c.survivalOnly {
		return // what arrived before a reset depends on timing
	}
	if !bytes.Equal(want.replies, got.replies) || want.closed != got.closed {
		t.Errorf("replies differ\n  redis:    %v\n  nebredis: %v", want, got)
	}
}

// TestMalformedUnauthenticated checks the tighter limits Redis applies
// before AUTH: no large multibulk counts or bulks from strangers.
func TestMalformedUnauthenticated(t *testing.T) {
	pair := startPair(t, directive{"requirepass", "secret"})
	for _, c := range []malformedCase{
		{name: "unauthenticated multibulk count", payload: []byte("*1048577\r\n"), fatal: true},
		{name: "unauthenticated bulk length", payload: []byte("*1\r\n$16385\r\n"), fatal: true},
		{name: "small frames still get NOAUTH", payload: []byte("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n")},
	} {
		t.Run(c.name, func(t *testing.T) { checkMalformed(t, pair, c) })
	}
}

// TestHalfWrittenFrames cuts a SET after every byte and closes the
// connection: nothing may be executed and the server must keep serving.
func TestHalfWrittenFrames(t *testing.T) {
	pair := startPair(t)
	full := encodeCommand("SET", "halfkey", "value")
	for i := 1; i < len(full); i++ {
		got := sendMalformed(t, pair.neb, malformedCase{payload: full[:i]})
		if len(got.replies) != 0 {
			t.Errorf("after %q nebredis replied %v", full[:i], got)
		}
	}
	c := mustDial(t, pair.neb)
	if r, err := c.Do("EXISTS", "halfkey"); err != nil || string(r) != ":0\r\n" {
		t.Errorf("a partial SET was executed: EXISTS halfkey = %q %v", r, err)
	}
	// The whole frame does run.
	if got := sendMalformed(t, pair.neb, malformedCase{payload: full}); string(got.replies) != "+OK\r\n" {
		t.Errorf("complete SET: %v", got)
	}
}

// TestRandomGarbage sends seeded random byte strings, biased towards RESP
// syntax, to both servers and compares what they do.
func TestRandomGarbage(t *testing.T) {
	seed := *randomSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay with: go test ./e2e -run TestRandomGarbage -seed %d)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	pair := startPair(t)
	atoms := []string{"*", "$", "\r\n", "\n", "\r", "-1", "0", "1", "3", "4", "2147483648", "PING", "ECHO",
		"GET", "SET", "\"", "'", " ", "\\x", "\x00", "\xff", "a", "*1\r\n$4\r\nPING\r\n"}
	mismatches := 0
	for i := 0; i < 60; i++ {
		var b strings.Builder
		for n := r.Intn(20); n >= 0; n-- {
			b.WriteString(atoms[r.Intn(len(atoms))])
		}
		c := malformedCase{name: fmt.Sprintf("garbage %d", i), payload: []byte(b.String())}
		want := sendMalformed(t, pair.redis, c)
		got := sendMalformed(t, pair.neb, c)
		if *traceScripts {
			t.Logf("%q\n  redis:    %v\n  nebredis: %v", c.payload, want, got)
		}
		if !pingOnce(pair.neb.addr, "") {
			t.Fatalf("seed %d: nebredis does not answer PING after %q", seed, c.payload)
		}
		if err := wellFormed(got.replies); err != nil {
			t.Errorf("seed %d: after %q nebredis sent a malformed reply stream: %v\n  %v", seed, c.payload, err, got)
		}
		if !want.reset && !got.reset && !hidesFromRedis(c.payload) && !bytes.Equal(want.replies, got.replies) {
			if mismatches++; mismatches <= 5 {
				t.Errorf("seed %d: input %q\n  redis:    %v\n  nebredis: %v", seed, c.payload, want, got)
			}
		}
	}
	if mismatches > 5 {
		t.Errorf("seed %d: %d inputs in all got different replies", seed, mismatches)
	}
}
