package commands

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// stringsTestWriter encodes replies as RESP2 bytes, as resp/ does for a
// RESP2 client, so that tests can compare them with redis-server's bytes.
type stringsTestWriter struct{ bytes.Buffer }

func (w *stringsTestWriter) WriteSimple(s string)  { w.WriteString("+" + s + "\r\n") }
func (w *stringsTestWriter) WriteError(msg string) { w.WriteString("-" + msg + "\r\n") }
func (w *stringsTestWriter) WriteInt(n int64)      { w.WriteString(":" + strconv.FormatInt(n, 10) + "\r\n") }
func (w *stringsTestWriter) WriteBulk(b []byte) {
	w.WriteString("$" + strconv.Itoa(len(b)) + "\r\n")
	w.Write(b)
	w.WriteString("\r\n")
}
func (w *stringsTestWriter) WriteBulkString(s string) { w.WriteBulk([]byte(s)) }
func (w *stringsTestWriter) WriteNull()               { w.WriteString("$-1\r\n") }
func (w *stringsTestWriter) WriteNullArray()          { w.WriteString("*-1\r\n") }
func (w *stringsTestWriter) WriteArray(n int)         { w.WriteString("*" + strconv.Itoa(n) + "\r\n") }
func (w *stringsTestWriter) WriteMap(n int)           { w.WriteArray(2 * n) }
func (w *stringsTestWriter) WriteSet(n int)           { w.WriteArray(n) }
func (w *stringsTestWriter) WritePush(n int)          { w.WriteArray(n) }
func (w *stringsTestWriter) WriteDouble(f float64) {
	w.WriteBulkString(strconv.FormatFloat(f, 'g', 17, 64))
}
func (w *stringsTestWriter) WriteBool(b bool) {
	if b {
		w.WriteInt(1)
	} else {
		w.WriteInt(0)
	}
}
func (w *stringsTestWriter) WriteVerbatim(_ string, s string) { w.WriteBulkString(s) }
func (w *stringsTestWriter) WriteRaw(b []byte)                { w.Write(b) }

// stringsTestClock is a settable engine clock.
type stringsTestClock struct{ ms atomic.Int64 }

func (c *stringsTestClock) NowMs() int64 { return c.ms.Load() }

// stringsTestServer is a Server over a real engine with one session.
type stringsTestServer struct {
	t     testing.TB
	srv   *Server
	sess  *Session
	clock *stringsTestClock // nil: the system clock
}

func newStringsTestServer(t testing.TB, clock *stringsTestClock) *stringsTestServer {
	t.Helper()
	opts := engine.Options{}
	if clock != nil {
		opts.Clock = clock
	}
	eng, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	srv := New(config.Default(), eng)
	sess := srv.NewSession("127.0.0.1:1", "127.0.0.1:2", func() {})
	t.Cleanup(func() { srv.CloseSession(sess) })
	return &stringsTestServer{t: t, srv: srv, sess: sess, clock: clock}
}

// do runs one command and returns its RESP2 reply.
func (ts *stringsTestServer) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	var w stringsTestWriter
	ts.srv.Exec(ts.sess, b, &w)
	return w.String()
}

// stringsStep is one command and the RESP2 reply it must get.
type stringsStep struct {
	cmd  string // split by splitStringsCmd
	want string
}

func sBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func sInt(n int64) string {
	return ":" + strconv.FormatInt(n, 10) + "\r\n"
}
func sErr(s string) string { return "-" + s + "\r\n" }

const (
	sOK   = "+OK\r\n"
	sNull = "$-1\r\n"
)

// splitStringsCmd splits a command line at spaces; a part in single
// quotes may hold spaces (” is an empty argument).
func splitStringsCmd(line string) []string {
	var args []string
	for line != "" {
		if line[0] == ' ' {
			line = line[1:]
			continue
		}
		if line[0] == '\'' {
			end := strings.IndexByte(line[1:], '\'') + 1
			args = append(args, line[1:end])
			line = line[end+1:]
			continue
		}
		end := strings.IndexByte(line, ' ')
		if end < 0 {
			end = len(line)
		}
		args = append(args, line[:end])
		line = line[end:]
	}
	return args
}

