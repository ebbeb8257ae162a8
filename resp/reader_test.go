package resp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// chunkReader hands out its data n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, len(c.data))
	copy(p, c.data[:k])
	c.data = c.data[k:]
	return k, nil
}

// parseStream runs the reader over data delivered chunk bytes at a time
// and returns each request as its arguments joined by '|' (skipped
// requests as "<empty>"), and the error that ended the stream: a
// *protocolError, errQueryBufferReached, or nil at EOF.
func parseStream(data []byte, chunk int, authed bool, limit int64) ([]string, error) {
	rd := newReader()
	src := &chunkReader{data: data, n: chunk}
	var out []string
	for {
		for {
			args, ok, err := rd.next(authed)
			if err != nil {
				return out, err
			}
			if !ok {
				break
			}
			if len(args) == 0 {
				out = append(out, "<empty>")
				continue
			}
			parts := make([]string, len(args))
			for i, a := range args {
				parts[i] = string(a)
			}
			out = append(out, strings.Join(parts, "|"))
		}
		if err := rd.fill(src, limit); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
	}
}

// The expected results are what redis-server 7.0.15 does with the same
// bytes (see TestAgainstRedisServer for the live comparison).
var readerCases = []struct {
	name string
	in   string
	want []string // requests parsed before the error/EOF
	err  string   // protocol error reply, "" = none
}{
	{"multibulk", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\na b\r\n", []string{"PING", "ECHO|a b"}, ""},
	{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\n\x00\r\n\xff\r\n", []string{"ECHO|\x00\r\n\xff"}, ""},
	{"empty bulk", "*1\r\n$0\r\n\r\n", []string{""}, ""},
	{"star zero and minus", "*0\r\n*-1\r\n*-5\r\n*1\r\n$1\r\nx\r\n", []string{"<empty>", "<empty>", "<empty>", "x"}, ""},
	{"empty lines", "\r\n\n  \r\n\t\r\nPING\r\n", []string{"<empty>", "<empty>", "<empty>", "<empty>", "PING"}, ""},
	{"incomplete header waits", "*1\r\n$4\r\nPIN", nil, ""},
	{"incomplete count waits", "*12", nil, ""},
	{"trailing bytes unchecked", "*1\r\n$4\r\nPINGxx*1\r\n$1\r\na\r\n", []string{"PING", "a"}, ""},
	{"byte after CR unchecked", "*1\rX$4\rXPING\r\n", []string{"PING"}, ""},
	{"huge bulk length", "*1\r\n$9223372036854775807\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"overflow bulk length", "*1\r\n$99999999999999999999\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"negative bulk length", "*1\r\n$-1\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"minus zero bulk", "*1\r\n$-0\r\n\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"leading zero bulk", "*1\r\n$04\r\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"plus bulk", "*1\r\n$+4\r\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"space bulk", "*1\r\n$ 4\r\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"empty bulk length", "*1\r\n$\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"LF only in bulk header", "*1\r\n$4\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"over proto-max-bulk-len", "*1\r\n$536870913\r\n", nil, "ERR Protocol error: invalid bulk length"},
	{"at proto-max-bulk-len waits", "*1\r\n$536870912\r\n", nil, ""},
	{"bad count", "*abc\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"empty count", "*\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"leading zero count", "*01\r\n$4\r\nPING\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"minus zero count", "*-0\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"LF only count", "*1\n$4\r\nPING\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"count over INT_MAX", "*2147483648\r\n", nil, "ERR Protocol error: invalid multibulk length"},
	{"count at INT_MAX waits", "*2147483647\r\n", nil, ""},
	{"expected dollar", "*1\r\nx\r\n", nil, "ERR Protocol error: expected '$', got 'x'"},
	{"expected dollar colon", "*2\r\n$4\r\nECHO\r\n:1\r\n", nil, "ERR Protocol error: expected '$', got ':'"},
	{"expected dollar CR shown as space", "*1\r\n\r\n", nil, "ERR Protocol error: expected '$', got ' '"},
	{"expected dollar high byte", "*1\r\n\xff\r\n", nil, "ERR Protocol error: expected '$', got '\xff'"},
	{"NUL before CR waits", "*1\x00\r\n$4\r\nPING\r\n", nil, ""},
	{"NUL inline waits", "\x00\r\nPING\r\n", nil, ""},
	{"too big mbulk count", "*" + strings.Repeat("1", inlineMax+1), nil, "ERR Protocol error: too big mbulk count string"},
	{"too big bulk count", "*1\r\n$" + strings.Repeat("1", inlineMax+1), nil, "ERR Protocol error: too big bulk count string"},
	{"too big inline", strings.Repeat("x", inlineMax+1), nil, "ERR Protocol error: too big inline request"},
	{"inline", "PING\r\nECHO  a   b\r\nECHO a\n", []string{"PING", "ECHO|a|b", "ECHO|a"}, ""},
	{"inline CR splits", "PING\rPING\r\n", []string{"PING|PING"}, ""},
	{"inline tab splits, VT does not", "ECHO\ta\r\nECHO\va\r\n\v\fECHO\r\n", []string{"ECHO|a", "ECHO\va", "ECHO"}, ""},
	{"inline double quotes", `ECHO "a b" "" "\x41\n\q\a\b" "a\"b"` + "\r\n", []string{"ECHO|a b||A\nq\a\b|a\"b"}, ""},
	{"inline bad hex is literal", `ECHO "\xZZ"` + "\r\n", []string{"ECHO|xZZ"}, ""},
	{"inline single quotes", `ECHO 'a\'b' 'a\nb' 'a\\b'` + "\r\n", []string{`ECHO|a'b|a\nb|a\\b`}, ""},
	{"inline quote mid word", `ECHO a"b"` + "\r\n", []string{"ECHO|ab"}, ""},
	{"inline closing quote then VT", "ECHO \"a\"\vb\r\n", []string{"ECHO|a|b"}, ""},
	{"inline unterminated", `PING "foo` + "\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
	{"inline quote then text", `ECHO "foo"bar` + "\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
	{"inline escaped closing quote", `ECHO "abc\"` + "\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
	{"inline single unterminated", `ECHO 'abc\` + "\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
	{"dollar line is inline", "$4\r\nPING\r\n", []string{"$4", "PING"}, ""},
	{"pipeline after error not parsed", "PING\r\n*x\r\nPING\r\n", []string{"PING"}, "ERR Protocol error: invalid multibulk length"},
}

func TestReaderMatchesRedis(t *testing.T) {
	for _, tc := range readerCases {
		t.Run(tc.name, func(t *testing.T) {
			// Whole, in odd chunks and byte by byte: same outcome.
			for _, chunk := range []int{1 << 30, 7, 1} {
				got, err := parseStream([]byte(tc.in), chunk, true, DefaultQueryBufferLimit)
				var gotErr string
				if err != nil {
					var pe *protocolError
					if !errors.As(err, &pe) {
						t.Fatalf("chunk %d: unexpected error %v", chunk, err)
					}
					gotErr = pe.reply
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || gotErr != tc.err {
					t.Fatalf("chunk %d: %q\n got %q err %q\nwant %q err %q", chunk, trim(tc.in), got, gotErr, tc.want, tc.err)
				}
			}
		})
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	cases := []struct {
		in, err string
	}{
		{"*11\r\n", "ERR Protocol error: unauthenticated multibulk length"},
		{"*2\r\n$4\r\nECHO\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length"},
		{"*10\r\n$16384\r\n", ""},
	}
	for _, c := range cases {
		_, err := parseStream([]byte(c.in), 1<<20, false, DefaultQueryBufferLimit)
		var got string
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("%q: got %q, want %q", c.in, got, c.err)
		}
	}
}

func TestReaderBigBulkAndLimit(t *testing.T) {
	val := bytes.Repeat([]byte("v"), 3<<20)
	req := append([]byte("*2\r\n$4\r\nECHO\r\n$3145728\r\n"), val...)
	req = append(req, "\r\n*1\r\n$4\r\nPING\r\n"...)
	got, err := parseStream(req, 100_000, true, DefaultQueryBufferLimit)
	if err != nil || len(got) != 2 || got[0] != "ECHO|"+string(val) || got[1] != "PING" {
		t.Fatalf("got %d requests, err %v", len(got), err)
	}
	// The same request over a 1 MiB query buffer limit closes the client.
	if _, err := parseStream(req, 100_000, true, 1<<20); !errors.Is(err, errQueryBufferReached) {
		t.Fatalf("over the limit: got %v, want errQueryBufferReached", err)
	}
}

func TestReaderManyArgsIsLinear(t *testing.T) {
	// 200k arguments arriving 1 KiB at a time: incremental parsing keeps
	// this fast (re-scanning from the start would take minutes).
	var b bytes.Buffer
	const n = 200_000
	b.WriteString("*200000\r\n")
	for range n {
		b.WriteString("$3\r\nabc\r\n")
	}
	got, err := parseStream(b.Bytes(), 1024, true, DefaultQueryBufferLimit)
	if err != nil || len(got) != 1 || len(got[0]) != n*4-1 {
		t.Fatalf("got %d requests, err %v", len(got), err)
	}
}

func TestParseLength(t *testing.T) {
	ok := map[string]int64{"0": 0, "7": 7, "-1": -1, "9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64}
	for s, want := range ok {
		if got, valid := redisnum.ParseInt([]byte(s)); !valid || got != want {
			t.Errorf("redisnum.ParseInt(%q) = %d, %v", s, got, valid)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", "1 ", " 1", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1a", "123456789012345678901"} {
		if got, valid := redisnum.ParseInt([]byte(s)); valid {
			t.Errorf("redisnum.ParseInt(%q) = %d, valid", s, got)
		}
	}
}

func TestArgumentsAreCapped(t *testing.T) {
	rd := newReader()
	rd.w = copy(rd.buf, "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
	args, ok, err := rd.next(true)
	if !ok || err != nil || len(args) != 2 {
		t.Fatalf("next: %v %v %v", args, ok, err)
	}
	_ = append(args[0], 'X', 'Y', 'Z')
	if string(args[1]) != "b" {
		t.Fatalf("appending to one argument changed the next: %q", args[1])
	}
}
