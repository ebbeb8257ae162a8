package resp

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/commands"
)

// fuzzSafeCommands are the rows the fuzzed server keeps: commands that
// cannot block, sleep, pause clients or shut the server down, so that a
// hang or a closed server can only mean a resp bug.
var fuzzSafeCommands = []string{"ping", "echo", "quit", "hello", "set", "get", "del", "incr", "append", "strlen",
	"test.panic", "test.proto", "test.types", "test.big", "test.set", "test.get"}

// FuzzRequest feeds arbitrary bytes through the request path:
//
//  1. the parser alone, in one piece and in 1- and 3-byte chunks, which
//     must agree on the requests and the error;
//  2. a real server (engine, commands, resp) over loopback, which must
//     end the exchange (reply, error or close) without hanging and go on
//     answering PING on another connection.
//
// Run: go test -fuzz=FuzzRequest -fuzztime=60s ./resp
func FuzzRequest(f *testing.F) {
	seeds := []string{
		"*1\r\n$4\r\nPING\r\n",
		"*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"PING\r\nPING \"a b\" 'c\\'d' \"\\x41\\n\"\r\n",
		"*0\r\n*-1\r\n\r\n\n",
		"*1\r\n$9223372036854775807\r\n",
		"*1\r\n$-5\r\n",
		"*abc\r\n",
		"*1\r\nx\r\n",
		"PING \"foo\r\n",
		"PING\x00\r\n",
		"*2\r\n$4\r\nPING\r\n$3\r\nab",
		"HELLO 3\r\nTEST.TYPES\r\nHELLO 2\r\nTEST.TYPES\r\n",
		"TEST.PROTO 3\r\nTEST.TYPES\r\n",
		"PING\r\nTEST.PANIC\r\nPING\r\n",
		"TEST.BIG 100000\r\nQUIT\r\n",
		"*1\r\n$" + strings.Repeat("9", 30) + "\r\n",
		"$4\r\nPING\r\n",
		"\xff\xfe\x00\x01*\r\n$\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	ts := startServer(f, Options{OutputBufferLimit: 8 << 20, QueryBufferLimit: 16 << 20}, nil, func(h *commands.Server) {
		addTestCommands(h)
		safe := commands.NewTable()
		for _, name := range fuzzSafeCommands {
			if c := h.Table.Lookup([]byte(name)); c != nil {
				row := *c
				safe.Add(&row)
			}
		}
		h.Table = safe
	})
	probe, err := net.Dial("tcp", ts.addr)
	if err != nil {
		f.Fatal(err)
	}
	defer probe.Close()

	f.Fuzz(func(t *testing.T, data []byte) {
		// 1. The parser, however the bytes are split.
		whole, wholeErr := parseStream(data, 1<<30, true, 16<<20)
		for _, chunk := range []int{1, 3} {
			got, err := parseStream(data, chunk, true, 16<<20)
			if strings.Join(got, "\n") != strings.Join(whole, "\n") || errText(err) != errText(wholeErr) {
				t.Fatalf("chunk %d disagrees:\n%q %v\nvs whole\n%q %v", chunk, got, err, whole, wholeErr)
			}
		}

		// 2. The server.
		c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		go func() {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write(data)
			c.(*net.TCPConn).CloseWrite()
		}()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server neither answered nor closed within 10s")
			}
		}
		probe.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := probe.Write([]byte("PING\r\n")); err != nil {
			t.Fatalf("server gone: %v", err)
		}
		buf := make([]byte, 7)
		if _, err := io.ReadFull(probe, buf); err != nil || string(buf) != "+PONG\r\n" {
			t.Fatalf("server not answering: %q %v", buf, err)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
