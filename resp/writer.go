package resp

import (
	"math"
	"strconv"
	"strings"

	"github.com/nebredis/nebredis/commands"
)

// replyWriter encodes replies into an output buffer; the connection loop
// flushes it. It implements commands.Writer: handlers write RESP3 shapes and
// replyWriter reads the session's protocol (which HELLO may change in the
// middle of a pipeline) at every call and downgrades for RESP2 clients.
//
// Once the buffer holds more than limit bytes the writer sets overflow and
// drops everything after: the connection loop then closes the client, the
// way Redis enforces an output buffer hard limit. It never flushes by
// itself, because a handler may be writing while it holds an engine lock.
type replyWriter struct {
	buf      []byte
	sess     *commands.Session
	limit    int
	overflow bool
}

var _ commands.Writer = (*replyWriter)(nil)

// full reports whether the limit is passed; afterwards every write is dropped.
func (w *replyWriter) full() bool {
	if len(w.buf) > w.limit {
		w.overflow = true
	}
	return w.overflow
}

func (w *replyWriter) resp3() bool { return w.sess.Proto >= 3 }

// appendHeader appends a type byte, a decimal number and CRLF.
func appendHeader(b []byte, t byte, n int64) []byte {
	if n >= 0 && n <= 9 {
		return append(b, t, byte('0'+n), '\r', '\n')
	}
	b = append(b, t)
	b = strconv.AppendInt(b, n, 10)
	return append(b, '\r', '\n')
}

// appendLine appends s with CR and LF replaced by spaces: a simple string
// or error reply is one line, and Redis sanitizes error texts the same way.
func appendLine(b []byte, s string) []byte {
	if strings.IndexByte(s, '\r') < 0 && strings.IndexByte(s, '\n') < 0 {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// WriteSimple writes a status reply: +s.
func (w *replyWriter) WriteSimple(s string) {
	if w.full() {
		return
	}
	w.buf = append(w.buf, '+')
	w.buf = appendLine(w.buf, s)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteError writes an error reply; msg starts with the error code ("ERR",
// "WRONGTYPE"...). A leading '-' is tolerated and not doubled.
func (w *replyWriter) WriteError(msg string) {
	if w.full() {
		return
	}
	msg = strings.TrimPrefix(msg, "-")
	w.buf = append(w.buf, '-')
	w.buf = appendLine(w.buf, msg)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteInt writes :n.
func (w *replyWriter) WriteInt(n int64) {
	if w.full() {
		return
	}
	w.buf = appendHeader(w.buf, ':', n)
}

// WriteBulk writes $len, b.
func (w *replyWriter) WriteBulk(b []byte) {
	if w.full() {
		return
	}
	w.buf = appendHeader(w.buf, '$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBulkString writes $len, s.
func (w *replyWriter) WriteBulkString(s string) {
	if w.full() {
		return
	}
	w.buf = appendHeader(w.buf, '$', int64(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteNull writes RESP3 _ or RESP2's null bulk string $-1.
func (w *replyWriter) WriteNull() {
	if w.full() {
		return
	}
	if w.resp3() {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// WriteNullArray writes RESP3 _ or RESP2's null array *-1.
func (w *replyWriter) WriteNullArray() {
	if w.full() {
		return
	}
	if w.resp3() {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// WriteArray writes *n; n values follow.
func (w *replyWriter) WriteArray(n int) {
	if w.full() {
		return
	}
	w.buf = appendHeader(w.buf, '*', int64(n))
}

// WriteMap writes RESP3 %n (n key-value pairs follow), RESP2 *2n.
func (w *replyWriter) WriteMap(n int) {
	if w.full() {
		return
	}
	if w.resp3() {
		w.buf = appendHeader(w.buf, '%', int64(n))
		return
	}
	w.buf = appendHeader(w.buf, '*', 2*int64(n))
}

// WriteSet writes RESP3 ~n, RESP2 *n.
func (w *replyWriter) WriteSet(n int) {
	if w.full() {
		return
	}
	t := byte('*')
	if w.resp3() {
		t = '~'
	}
	w.buf = appendHeader(w.buf, t, int64(n))
}

// WritePush writes RESP3 >n, RESP2 *n.
func (w *replyWriter) WritePush(n int) {
	if w.full() {
		return
	}
	t := byte('*')
	if w.resp3() {
		t = '>'
	}
	w.buf = appendHeader(w.buf, t, int64(n))
}

// WriteDouble writes RESP3 ,f or, for RESP2, f as a bulk string.
//
// The digits are redis-server 7.0's: addReplyDouble prints "%.17g" in both
// protocols (0.1 is 0.10000000000000001), with inf, -inf and nan spelled
// out. strconv's 'g' format with precision 17 is the same as C's %.17g,
// trailing-zero removal and two-digit exponents included (checked against
// C's printf on 200k random doubles). Redis 7.2 switched to the shortest
// representation; we follow the 7.0.15 binary that is our spec.
func (w *replyWriter) WriteDouble(f float64) {
	if w.full() {
		return
	}
	var tmp [32]byte
	var num []byte
	switch {
	case math.IsInf(f, 1):
		num = append(tmp[:0], "inf"...)
	case math.IsInf(f, -1):
		num = append(tmp[:0], "-inf"...)
	case math.IsNaN(f):
		num = append(tmp[:0], "nan"...)
	default:
		num = strconv.AppendFloat(tmp[:0], f, 'g', 17, 64)
	}
	if w.resp3() {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, num...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.buf = appendHeader(w.buf, '$', int64(len(num)))
	w.buf = append(w.buf, num...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBool writes RESP3 #t/#f, RESP2 :1/:0.
func (w *replyWriter) WriteBool(b bool) {
	if w.full() {
		return
	}
	switch {
	case w.resp3() && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.resp3():
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// WriteVerbatim writes RESP3 =len\r\nfmt:s (format is three letters, "txt"
// or "mkd"; anything else is sent as "txt"), RESP2 a bulk string of s.
func (w *replyWriter) WriteVerbatim(format string, s string) {
	if w.full() {
		return
	}
	if !w.resp3() {
		w.WriteBulkString(s)
		return
	}
	if len(format) != 3 {
		format = "txt"
	}
	w.buf = appendHeader(w.buf, '=', int64(len(s)+4))
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteRaw appends pre-encoded protocol bytes as they are.
func (w *replyWriter) WriteRaw(b []byte) {
	if w.full() {
		return
	}
	w.buf = append(w.buf, b...)
}