// run runs one command line (see splitStringsCmd).
func (ts *stringsTestServer) run(line string) string { return ts.do(splitStringsCmd(line)...) }

// runStringsSteps runs steps in order.
func runStringsSteps(t *testing.T, ts *stringsTestServer, steps []stringsStep) {
	t.Helper()
	for _, st := range steps {
		got := ts.run(st.cmd)
		if got != st.want {
			t.Errorf("%s: got %q, want %q", st.cmd, got, st.want)
		}
	}
}

func TestStringCommands(t *testing.T) {
	cases := []struct {
		name  string
		steps []stringsStep
	}{
		{"get set", []stringsStep{
			{"GET k", sNull},
			{"SET k v", sOK},
			{"GET k", sBulk("v")},
			{"SET k ''", sOK},
			{"GET k", sBulk("")},
			{"STRLEN k", sInt(0)},
			{"STRLEN nokey", sInt(0)},
		}},
		{"set options", []stringsStep{
			{"SET k v NX", sOK},
			{"SET k w NX", sNull},
			{"SET k w XX", sOK},
			{"SET n w XX", sNull},
			{"SET k x GET", sBulk("w")},
			{"SET n x GET", sNull},
			{"GET n", sBulk("x")},
			{"SET k y NX GET", sBulk("x")},
			{"GET k", sBulk("x")},
			{"SET k v NX XX", sErr(ErrSyntax)},
			{"SET k v EX 10 PX 10", sErr(ErrSyntax)},
			{"SET k v EX 10 KEEPTTL", sErr(ErrSyntax)},
			{"SET k v EX", sErr(ErrSyntax)},
			{"SET k v EX 10 EX 20", sOK},
			{"TTL k", sInt(20)},
			{"SET k v KEEPTTL", sOK},
			{"TTL k", sInt(20)},
			{"SET k v", sOK},
			{"TTL k", sInt(-1)},
			{"SET k v PERSIST", sErr(ErrSyntax)},
			{"SET k v EX 0", sErr("ERR invalid expire time in 'set' command")},
			{"SET k v PX -1", sErr("ERR invalid expire time in 'set' command")},
			{"SET k v EX 9223372036854776", sErr("ERR invalid expire time in 'set' command")},
			{"SET k v EX x", sErr(ErrNotInteger)},
			{"SET k v nx\x00junk", sNull}, // options are C strings
		}},
		{"setnx setex psetex getset", []stringsStep{
			{"SETNX k v", sInt(1)},
			{"SETNX k w", sInt(0)},
			{"SETEX k 100 w", sOK},
			{"TTL k", sInt(100)},
			{"SETEX k 0 w", sErr("ERR invalid expire time in 'setex' command")},
			{"PSETEX k 0 w", sErr("ERR invalid expire time in 'psetex' command")},
			{"PSETEX k 1500 w", sOK},
			{"PTTL k", sInt(1500)},
			{"GETSET k z", sBulk("w")},
			{"TTL k", sInt(-1)},
			{"GETSET new z", sNull},
		}},
		{"getdel getex", []stringsStep{
			{"SET k v", sOK},
			{"GETEX k EX 50", sBulk("v")},
			{"TTL k", sInt(50)},
			{"GETEX k PERSIST", sBulk("v")},
			{"TTL k", sInt(-1)},
			{"GETEX k PX 100 PERSIST", sErr(ErrSyntax)},
			{"GETEX k NX", sErr(ErrSyntax)},
			{"GETEX k EXAT 1", sBulk("v")},
			{"EXISTS k", sInt(0)},
			{"GETEX k", sNull},
			{"SET k v", sOK},
			{"GETDEL k", sBulk("v")},
			{"GETDEL k", sNull},
		}},
		{"mget mset msetnx", []stringsStep{
			{"MSET a 1 b 2 a 3", sOK},
			{"MGET a b c", "*3\r\n" + sBulk("3") + sBulk("2") + sNull},
			{"MSET a 1 b", sErr("ERR wrong number of arguments for 'mset' command")},
			{"MSETNX c 1 a 2", sInt(0)},
			{"MSETNX c 1 d 2", sInt(1)},
			{"MSETNX x 1 x 2", sInt(1)},
			{"GET x", sBulk("2")},
		}},
		{"append setrange getrange", []stringsStep{
			{"APPEND k Hello", sInt(5)},
			{"APPEND k World", sInt(10)},
			{"GETRANGE k 0 4", sBulk("Hello")},
			{"GETRANGE k -5 -1", sBulk("World")},
			{"GETRANGE k -1 -5", sBulk("")},
			{"GETRANGE k 5 1000", sBulk("World")},
			{"GETRANGE k -100 2", sBulk("Hel")},
			{"SUBSTR k 1 1", sBulk("e")},
			{"GETRANGE nokey 0 -1", sBulk("")},
			{"GETRANGE k x 1", sErr(ErrNotInteger)},
			{"SETRANGE k 5 ,", sInt(10)},
			{"GET k", sBulk("Hello,orld")},
			{"SETRANGE k 12 !", sInt(13)},
			{"GET k", sBulk("Hello,orld\x00\x00!")},
			{"SETRANGE new 0 ''", sInt(0)},
			{"EXISTS new", sInt(0)},
			{"SETRANGE k -1 x", sErr("ERR offset is out of range")},
			{"SETRANGE k 536870912 x", sErr(ErrStringTooLong)},
			{"SETRANGE k 9223372036854775807 x", sErr(ErrStringTooLong)},
			{"SETRANGE k 3 ''", sInt(13)},
		}},
		{"incr decr", []stringsStep{
			{"INCR n", sInt(1)},
			{"INCRBY n 10", sInt(11)},
			{"DECR n", sInt(10)},
			{"DECRBY n 20", sInt(-10)},
			{"SET n 9223372036854775807", sOK},
			{"INCR n", sErr(ErrOverflow)},
			{"SET n -9223372036854775808", sOK},
			{"DECR n", sErr(ErrOverflow)},
			{"DECRBY n -9223372036854775808", sErr("ERR decrement would overflow")},
			{"SET n 007", sOK},
			{"INCR n", sErr(ErrNotInteger)},
			{"SET n ' 1'", sOK},
			{"INCRBY n +1", sErr(ErrNotInteger)},
			{"INCRBY n -0", sErr(ErrNotInteger)},
			{"SET n 5", sOK},
			{"EXPIRE n 100", sInt(1)},
			{"INCR n", sInt(6)},
			{"TTL n", sInt(100)},
		}},
		{"incrbyfloat", []stringsStep{
			{"INCRBYFLOAT f 10.5", sBulk("10.5")},
			{"INCRBYFLOAT f 0.1", sBulk("10.6")},
			{"SET f 5.0e3", sOK},
			{"INCRBYFLOAT f 2.0e2", sBulk("5200")},
			{"INCRBYFLOAT f -5200", sBulk("0")},
			{"INCRBYFLOAT f 3.0e3", sBulk("3000")},
			{"INCRBYFLOAT g 1.1", sBulk("1.1")},
			{"INCRBYFLOAT g inf", sErr("ERR increment would produce NaN or Infinity")},
			{"INCRBYFLOAT g nan", sErr(ErrNotFloat)},
			{"INCRBYFLOAT g abc", sErr(ErrNotFloat)},
			{"INCRBYFLOAT g ' 1'", sErr(ErrNotFloat)},
			{"INCRBYFLOAT g 1e-5000", sErr(ErrNotFloat)},
			{"INCRBYFLOAT g 1e5000", sErr(ErrNotFloat)},
			{"INCRBYFLOAT h 0x10", sBulk("16")},
			{"INCRBYFLOAT h -1e-30", sBulk("16")},
			{"SET h abc", sOK},
			{"INCRBYFLOAT h 1", sErr(ErrNotFloat)},
		}},
		{"lcs", []stringsStep{
			{"MSET key1 ohmytext key2 mynewtext", sOK},
			{"LCS key1 key2", sBulk("mytext")},
			{"LCS key1 key2 LEN", sInt(6)},
			{"LCS key1 key2 IDX", "*4\r\n" + sBulk("matches") + "*2\r\n" +
				"*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n" +
				"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n" + sBulk("len") + sInt(6)},
			{"LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n" + sBulk("matches") + "*1\r\n" +
				"*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n" + sBulk("len") + sInt(6)},
			{"LCS key1 key2 IDX LEN", sErr("ERR If you want both the length and indexes, please just use IDX.")},
			{"LCS key1 key2 FOO", sErr(ErrSyntax)},
			{"LCS key1 nokey", sBulk("")},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runStringsSteps(t, newStringsTestServer(t, nil), tc.steps)
		})
	}
}

