package resp

import (
	"math"
	"testing"

	"github.com/nebredis/nebredis/commands"
)

// writeEveryType writes one of each reply shape: the handler side of the
// contract, in RESP3 terms.
var bulkCRLF, rawReply = []byte("a\r\nb"), []byte("+raw\r\n")

func writeEveryType(w commands.Writer) {
	w.WriteArray(14)
	w.WriteSimple("OK")
	w.WriteError("ERR bad\r\nthing")
	w.WriteInt(-12)
	w.WriteBulk(bulkCRLF)
	w.WriteBulkString("")
	w.WriteNull()
	w.WriteNullArray()
	w.WriteMap(1)
	w.WriteBulkString("k")
	w.WriteInt(1)
	w.WriteSet(1)
	w.WriteBulkString("m")
	w.WriteDouble(0.1)
	w.WriteBool(true)
	w.WriteBool(false)
	w.WriteVerbatim("txt", "hi")
	w.WriteRaw(rawReply)
}

const everyTypeRESP3 = "*14\r\n+OK\r\n-ERR bad  thing\r\n:-12\r\n$4\r\na\r\nb\r\n$0\r\n\r\n_\r\n_\r\n" +
	"%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\nm\r\n,0.10000000000000001\r\n#t\r\n#f\r\n=6\r\ntxt:hi\r\n+raw\r\n"

const everyTypeRESP2 = "*14\r\n+OK\r\n-ERR bad  thing\r\n:-12\r\n$4\r\na\r\nb\r\n$0\r\n\r\n$-1\r\n*-1\r\n" +
	"*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\nm\r\n$19\r\n0.10000000000000001\r\n:1\r\n:0\r\n$2\r\nhi\r\n+raw\r\n"

func TestWriterShapes(t *testing.T) {
	for _, tc := range []struct {
		proto int
		want  string
	}{{3, everyTypeRESP3}, {2, everyTypeRESP2}} {
		w := &replyWriter{sess: &commands.Session{Proto: tc.proto}, limit: 1 << 20}
		writeEveryType(w)
		if got := string(w.buf); got != tc.want {
			t.Errorf("RESP%d:\n got %q\nwant %q", tc.proto, got, tc.want)
		}
	}
}

// The doubles are what redis-server 7.0.15 answers to ZSCORE (RESP3) for
// members added with these scores.
func TestWriterPush(t *testing.T) {
	for proto, want := range map[int]string{2: "*2\r\n$7\r\nmessage\r\n:1\r\n", 3: ">2\r\n$7\r\nmessage\r\n:1\r\n"} {
		w := &replyWriter{sess: &commands.Session{Proto: proto}, limit: 1 << 20}
		w.WritePush(2)
		w.WriteBulkString("message")
		w.WriteInt(1)
		if string(w.buf) != want {
			t.Errorf("RESP%d: got %q want %q", proto, w.buf, want)
		}
	}
}

func TestWriterDoubles(t *testing.T) {
	cases := []struct {
		f      float64
		resp3  string
		resp2s string
	}{
		{0.1, ",0.10000000000000001\r\n", "0.10000000000000001"},
		{1e300, ",1.0000000000000001e+300\r\n", "1.0000000000000001e+300"},
		{3, ",3\r\n", "3"},
		{1.5e-7, ",1.4999999999999999e-07\r\n", "1.4999999999999999e-07"},
		{123456789012, ",123456789012\r\n", "123456789012"},
		{math.Inf(1), ",inf\r\n", "inf"},
		{math.Inf(-1), ",-inf\r\n", "-inf"},
		{math.NaN(), ",nan\r\n", "nan"},
		{-2.5, ",-2.5\r\n", "-2.5"},
		{1e17, ",1e+17\r\n", "1e+17"},
	}
	for _, c := range cases {
		w3 := &replyWriter{sess: &commands.Session{Proto: 3}, limit: 1 << 20}
		w3.WriteDouble(c.f)
		if string(w3.buf) != c.resp3 {
			t.Errorf("RESP3 %v: got %q want %q", c.f, w3.buf, c.resp3)
		}
		w2 := &replyWriter{sess: &commands.Session{Proto: 2}, limit: 1 << 20}
		w2.WriteDouble(c.f)
		want2 := string(appendHeader(nil, '$', int64(len(c.resp2s)))) + c.resp2s + "\r\n"
		if string(w2.buf) != want2 {
			t.Errorf("RESP2 %v: got %q want %q", c.f, w2.buf, want2)
		}
	}
}

func TestWriterOverflowDropsAndFlags(t *testing.T) {
	w := &replyWriter{sess: &commands.Session{Proto: 2}, limit: 10}
	w.WriteBulkString("0123456789")
	n := len(w.buf)
	w.WriteSimple("more")
	if !w.overflow || len(w.buf) != n {
		t.Fatalf("overflow %v, len %d -> %d", w.overflow, n, len(w.buf))
	}
}

func TestWriterNoAllocs(t *testing.T) {
	w := &replyWriter{sess: &commands.Session{Proto: 3}, buf: make([]byte, 0, 4096), limit: 1 << 20}
	allocs := testing.AllocsPerRun(100, func() {
		w.buf = w.buf[:0]
		writeEveryType(w)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per reply set, want 0", allocs)
	}
}
