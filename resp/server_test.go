package resp

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/redis/go-redis/v9"
)

// addTestCommands registers test-only commands in the server's table.
func addTestCommands(h *commands.Server) {
	h.Table.Add(&commands.Command{Name: "test.panic", Arity: -1, Handler: func(c *commands.Ctx) {
		c.W.WriteSimple("half a reply")
		panic("test.panic was called")
	}})
	h.Table.Add(&commands.Command{Name: "test.proto", Arity: 2, Handler: func(c *commands.Ctx) {
		c.Sess.Proto, _ = strconv.Atoi(string(c.Args[1]))
		c.W.WriteSimple("OK")
	}})
	h.Table.Add(&commands.Command{Name: "test.types", Arity: 1, Handler: func(c *commands.Ctx) {
		writeEveryType(c.W)
	}})
	h.Table.Add(&commands.Command{Name: "test.kill", Arity: 1, Handler: func(c *commands.Ctx) {
		c.W.WriteSimple("OK")
		go c.Sess.Kill() // from another goroutine, like CLIENT KILL
	}})
	h.Table.Add(&commands.Command{Name: "test.big", Arity: 2, Handler: func(c *commands.Ctx) {
		n, _ := strconv.Atoi(string(c.Args[1]))
		c.W.WriteBulk(bytes.Repeat([]byte("b"), n))
	}})
	h.Table.Add(&commands.Command{Name: "test.set", Arity: 3, Handler: func(c *commands.Ctx) {
		if err := c.Srv.Engine.Set(c.Sess.DB, c.Args[1], c.Args[2], 0); err != nil {
			c.W.WriteError(commands.EngineError(err))
			return
		}
		c.W.WriteSimple("OK")
	}})
	h.Table.Add(&commands.Command{Name: "test.get", Arity: 2, Handler: func(c *commands.Ctx) {
		// View writes straight from engine memory: no copy, no allocation.
		if !c.Srv.Engine.View(c.Sess.DB, c.Args[1], func(v *engine.Value) { c.W.WriteBulk(v.Data) }) {
			c.W.WriteNull()
		}
	}})
}

func TestPipelinedPings(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	const n = 1000
	req := strings.Repeat("*1\r\n$4\r\nPING\r\n", n/2) + strings.Repeat("PING\r\n", n/2)
	expect(t, c, req, strings.Repeat("+PONG\r\n", n))
}

func TestInline(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	expect(t, c, "PING\r\n", "+PONG\r\n")
	expect(t, c, "ping\n", "+PONG\r\n")
	expect(t, c, "PING \"hello world\"\r\n", "$11\r\nhello world\r\n")
	expect(t, c, "PING '\\x41'\r\nPING \"\\x41\"\r\n", "$4\r\n\\x41\r\n$1\r\nA\r\n")
}

func TestIgnoredRequests(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	expect(t, c, "*0\r\n\r\n*-1\r\n\n   \r\n*1\r\n$4\r\nPING\r\n", "+PONG\r\n")
}

func TestQuitFlushesAndCloses(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	c.Write([]byte("PING\r\nQUIT\r\nPING\r\n"))
	if got := readToEOF(t, c, 5*time.Second); got != "+PONG\r\n+OK\r\n" {
		t.Fatalf("got %q", got)
	}
}

// The payload that makes redcon v1.6.2 panic the process gets Redis's
// error, and the server keeps serving.
func TestRedconPanicPayload(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	c.Write([]byte("PING\r\n*1\r\n$9223372036854775807\r\n"))
	if got := readToEOF(t, c, 5*time.Second); got != "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n" {
		t.Fatalf("got %q", got)
	}
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}