// TestStringsWrongType stores a non-string value directly in the engine
// and checks that every string command refuses it as Redis does.
func TestStringsWrongType(t *testing.T) {
	ts := newStringsTestServer(t, nil)
	if err := ts.srv.Engine.Update(0, []byte("l"), func(*engine.Value, bool) engine.Write {
		return engine.Write{Op: engine.Put, Type: engine.TypeList, Data: []byte("opaque")}
	}); err != nil {
		t.Fatal(err)
	}
	wrong := sErr(ErrWrongType)
	for _, st := range []stringsStep{
		{"GET l", wrong},
		{"SET l v GET", wrong},
		{"GETSET l v", wrong},
		{"GETDEL l", wrong},
		{"GETEX l", wrong},
		{"APPEND l v", wrong},
		{"STRLEN l", wrong},
		{"INCR l", wrong},
		{"INCRBYFLOAT l x", wrong},
		{"GETRANGE l 0 1", wrong},
		{"SETRANGE l 0 x", wrong},
		{"SETRANGE l 0 ''", wrong},
		{"LCS l l", sErr("ERR The specified keys must contain string values")},
		{"MGET l", "*1\r\n" + sNull},
		{"TYPE l", "+list\r\n"},
		{"SET l v", sOK},
		{"TYPE l", "+string\r\n"},
	} {
		runStringsSteps(t, ts, []stringsStep{st})
	}
}

