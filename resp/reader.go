package resp

import (
	"bytes"
	"errors"
	"io"
	"math"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// Sizes and limits of the request reader. inlineMax is Redis's
// PROTO_INLINE_MAX_SIZE: the longest inline request, and the longest
// "*<n>\r\n" or "$<n>\r\n" header line it waits for before giving up.
const (
	inlineMax = 64 * 1024
	// unauthMultibulk and unauthBulk are the largest request a client that
	// still has to AUTH may announce (Redis 7 checks the same numbers).
	unauthMultibulk = 10
	unauthBulk      = 16 * 1024

	readBufSize  = 16 * 1024 // initial read buffer, and the size it shrinks back to
	minRead      = 4 * 1024  // never call Read with less free space than this
	maxIdleRead  = 64 * 1024 // a drained buffer bigger than this is given back
	maxProtoBulk = 512 << 20 // proto-max-bulk-len default
)

// protocolError is a malformed request. Its text is the reply Redis sends
// (without the leading '-') before it closes the connection.
type protocolError struct{ reply string }

func (e *protocolError) Error() string { return e.reply }

// The protocol errors of Redis 7's processInlineBuffer and
// processMultibulkBuffer, byte for byte.
var (
	errTooBigInline       = &protocolError{"ERR Protocol error: too big inline request"}
	errUnbalancedQuotes   = &protocolError{"ERR Protocol error: unbalanced quotes in request"}
	errTooBigMbulkCount   = &protocolError{"ERR Protocol error: too big mbulk count string"}
	errTooBigBulkCount    = &protocolError{"ERR Protocol error: too big bulk count string"}
	errInvalidMultibulk   = &protocolError{"ERR Protocol error: invalid multibulk length"}
	errInvalidBulk        = &protocolError{"ERR Protocol error: invalid bulk length"}
	errUnauthMultibulk    = &protocolError{"ERR Protocol error: unauthenticated multibulk length"}
	errUnauthBulk         = &protocolError{"ERR Protocol error: unauthenticated bulk length"}
	errQueryBufferReached = errors.New("resp: client query buffer limit reached")
)

// expectedDollar is the error for a multibulk element that does not start
// with '$'. Redis strips CR and LF from error replies, so they show as ' '.
func expectedDollar(c byte) error {
	if c == '\r' || c == '\n' {
		c = ' '
	}
	return &protocolError{"ERR Protocol error: expected '$', got '" + string([]byte{c}) + "'"}
}

// reader turns the bytes of one connection into requests. It owns one
// growable buffer: buf[r:w] holds bytes received and not yet consumed, and r
// is where the request being parsed begins. A multibulk request that is not
// complete yet keeps its progress (need, bulk, offs) so bytes are scanned
// once, however slowly they arrive.
//
// The argument slices that next returns point into buf; they stay valid
// until the next call of next or fill, which may overwrite or move them.
type reader struct {
	buf  []byte
	r, w int

	p    int   // parse position inside the current multibulk request
	need int   // bulk strings still missing from it; 0 between requests
	bulk int   // length of the bulk being read; -1 when its header is next
	offs []int // [start, end) of each argument so far, relative to r
	args [][]byte

	maxBulk      int64
	maxMultibulk int64
}

func newReader() reader {
	return reader{buf: make([]byte, readBufSize), bulk: -1, maxBulk: maxProtoBulk, maxMultibulk: math.MaxInt32}
}

// pending is how many bytes of unprocessed requests the reader holds, plus
// the bookkeeping for the arguments parsed so far: the client's share of
// client-query-buffer-limit.
func (rd *reader) pending() int64 {
	return int64(rd.w-rd.r) + int64(len(rd.offs))*8
}

// next parses the next request. ok is false when more bytes are needed.
// A request with no arguments (an empty line, "*0", "*-1") is returned
// with ok true and len(args) == 0: the caller skips it, as Redis does.
// authed tells whether the client may send large requests.
func (rd *reader) next(authed bool) (args [][]byte, ok bool, err error) {
	if rd.need == 0 {
		if rd.r == rd.w {
			return nil, false, nil
		}
		if rd.buf[rd.r] != '*' {
			return rd.inline()
		}
		b := rd.buf[rd.r:rd.w]
		i := indexUntilNUL(b, '\r')
		if i < 0 {
			if len(b) > inlineMax {
				return nil, false, errTooBigMbulkCount
			}
			return nil, false, nil
		}
		if i+2 > len(b) { // the byte after '\r' has not arrived yet
			return nil, false, nil
		}
		n, valid := redisnum.ParseInt(b[1:i])
		if !valid || n > rd.maxMultibulk {
			return nil, false, errInvalidMultibulk
		}
		if n > unauthMultibulk && !authed {
			return nil, false, errUnauthMultibulk
		}
		// Redis skips the two bytes after the number without looking at them.
		rd.p = rd.r + i + 2
		if n <= 0 {
			rd.r = rd.p
			return rd.args[:0], true, nil
		}
		rd.need, rd.bulk, rd.offs = int(n), -1, rd.offs[:0]
	}
	for rd.need > 0 {
		if rd.bulk < 0 {
			b := rd.buf[rd.p:rd.w]
			i := indexUntilNUL(b, '\r')
			if i < 0 {
				if len(b) > inlineMax {
					return nil, false, errTooBigBulkCount
				}
				return nil, false, nil
			}
			if i+2 > len(b) {
				return nil, false, nil
			}
			if b[0] != '$' {
				return nil, false, expectedDollar(b[0])
			}
			n, valid := redisnum.ParseInt(b[1:i])
			if !valid || n < 0 || n > rd.maxBulk {
				return nil, false, errInvalidBulk
			}
			if n > unauthBulk && !authed {
				return nil, false, errUnauthBulk
			}
			rd.p += i + 2
			rd.bulk = int(n)
		}
		if rd.w-rd.p < rd.bulk+2 {
			return nil, false, nil
		}
		// Like Redis, the two bytes after the payload are skipped unchecked.
		rd.offs = append(rd.offs, rd.p-rd.r, rd.p-rd.r+rd.bulk)
		rd.p += rd.bulk + 2
		rd.bulk = -1
		rd.need--
	}
	base := rd.buf[rd.r:]
	args = rd.args[:0]
	for i := 0; i < len(rd.offs); i += 2 {
		s, e := rd.offs[i], rd.offs[i+1]
		args = append(args, base[s:e:e]) // capped: appending never runs into the next argument
	}
	rd.args = args
	rd.r = rd.p
	return args, true, nil
}

// inline parses a telnet-style request line (Redis's processInlineBuffer).
// Quotes and escapes are decoded in place, inside the read buffer.
func (rd *reader) inline() (args [][]byte, ok bool, err error) {
	b := rd.buf[rd.r:rd.w]
	i := indexUntilNUL(b, '\n')
	if i < 0 {
		if len(b) > inlineMax {
			return nil, false, errTooBigInline
		}
		return nil, false, nil
	}
	end := i
	if end > 0 && b[end-1] == '\r' {
		end--
	}
	args, valid := splitInline(b[:end], rd.args[:0])
	if !valid {
		return nil, false, errUnbalancedQuotes
	}
	rd.args = args
	rd.r += i + 1
	rd.p = rd.r
	return args, true, nil
}

// fill reads more bytes from src. Before reading it reclaims consumed space
// and, when the request being parsed needs it, grows the buffer (up to
// limit, the client-query-buffer-limit, past which the request fails with
// errQueryBufferReached).
func (rd *reader) fill(src io.Reader, limit int64) error {
	if rd.r == rd.w {
		// Everything consumed: start over, and give back a buffer that a
		// big request made large.
		rd.r, rd.w, rd.p = 0, 0, 0
		if len(rd.buf) > maxIdleRead {
			rd.buf = make([]byte, readBufSize)
		}
	}
	if rd.pending() > limit {
		return errQueryBufferReached
	}
	// want is how many bytes the buffer must hold from r on: what it has
	// plus room for a useful read, or the whole of a bulk string whose
	// length is known, so that it is read in one piece.
	want := rd.w - rd.r + minRead
	if rd.need > 0 && rd.bulk >= 0 {
		want = max(want, rd.p-rd.r+rd.bulk+2)
	}
	if int64(want) > limit+minRead {
		return errQueryBufferReached
	}
	if len(rd.buf)-rd.r < want {
		if len(rd.buf) >= want {
			rd.compact()
		} else {
			// Doubling keeps a request of many large arguments linear.
			size := int(min(int64(max(2*len(rd.buf), want)), limit+minRead))
			nb := make([]byte, size)
			rd.w = copy(nb, rd.buf[rd.r:rd.w])
			rd.p -= rd.r
			rd.r = 0
			rd.buf = nb
		}
	}
	n, err := src.Read(rd.buf[rd.w:])
	rd.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// compact moves the unconsumed bytes to the front of the buffer. The
// argument offsets are relative to r, so only r, p and w move.
func (rd *reader) compact() {
	n := copy(rd.buf, rd.buf[rd.r:rd.w])
	rd.p -= rd.r
	rd.r, rd.w = 0, n
}

// indexUntilNUL returns the index of the first c in b, or -1 when there is
// none or a NUL byte comes before it. Redis finds delimiters with strchr,
// which stops at NUL; a request that has a NUL before its delimiter is
// therefore never complete and ends with a "too big" error after 64 KiB.
func indexUntilNUL(b []byte, c byte) int {
	// Headers are a few bytes long: a plain loop beats two IndexByte calls.
	for i := 0; i < len(b) && i < 32; i++ {
		switch b[i] {
		case c:
			return i
		case 0:
			return -1
		}
	}
	i := bytes.IndexByte(b, c)
	if i < 0 || bytes.IndexByte(b[:i], 0) >= 0 {
		return -1
	}
	return i
}

// byteAt is line[i], or the terminating NUL past the end.
func byteAt(line []byte, i int) byte {
	if i < len(line) {
		return line[i]
	}
	return 0
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// splitInline splits an inline request line into arguments with the rules
// of Redis's sdssplitargs: blanks separate words, "double quotes" take
// \n \r \t \b \a \xHH and \<any> escapes, 'single quotes' only \', a quote
// may start in the middle of a word, and a closing quote must be followed
// by a blank or the end of the line. The line holds no NUL (the caller
// stops at one), so the end of the slice plays C's terminating NUL.
//
// Decoded words never grow, so they are written over the line itself: the
// write position q never passes the read position p. The returned slices
// alias line. ok is false for unbalanced quotes.
func splitInline(line []byte, args [][]byte) (_ [][]byte, ok bool) {
	n := len(line)
	p := 0
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, true
		}
		start, q := p, p
		inDouble, inSingle := false, false
		for done := false; !done; {
			c := byteAt(line, p)
			switch {
			case inDouble:
				switch {
				case c == '\\' && byteAt(line, p+1) == 'x' && isHex(byteAt(line, p+2)) && isHex(byteAt(line, p+3)):
					line[q] = hexValue(line[p+2])<<4 | hexValue(line[p+3])
					q++
					p += 3
				case c == '\\' && byteAt(line, p+1) != 0:
					p++
					e := line[p]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					line[q] = e
					q++
				case c == '"':
					if next := byteAt(line, p+1); next != 0 && !isSpace(next) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					line[q] = c
					q++
				}
			case inSingle:
				switch {
				case c == '\\' && byteAt(line, p+1) == '\'':
					p++
					line[q] = '\''
					q++
				case c == '\'':
					if next := byteAt(line, p+1); next != 0 && !isSpace(next) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					line[q] = c
					q++
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					line[q] = c
					q++
				}
			}
			if byteAt(line, p) != 0 {
				p++
			}
		}
		args = append(args, line[start:q:q])
	}
}