func TestProtocolErrorsCloseConnection(t *testing.T) {
	ts := startServer(t, Options{ProtoMaxBulkLen: 1000}, nil, nil)
	for _, tc := range []struct{ in, want string }{
		{"*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$1001\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
		{"PING \"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
	} {
		c := ts.dial(t)
		c.Write([]byte(tc.in))
		if got := readToEOF(t, c, 5*time.Second); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	// At the limit is fine.
	expect(t, ts.dial(t), "*2\r\n$4\r\nPING\r\n$1000\r\n"+strings.Repeat("z", 1000)+"\r\n",
		"$1000\r\n"+strings.Repeat("z", 1000)+"\r\n")
}

func TestHugeInlineLine(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	go func() {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write(bytes.Repeat([]byte("a"), 1<<20)) // fails once the server closes; fine
	}()
	if got := readToEOF(t, c, 5*time.Second); got != "-ERR Protocol error: too big inline request\r\n" {
		t.Fatalf("got %q", got)
	}
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}

func TestTruncatedFrames(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	// Delivered one byte at a time, a request still works.
	c := ts.dial(t)
	for _, b := range []byte("*2\r\n$4\r\nPING\r\n$2\r\nhi\r\n") {
		c.Write([]byte{b})
	}
	expect(t, c, "", "$2\r\nhi\r\n")
	// A request cut short then closed gets no reply and no crash.
	for _, frag := range []string{"*2\r\n$4\r\nPING\r\n", "*2\r\n$4\r\nPI", "*1\r\n$4", "*3", "PING"} {
		c := ts.dial(t)
		c.Write([]byte(frag))
		c.CloseWrite()
		if got := readToEOF(t, c, 5*time.Second); got != "" {
			t.Errorf("%q: got %q", frag, got)
		}
	}
	eventually(t, "clients to go", func() bool { return ts.ClientCount() == 1 })
	expect(t, c, "PING\r\n", "+PONG\r\n")
}

func TestBinaryGarbage(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for range 20 {
		junk := make([]byte, rng.IntN(200_000))
		for i := range junk {
			junk[i] = byte(rng.UintN(256))
		}
		c := ts.dial(t)
		go func() {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write(junk)
			c.CloseWrite()
		}()
		readToEOF(t, c, 5*time.Second)
	}
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}

func TestBigRequestAndReply(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	val := strings.Repeat("v", 8<<20)
	go func() {
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("*2\r\n$4\r\nPING\r\n$" + strconv.Itoa(len(val)) + "\r\n" + val + "\r\nPING\r\n"))
	}()
	expect(t, c, "", "$"+strconv.Itoa(len(val))+"\r\n"+val+"\r\n+PONG\r\n")
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, Options{MaxClients: 2}, nil, nil)
	a, b := ts.dial(t), ts.dial(t)
	expect(t, a, "PING\r\n", "+PONG\r\n")
	expect(t, b, "PING\r\n", "+PONG\r\n")
	c := ts.dial(t)
	if got := readToEOF(t, c, 5*time.Second); got != "-ERR max number of clients reached\r\n" {
		t.Fatalf("third client: got %q", got)
	}
	if ts.RejectedConnections() != 1 {
		t.Fatalf("rejected %d", ts.RejectedConnections())
	}
	a.Close()
	eventually(t, "a place to free up", func() bool { return ts.ClientCount() == 1 })
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
	// Reconfigure applies to the next accept.
	ts.Reconfigure(Options{MaxClients: 10})
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Options{Timeout: 300 * time.Millisecond}, nil, nil)
	idle, busy := ts.dial(t), ts.dial(t)
	expect(t, idle, "PING\r\n", "+PONG\r\n")
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			busy.SetDeadline(time.Now().Add(5 * time.Second))
			busy.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			if _, err := busy.Read(buf); err != nil || string(buf) != "+PONG\r\n" {
				t.Errorf("busy client: %q %v", buf, err)
				return
			}
		}
	}()
	if got := readToEOF(t, idle, 5*time.Second); got != "" {
		t.Fatalf("idle client got %q", got)
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Fatalf("idle client closed after %v, before the timeout", el)
	}
	close(stop)
	wg.Wait()
}

func TestHandlerPanicIsContained(t *testing.T) {
	ts := startServer(t, Options{}, nil, addTestCommands)
	c := ts.dial(t)
	c.Write([]byte("PING a\r\nTEST.PANIC\r\nPING b\r\n"))
	// The replies before the panic are delivered, the half reply is not.
	if got := readToEOF(t, c, 5*time.Second); got != "$1\r\na\r\n" {
		t.Fatalf("got %q", got)
	}
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
	eventually(t, "the panicked client to be unregistered", func() bool { return ts.ClientCount() == 1 })
}

func TestKillFromAnotherGoroutine(t *testing.T) {
	ts := startServer(t, Options{}, nil, addTestCommands)
	c := ts.dial(t)
	c.Write([]byte("TEST.KILL\r\n"))
	got := readToEOF(t, c, 5*time.Second)
	if got != "+OK\r\n" && got != "" { // the kill may win the race with the flush
		t.Fatalf("got %q", got)
	}
	eventually(t, "the killed client to go", func() bool { return ts.ClientCount() == 0 })
}