// TestStringsTTLFakeClock drives expiry with an injected clock.
func TestStringsTTLFakeClock(t *testing.T) {
	clock := &stringsTestClock{}
	clock.ms.Store(1_700_000_000_000)
	ts := newStringsTestServer(t, clock)
	runStringsSteps(t, ts, []stringsStep{
		{"SET k v PX 1500", sOK},
		{"PTTL k", sInt(1500)},
		{"TTL k", sInt(2)}, // 1.5s rounds to the nearest second
		{"PEXPIRETIME k", sInt(1_700_000_001_500)},
		{"EXPIRETIME k", sInt(1_700_000_002)},
		{"SET a 1 EXAT 1700000100", sOK},
		{"PEXPIRETIME a", sInt(1_700_000_100_000)},
		{"SET b 1 PXAT 1700000000001", sOK},
		{"INCR a", sInt(2)},
		{"PEXPIRETIME a", sInt(1_700_000_100_000)},
	})
	clock.ms.Add(1499)
	runStringsSteps(t, ts, []stringsStep{
		{"PTTL k", sInt(1)},
		{"GET k", sBulk("v")},
		{"GET b", sNull},
	})
	clock.ms.Add(1)
	// At exactly its expiry millisecond a key is still there (Redis
	// expires when now > when).
	runStringsSteps(t, ts, []stringsStep{
		{"PTTL k", sInt(0)},
		{"GET k", sBulk("v")},
	})
	clock.ms.Add(1)
	runStringsSteps(t, ts, []stringsStep{
		{"GET k", sNull},
		{"TTL k", sInt(-2)},
		{"SET k v EX 10", sOK},
		{"GETEX k PXAT 1700000001501", sBulk("v")}, // now: deletes
		{"EXISTS k", sInt(0)},
	})
}

