package resp

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nebredis/nebredis/internal/testenv"
)

// exchange sends payload on a fresh connection and collects the replies
// until the server closes the connection or stays quiet for quiet. It
// reports what arrived and whether the connection was closed.
func exchange(addr string, payload []byte, quiet time.Duration) (string, bool, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", false, err
	}
	defer c.Close()
	go func() {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write(payload) // may fail once the server closes: that is an answer too
	}()
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	for {
		c.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out.String(), false, nil
			}
			return out.String(), true, nil // EOF or reset: closed
		}
	}
}

// differentialPayloads exercise the protocol layer with PING and QUIT
// only, so the replies do not depend on how much of commands/ exists.
var differentialPayloads = []string{
	"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nPING\r\n$3\r\na b\r\n",
	"*2\r\n$4\r\nPING\r\n$3\r\n\x00\r\n\r\n",
	"*0\r\n*-1\r\n*-5\r\n\r\n\n  \r\n\t\r\nPING\r\n",
	"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
	"*1\rX$4\rXPING\r\n",
	"PING\rPING\r\n",
	"PING \"a b\"\r\nPING \"\\x41\\n\\q\\a\\b\"\r\nPING 'a\\'b'\r\nPING a\"b\"\r\nPING \"\"\r\nPING\tx\r\n",
	"PING \"\\xZZ\"\r\nPING 'a\\nb'\r\n",
	"PING\r\nQUIT\r\nPING\r\n",
	"*1\r\n$9223372036854775807\r\n",
	"*1\r\n$99999999999999999999\r\n",
	"*1\r\n$-1\r\n",
	"*1\r\n$-0\r\n\r\n",
	"*1\r\n$04\r\nPING\r\n",
	"*1\r\n$+4\r\nPING\r\n",
	"*1\r\n$ 4\r\nPING\r\n",
	"*1\r\n$\r\n",
	"*1\r\n$4\nPING\r\n",
	"*1\r\n$536870913\r\n",
	"*1\r\n$536870912\r\n",
	"*abc\r\n",
	"*\r\n",
	"*01\r\n$4\r\nPING\r\n",
	"*-0\r\n",
	"*1\n$4\r\nPING\r\n",
	"*2147483648\r\n",
	"*2147483647\r\n",
	"*1\r\nx\r\n",
	"*2\r\n$4\r\nPING\r\n:1\r\n",
	"*1\r\n\r\n",
	"*1\r\n\xff\r\n",
	"*1\x00\r\n$4\r\nPING\r\n",
	"\x00\r\nPING\r\n",
	"PING\x00\n",
	"PING \"foo\r\n",
	"PING \"foo\"bar\r\n",
	"PING \"abc\\\"\r\n",
	"PING 'abc\\\r\n",
	"*2\r\n$4\r\nPING\r\n$3\r\nab",
	"PING\r\n*1\r\n$4\r\nPI",
	"*" + strings.Repeat("1", 70000),
	"*1\r\n$" + strings.Repeat("1", 70000),
	strings.Repeat("x", 70000),
}

// TestAgainstRedisServer sends the same bytes to redis-server and to
// nebredis and requires the same replies and the same decision to close.
func TestAgainstRedisServer(t *testing.T) {
	redisAddr := "127.0.0.1:" + strconv.Itoa(testenv.RedisServer(t))
	ts := startServer(t, Options{}, nil, nil)
	type result struct {
		out    string
		closed bool
		err    error
	}
	results := make([][2]result, len(differentialPayloads))
	var wg sync.WaitGroup
	for i, p := range differentialPayloads {
		for j, addr := range []string{redisAddr, ts.addr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, closed, err := exchange(addr, []byte(p), 500*time.Millisecond)
				results[i][j] = result{out, closed, err}
			}()
		}
	}
	wg.Wait()
	for i, p := range differentialPayloads {
		r, n := results[i][0], results[i][1]
		if r.err != nil || n.err != nil {
			t.Fatalf("%q: redis err %v, nebredis err %v", trim(p), r.err, n.err)
		}
		if r.out != n.out || r.closed != n.closed {
			t.Errorf("%q:\n redis-server: %q closed=%v\n nebredis:     %q closed=%v", trim(p), r.out, r.closed, n.out, n.closed)
		}
	}
	if testing.Verbose() {
		for i, p := range differentialPayloads {
			fmt.Printf("%-40q -> %q closed=%v\n", trim(p), results[i][0].out, results[i][0].closed)
		}
	}
}