func TestOutputBufferLimit(t *testing.T) {
	ts := startServer(t, Options{OutputBufferLimit: 1 << 20}, nil, addTestCommands)
	c := ts.dial(t)
	small := "$1000\r\n" + strings.Repeat("b", 1000) + "\r\n"
	expect(t, c, "TEST.BIG 1000\r\n", small)
	// Many replies that add up past the limit are fine: they are flushed
	// as the pipeline runs.
	c.Write([]byte(strings.Repeat("TEST.BIG 1000\r\n", 3000)))
	roundTrip(t, c, "", 3000*len(small))
	// One reply over the limit closes the client, after the replies before it.
	c.Write([]byte("TEST.BIG 1000\r\nTEST.BIG 2000000\r\nTEST.BIG 1000\r\n"))
	if got := readToEOF(t, c, 5*time.Second); got != small {
		t.Fatalf("got %q", trim(got))
	}
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}

func TestQueryBufferLimit(t *testing.T) {
	ts := startServer(t, Options{QueryBufferLimit: 256 << 10}, nil, nil)
	c := ts.dial(t)
	go func() {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("*2\r\n$4\r\nPING\r\n$1048576\r\n"))
		c.Write(bytes.Repeat([]byte("q"), 1<<20))
	}()
	if got := readToEOF(t, c, 5*time.Second); got != "" {
		t.Fatalf("got %q", trim(got))
	}
}

func TestUnauthenticatedLimits(t *testing.T) {
	ts := startServer(t, Options{}, func(cfg *config.Config) { cfg.RequirePass = "secret" }, nil)
	c := ts.dial(t)
	c.Write([]byte("*11\r\n"))
	if got := readToEOF(t, c, 5*time.Second); got != "-ERR Protocol error: unauthenticated multibulk length\r\n" {
		t.Fatalf("got %q", got)
	}
	c = ts.dial(t)
	c.Write([]byte("*2\r\n$4\r\nPING\r\n$16385\r\n"))
	if got := readToEOF(t, c, 5*time.Second); got != "-ERR Protocol error: unauthenticated bulk length\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestReplyShapesPerProtocol(t *testing.T) {
	ts := startServer(t, Options{}, nil, addTestCommands)
	c := ts.dial(t)
	expect(t, c, "TEST.TYPES\r\n", everyTypeRESP2)
	// The protocol switch takes effect for the next reply of the same batch.
	expect(t, c, "TEST.PROTO 3\r\nTEST.TYPES\r\nTEST.PROTO 2\r\nTEST.TYPES\r\n",
		"+OK\r\n"+everyTypeRESP3+"+OK\r\n"+everyTypeRESP2)
}

func TestCloseEndsEverything(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	conns := make([]*net.TCPConn, 5)
	for i := range conns {
		conns[i] = ts.dial(t)
		expect(t, conns[i], "PING\r\n", "+PONG\r\n")
	}
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ts.ClientCount(); n != 0 {
		t.Fatalf("%d clients after Close", n)
	}
	for _, c := range conns {
		readToEOF(t, c, 5*time.Second)
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Fatal("still accepting after Close")
	}
}

func TestListenAndServe(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	srv := NewServer(ts.h, Options{})
	if err := srv.Listen("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	for _, a := range srv.Addrs() {
		c, err := net.DialTimeout("tcp", a.String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, c, "PING\r\n", "+PONG\r\n")
		c.Close()
	}
	srv.Close()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe after Close: %v", err)
	}
}