func TestStringsKeyspaceHits(t *testing.T) {
	ts := newStringsTestServer(t, nil)
	ts.run("SET k v")
	ts.run("GET k")
	ts.run("GET nokey")
	ts.run("MGET k nokey nokey")
	if h, m := ts.srv.stats.hits.Load(), ts.srv.stats.misses.Load(); h != 2 || m != 3 {
		t.Errorf("hits, misses = %d, %d; want 2, 3", h, m)
	}
}

func TestParseLongDouble(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // formatted with formatLongDouble; "" = invalid
	}{
		{"1", "1"},
		{"-0", "0"},
		{"+1.5", "1.5"},
		{".5", "0.5"},
		{"5.", "5"},
		{".", ""},
		{"", ""},
		{"1e", ""},
		{"1e+", ""},
		{"1e+2", "100"},
		{"0x1p-2", "0.25"},
		{"0X.8", "0.5"},
		{"0x", ""},
		{"0x1p", ""},
		{"1\x00junk", ""},
		{"\x00", ""},
		{" 1", ""},
		{"1 ", ""},
		{"nan", ""},
		{"NaN(123)", ""},
		{"0e99999999999999999999", "0"},
		{"3e-4951", "0"}, // a subnormal: printed as 0 with 17 decimals
		{"1e-4951", ""},  // rounds to zero: ERANGE
		{"1.18973149535723176502e+4932", "11897314953572317650212638530309702051690633222946"}, // a prefix
		{"1.18973149535723176509e+4932", ""},                                                   // rounds up to infinity
		{"0.1", "0.1"},
		{"3.0000000000000000001", "3"},
		{"0.000000000000000005", "0"}, // just below 5e-18 in binary
		{"0.000000000000000015", "0.00000000000000002"},
	} {
		f, ok := parseLongDouble([]byte(tc.in))
		got := ""
		if ok {
			if f.IsInf() {
				got = "inf"
			} else {
				got = string(formatLongDouble(nil, f))
			}
		}
		if got != tc.want && !(len(tc.want) >= 50 && strings.HasPrefix(got, tc.want)) {
			t.Errorf("parseLongDouble(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if f, ok := parseLongDouble([]byte("INFINITY")); !ok || !f.IsInf() {
		t.Errorf("INFINITY: got %v %v", f, ok)
	}
}

// TestLongDoubleRounding checks rounding to 64 significant bits against
// float64 arithmetic scaled up: values that are exact in float64 stay
// exact, and the 80-bit format keeps 11 more bits than float64.
func TestLongDoubleRounding(t *testing.T) {
	f, _ := parseLongDouble([]byte("0.1"))
	m := new(big.Float)
	exp := f.MantExp(m)
	mant, _ := m.SetMantExp(m, 64).Int(nil)
	// 0.1 in x87 extended: 0xCCCCCCCCCCCCCCCD * 2^-67.
	if want, _ := new(big.Int).SetString("CCCCCCCCCCCCCCCD", 16); mant.Cmp(want) != 0 || exp != -3 {
		t.Errorf("0.1 = %x * 2^(%d-64), want cccccccccccccccd * 2^(-3-64)", mant, exp)
	}
	a, _ := parseLongDouble([]byte("1"))
	b, _ := parseLongDouble([]byte(strconv.FormatFloat(math.Ldexp(1, -64), 'g', -1, 64)))
	sum, ok := addLongDouble(a, b)
	if !ok || sum.Cmp(a) != 0 { // 1 + 2^-64 is a tie: rounds to even, 1
		t.Errorf("1 + 2^-64 = %v", sum)
	}
}
