package resp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// testServer is a real stack: engine, commands.Server and resp.Server
// listening on a loopback port.
type testServer struct {
	*Server
	h    *commands.Server
	addr string
}

// startServer starts a server; setup (may be nil) can adjust the config
// before the commands.Server is built, and add test-only commands after.
func startServer(t testing.TB, opts Options, cfgEdit func(*config.Config), setup func(*commands.Server)) *testServer {
	t.Helper()
	eng, err := engine.Open(engine.Options{})
	if err != nil {
		t.Fatalf("engine.Open: %v", err)
	}
	cfg := config.Default()
	if cfgEdit != nil {
		cfgEdit(&cfg)
	}
	h := commands.New(cfg, eng)
	if setup != nil {
		setup(h)
	}
	srv := NewServer(h, opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v after Close", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after Close")
		}
		eng.Close()
	})
	return &testServer{Server: srv, h: h, addr: l.Addr().String()}
}

func (ts *testServer) dial(t testing.TB) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// roundTrip writes payload and reads until want bytes arrived (or the
// deadline passed); it returns what was read.
func roundTrip(t testing.TB, c net.Conn, payload string, want int) string {
	t.Helper()
	if payload != "" {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte(payload)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	buf := make([]byte, want)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.ReadFull(c, buf)
	if err != nil {
		t.Fatalf("read %d bytes: got %d (%q): %v", want, n, buf[:n], err)
	}
	return string(buf)
}

// expect sends payload and checks the exact reply.
func expect(t testing.TB, c net.Conn, payload, want string) {
	t.Helper()
	if got := roundTrip(t, c, payload, len(want)); got != want {
		t.Fatalf("sent %q: got %q, want %q", trim(payload), got, want)
	}
}

// readToEOF reads until the server closes the connection; it fails the
// test if that takes longer than d.
func readToEOF(t testing.TB, c net.Conn, d time.Duration) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	_, err := io.Copy(&out, c)
	if err != nil && !isReset(err) {
		t.Fatalf("waiting for close: got %q, err %v", trim(out.String()), err)
	}
	return out.String()
}

// isReset: the server closing a socket with unread input makes the kernel
// send RST, which the reader may see instead of EOF.
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "...(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

// hasCommand reports whether the commands package registers name yet
// (commands/ is being filled in while resp is written).
func hasCommand(h *commands.Server, name string) bool {
	return h.Table.Lookup([]byte(name)) != nil
}

// eventually polls cond for up to 5s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
