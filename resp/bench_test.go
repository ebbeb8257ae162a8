package resp

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nebredis/nebredis/commands"
)

// benchPipeline sends b.N requests in batches of depth (one write per
// batch) and reads the replies, each of which must be reply (checked once
// before timing; during the run only the length is read). Allocations
// reported include the server side, which runs in this process; the
// client side allocates nothing per batch.
func benchPipeline(b *testing.B, ts *testServer, req []byte, reply string, depth int, parallel bool) {
	replyLen := len(reply)
	c0 := ts.dial(b)
	expect(b, c0, string(req), reply)
	batch := bytes.Repeat(req, depth)
	run := func(c net.Conn, n int) {
		buf := make([]byte, replyLen*depth)
		for n > 0 {
			k := min(n, depth)
			if _, err := c.Write(batch[:k*len(req)]); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(c, buf[:k*replyLen]); err != nil {
				b.Error(err)
				return
			}
			n -= k
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	if !parallel {
		c0.SetDeadline(time.Time{})
		b.ResetTimer()
		run(c0, b.N)
		return
	}
	b.SetParallelism(25) // 25 × GOMAXPROCS connections, like redis-benchmark's 50 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		n := 0
		for pb.Next() {
			n++
			if n == depth {
				run(c, n)
				n = 0
			}
		}
		run(c, n)
	})
}

var pingReq = []byte("*1\r\n$4\r\nPING\r\n")

func BenchmarkPing(b *testing.B) {
	ts := startServer(b, Options{}, nil, nil)
	benchPipeline(b, ts, pingReq, "+PONG\r\n", 1, false)
}

func BenchmarkPipelinedPing(b *testing.B) {
	ts := startServer(b, Options{}, nil, nil)
	for _, depth := range []int{16, 128} {
		b.Run("P"+strconv.Itoa(depth), func(b *testing.B) {
			benchPipeline(b, ts, pingReq, "+PONG\r\n", depth, false)
		})
	}
	b.Run("P16-parallel", func(b *testing.B) {
		benchPipeline(b, ts, pingReq, "+PONG\r\n", 16, true)
	})
}

func BenchmarkPipelinedInlinePing(b *testing.B) {
	ts := startServer(b, Options{}, nil, nil)
	benchPipeline(b, ts, []byte("PING\r\n"), "+PONG\r\n", 16, false)
}

// BenchmarkPipelinedSetGet runs SET and GET with a 64-byte value against
// the engine. It uses the test.set/test.get commands (engine.Set/Get
// directly) so that it measures resp and the engine, not the SET option
// parsing of commands/.
func BenchmarkPipelinedSetGet(b *testing.B) {
	ts := startServer(b, Options{}, nil, addTestCommands)
	val := bytes.Repeat([]byte("v"), 64)
	set := []byte("*3\r\n$8\r\ntest.set\r\n$12\r\nkey:00000042\r\n$64\r\n" + string(val) + "\r\n")
	get := []byte("*2\r\n$8\r\ntest.get\r\n$12\r\nkey:00000042\r\n")
	expect(b, ts.dial(b), string(set), "+OK\r\n") // the key GET reads
	b.Run("set-P16", func(b *testing.B) { benchPipeline(b, ts, set, "+OK\r\n", 16, false) })
	b.Run("get-P16", func(b *testing.B) { benchPipeline(b, ts, get, "$64\r\n"+string(val)+"\r\n", 16, false) })
	b.Run("get-P16-parallel", func(b *testing.B) { benchPipeline(b, ts, get, "$64\r\n"+string(val)+"\r\n", 16, true) })
}

// BenchmarkReader measures the parser alone (no network): requests per
// op, bytes per second, and it must not allocate.
func BenchmarkReader(b *testing.B) {
	for _, tc := range []struct {
		name string
		req  string
	}{
		{"ping", "*1\r\n$4\r\nPING\r\n"},
		{"set64", "*3\r\n$3\r\nSET\r\n$12\r\nkey:00000042\r\n$64\r\n" + string(bytes.Repeat([]byte("v"), 64)) + "\r\n"},
		{"inline", "SET key:00000042 \"some value\"\r\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// 64 requests per buffer, parsed again and again.
			data := bytes.Repeat([]byte(tc.req), 64)
			rd := newReader()
			rd.buf = make([]byte, len(data))
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.req)))
			b.ResetTimer()
			for i := 0; i < b.N; {
				copy(rd.buf, data) // inline parsing unquotes in place
				rd.r, rd.w, rd.p = 0, len(data), 0
				for ; i < b.N; i++ {
					args, ok, err := rd.next(true)
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					_ = args
				}
			}
		})
	}
}

// BenchmarkWriter measures encoding one bulk reply and one map entry.
func BenchmarkWriter(b *testing.B) {
	w := &replyWriter{sess: &commands.Session{Proto: 2}, buf: make([]byte, 0, 64<<10), limit: 1 << 30}
	val := bytes.Repeat([]byte("v"), 64)
	b.ReportAllocs()
	for b.Loop() {
		if len(w.buf) > 60<<10 {
			w.buf = w.buf[:0]
		}
		w.WriteBulk(val)
		w.WriteMap(1)
		w.WriteBulkString("field")
		w.WriteDouble(1.5)
	}
}
