package commands

import (
	"testing"

	"github.com/nebredis/nebredis/config"
)

// discardWriter is a Writer that drops every reply, so benchmarks measure
// the dispatcher and the handler, not the encoding.
type discardWriter struct{}

func (discardWriter) WriteSimple(string)           {}
func (discardWriter) WriteError(string)            {}
func (discardWriter) WriteInt(int64)               {}
func (discardWriter) WriteBulk([]byte)             {}
func (discardWriter) WriteBulkString(string)       {}
func (discardWriter) WriteNull()                   {}
func (discardWriter) WriteNullArray()              {}
func (discardWriter) WriteArray(int)               {}
func (discardWriter) WriteMap(int)                 {}
func (discardWriter) WriteSet(int)                 {}
func (discardWriter) WritePush(int)                {}
func (discardWriter) WriteDouble(float64)          {}
func (discardWriter) WriteBool(bool)               {}
func (discardWriter) WriteVerbatim(string, string) {}
func (discardWriter) WriteRaw([]byte)              {}

// TestExecDoesNotAllocate: the dispatcher itself (lookup, checks, stats,
// Ctx) costs no allocation, whatever the case of the name.
func TestExecDoesNotAllocate(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	for _, args := range [][][]byte{
		{[]byte("ping")},
		{[]byte("PING")},
		{[]byte("Echo"), []byte("hello")},
		{[]byte("CLIENT"), []byte("ID")},
	} {
		allocs := testing.AllocsPerRun(200, func() { ts.srv.Exec(sess, args, discardWriter{}) })
		if allocs != 0 {
			t.Errorf("Exec(%q) allocates %.1f times per call", args, allocs)
		}
	}
}

func benchExec(b *testing.B, args ...string) {
	ts := newTestServer(b, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	ts.srv.Exec(sess, toBytes([]string{"set", "key:000001", "value-of-sixteen"}), discardWriter{})
	bargs := toBytes(args)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts.srv.Exec(sess, bargs, discardWriter{})
	}
}

func BenchmarkExecPing(b *testing.B)      { benchExec(b, "PING") }
func BenchmarkExecGet(b *testing.B)       { benchExec(b, "get", "key:000001") }
func BenchmarkExecGetUpper(b *testing.B)  { benchExec(b, "GET", "key:000001") }
func BenchmarkExecGetMiss(b *testing.B)   { benchExec(b, "GET", "nokey") }
func BenchmarkExecSet(b *testing.B)       { benchExec(b, "set", "key:000001", "value-of-sixteen") }
func BenchmarkExecSetUpper(b *testing.B)  { benchExec(b, "SET", "key:000001", "value-of-sixteen") }
func BenchmarkExecClientID(b *testing.B)  { benchExec(b, "CLIENT", "ID") }
func BenchmarkExecUnknown(b *testing.B)   { benchExec(b, "NOSUCH", "a") }
func BenchmarkExecInfoStats(b *testing.B) { benchExec(b, "INFO", "stats") }

// BenchmarkExecParallel runs GET and SET from several sessions at once:
// the shared per-row counters are the contention point.
func BenchmarkExecParallel(b *testing.B) {
	ts := newTestServer(b, config.Default())
	get := toBytes([]string{"GET", "key:000001"})
	set := toBytes([]string{"SET", "key:000001", "value-of-sixteen"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		sess := ts.srv.NewSession("127.0.0.1:1", "127.0.0.1:2", nil)
		defer ts.srv.CloseSession(sess)
		for i := 0; pb.Next(); i++ {
			if i%4 == 0 {
				ts.srv.Exec(sess, set, discardWriter{})
			} else {
				ts.srv.Exec(sess, get, discardWriter{})
			}
		}
	})
}