func goRedis(t *testing.T, ts *testServer, proto int) *redis.Client {
	rc := redis.NewClient(&redis.Options{Addr: ts.addr, Protocol: proto, DisableIdentity: true,
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	t.Cleanup(func() { rc.Close() })
	return rc
}

func TestGoRedisRESP2(t *testing.T) {
	ts := startServer(t, Options{}, nil, addTestCommands)
	testGoRedis(t, ts, goRedis(t, ts, 2))
}

func TestGoRedisRESP3(t *testing.T) {
	ts := startServer(t, Options{}, nil, func(h *commands.Server) {
		addTestCommands(h)
		if !hasCommand(h, "hello") {
			// commands/ has no HELLO yet: a minimal stand-in so a RESP3
			// client can switch protocols (the real one replaces it).
			h.Table.Add(&commands.Command{Name: "hello", Arity: -1, Handler: func(c *commands.Ctx) {
				if len(c.Args) > 1 {
					c.Sess.Proto, _ = strconv.Atoi(string(c.Args[1]))
				}
				c.W.WriteMap(2)
				c.W.WriteBulkString("server")
				c.W.WriteBulkString("redis")
				c.W.WriteBulkString("proto")
				c.W.WriteInt(int64(c.Sess.Proto))
			}})
		}
	})
	rc := goRedis(t, ts, 3)
	testGoRedis(t, ts, rc)
	v, err := rc.Do(context.Background(), "test.types").Result()
	if err != nil {
		t.Fatal(err)
	}
	if arr, ok := v.([]any); !ok || len(arr) != 14 {
		t.Fatalf("test.types: %#v", v)
	} else if m, ok := arr[7].(map[any]any); !ok || m["k"] != int64(1) {
		t.Fatalf("map element: %#v", arr[7])
	} else if arr[12] != "hi" || arr[10] != true || arr[9] != 0.1 {
		t.Fatalf("verbatim/bool/double: %#v %#v %#v", arr[12], arr[10], arr[9])
	}
}

func testGoRedis(t *testing.T, ts *testServer, rc *redis.Client) {
	ctx := context.Background()
	if got, err := rc.Ping(ctx).Result(); err != nil || got != "PONG" {
		t.Fatalf("PING: %q %v", got, err)
	}
	pipe := rc.Pipeline()
	var cmds []*redis.Cmd
	for i := range 100 {
		cmds = append(cmds, pipe.Do(ctx, "ping", strconv.Itoa(i)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range cmds {
		if c.Val() != strconv.Itoa(i) {
			t.Fatalf("pipelined ping %d: %v", i, c.Val())
		}
	}
	if err := rc.Do(ctx, "test.set", "k", "v\r\n\x00").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := rc.Do(ctx, "test.get", "k").Text(); err != nil || got != "v\r\n\x00" {
		t.Fatalf("test.get: %q %v", got, err)
	}
	if err := rc.Do(ctx, "test.get", "missing").Err(); err != redis.Nil {
		t.Fatalf("missing key: %v, want redis.Nil", err)
	}
	if hasCommand(ts.h, "echo") {
		if got, err := rc.Echo(ctx, "héllo").Result(); err != nil || got != "héllo" {
			t.Fatalf("ECHO: %q %v", got, err)
		}
	} else {
		t.Log("commands/ has no ECHO yet; skipped the ECHO round trip")
	}
}

// A client may write a whole pipeline before reading any reply (redis-py's
// pipeline does). With replies and requests both larger than the kernel's
// socket buffers, a server that blocks writing replies while the client
// blocks writing requests would deadlock; Redis keeps reading, and so must we.
func TestClientWritesEverythingBeforeReading(t *testing.T) {
	ts := startServer(t, Options{WriteTimeout: 3 * time.Second}, nil, nil)
	c := ts.dial(t)
	const n = 150_000
	arg := strings.Repeat("p", 200)
	req := []byte(strings.Repeat("*2\r\n$4\r\nPING\r\n$200\r\n"+arg+"\r\n", n))
	c.SetWriteDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write(req); err != nil {
		t.Fatalf("writing %d bytes of pipeline before reading: %v", len(req), err)
	}
	reply := "$200\r\n" + arg + "\r\n"
	got := roundTrip(t, c, "", n*len(reply))
	if got != strings.Repeat(reply, n) {
		t.Fatal("replies differ")
	}
	expect(t, c, "PING\r\n", "+PONG\r\n")
}

// A client that stops reading is closed once its queued replies pass the
// output buffer limit, and the server goes on.
func TestOutputQueueLimit(t *testing.T) {
	ts := startServer(t, Options{OutputBufferLimit: 4 << 20, WriteTimeout: 10 * time.Second}, nil, addTestCommands)
	c := ts.dial(t)
	c.SetReadBuffer(4096)
	// 64 MiB of replies, never read: the queue passes 4 MiB.
	c.Write([]byte(strings.Repeat("TEST.BIG 65536\r\n", 1024)))
	eventually(t, "the client to be dropped", func() bool { return ts.ClientCount() == 0 })
	expect(t, ts.dial(t), "PING\r\n", "+PONG\r\n")
}
