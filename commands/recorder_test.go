package commands

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// respRecorder is a Writer that encodes replies as redis-server puts them
// on the wire, in RESP2 or RESP3 as its session's Proto says, so tests can
// compare bytes with a real server's.
type respRecorder struct {
	sess *Session
	b    []byte
}

func (r *respRecorder) resp3() bool { return r.sess != nil && r.sess.Proto == 3 }

func (r *respRecorder) line(prefix byte, s string) {
	r.b = append(r.b, prefix)
	r.b = append(r.b, s...)
	r.b = append(r.b, '\r', '\n')
}

func (r *respRecorder) WriteSimple(s string)  { r.line('+', s) }
func (r *respRecorder) WriteError(msg string) { r.line('-', msg) }
func (r *respRecorder) WriteInt(n int64)      { r.line(':', strconv.FormatInt(n, 10)) }
func (r *respRecorder) WriteBulk(b []byte)    { r.WriteBulkString(string(b)) }
func (r *respRecorder) WriteBulkString(s string) {
	r.line('$', strconv.Itoa(len(s)))
	r.b = append(r.b, s+"\r\n"...)
}
func (r *respRecorder) WriteArray(n int)          { r.line('*', strconv.Itoa(n)) }
func (r *respRecorder) WriteRaw(b []byte)         { r.b = append(r.b, b...) }
func (r *respRecorder) aggregate(p byte, n int)   { r.line(p, strconv.Itoa(n)) }
func (r *respRecorder) WriteNull()                { r.null("$-1") }
func (r *respRecorder) WriteNullArray()           { r.null("*-1") }
func (r *respRecorder) WriteVerbatim(f, s string) { r.verbatim(f, s) }

func (r *respRecorder) null(resp2 string) {
	if r.resp3() {
		r.b = append(r.b, "_\r\n"...)
		return
	}
	r.b = append(r.b, resp2+"\r\n"...)
}

func (r *respRecorder) WriteMap(n int) {
	if r.resp3() {
		r.aggregate('%', n)
		return
	}
	r.aggregate('*', 2*n)
}

func (r *respRecorder) WriteSet(n int) {
	if r.resp3() {
		r.aggregate('~', n)
		return
	}
	r.aggregate('*', n)
}

func (r *respRecorder) WritePush(n int) {
	if r.resp3() {
		r.aggregate('>', n)
		return
	}
	r.aggregate('*', n)
}

func (r *respRecorder) WriteDouble(f float64) {
	var s string
	switch {
	case math.IsInf(f, 1):
		s = "inf"
	case math.IsInf(f, -1):
		s = "-inf"
	default:
		s = strconv.FormatFloat(f, 'g', 17, 64)
	}
	if r.resp3() {
		r.line(',', s)
		return
	}
	r.WriteBulkString(s)
}

func (r *respRecorder) WriteBool(b bool) {
	switch {
	case r.resp3() && b:
		r.line('#', "t")
	case r.resp3():
		r.line('#', "f")
	case b:
		r.WriteInt(1)
	default:
		r.WriteInt(0)
	}
}

func (r *respRecorder) verbatim(format, s string) {
	if r.resp3() {
		r.line('=', strconv.Itoa(len(format)+1+len(s)))
		r.b = append(r.b, format+":"+s+"\r\n"...)
		return
	}
	r.WriteBulkString(s)
}

// testServer is a Server over a real engine, closed when the test ends.
type testServer struct {
	t   testing.TB
	srv *Server
}

func newTestServer(t testing.TB, cfg config.Config) *testServer {
	t.Helper()
	eng, err := engine.Open(engine.Options{Shards: 4, SegmentSize: 1 << 20, Databases: cfg.Databases})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &testServer{t: t, srv: New(cfg, eng)}
}

// session opens a client session whose Kill records that it was called.
func (ts *testServer) session(addr string) (*Session, *bool) {
	killed := new(bool)
	sess := ts.srv.NewSession(addr, "127.0.0.1:6379", func() { *killed = true })
	ts.t.Cleanup(func() { ts.srv.CloseSession(sess) })
	return sess, killed
}

// exec runs one command (space-separated words, or args when the words
// would need spaces) and returns the reply bytes and the action.
func (ts *testServer) exec(sess *Session, args ...string) (string, Action) {
	if len(args) == 1 && strings.Contains(args[0], " ") {
		args = strings.Fields(args[0])
	}
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	rec := &respRecorder{sess: sess}
	act := ts.srv.Exec(sess, bargs, rec)
	return string(rec.b), act
}

// do is exec without the action.
func (ts *testServer) do(sess *Session, args ...string) string {
	out, _ := ts.exec(sess, args...)
	return out
}

// bulk is the RESP encoding of a bulk string.
func rBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// errReply is the RESP encoding of an error.
func rErr(s string) string { return "-" + s + "\r\n" }
