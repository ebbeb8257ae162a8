package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nebredis/nebredis/internal/testenv"
)

// replyTimeout bounds every read of a reply, so a server that never answers
// fails the test instead of hanging it.
const replyTimeout = 10 * time.Second

// target is a running server the tests talk to.
type target struct {
	name string // "redis" or "nebredis", for messages
	addr string // 127.0.0.1:port
}

func (tg *target) port() string {
	_, p, _ := net.SplitHostPort(tg.addr)
	return p
}

// directive is one redis.conf setting a test wants on both servers, such as
// {"requirepass", "secret"}.
type directive struct{ name, value string }

// freePort asks the kernel for an unused loopback port. Another process could
// take it before redis-server binds it; startRedis retries for that case.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	return p
}

// startRedis runs a real redis-server 7 on a free loopback port with
// persistence off and the given directives, and kills it at cleanup.
func startRedis(t testing.TB, conf ...directive) *target {
	t.Helper()
	bin := testenv.LookPath(t, "redis-server")
	dir := t.TempDir()
	var lastOut string
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		cmd := exec.Command(bin, redisServerArgs(port, dir, conf)...)
		var out lockedBuffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start redis-server: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		tg := &target{name: "redis", addr: "127.0.0.1:" + port}
		if waitPing(tg.addr, exited, passwordOf(conf)) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return tg
		}
		cmd.Process.Kill()
		<-exited
		lastOut = out.String()
	}
	t.Fatalf("redis-server did not start; its output:\n%s", lastOut)
	return nil
}

// redisServerArgs is the command line the tests start redis-server with:
// loopback only, no persistence, in the foreground, logging to stdout.
func redisServerArgs(port, dir string, conf []directive) []string {
	args := []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", dir, "--logfile", ""}
	for _, d := range conf {
		args = append(args, "--"+d.name, d.value)
	}
	return args
}

func passwordOf(conf []directive) string {
	for _, d := range conf {
		if d.name == "requirepass" {
			return d.value
		}
	}
	return ""
}

// waitPing polls addr until PING answers PONG (after AUTH when pass is set),
// the process exits, or five seconds pass.
func waitPing(addr string, exited <-chan struct{}, pass string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if pingOnce(addr, pass) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func pingOnce(addr, pass string) bool {
	c, err := dialRaw(addr)
	if err != nil {
		return false
	}
	defer c.Close()
	if pass != "" {
		if r, err := c.Do("AUTH", pass); err != nil || string(r) != "+OK\r\n" {
			return false
		}
	}
	r, err := c.Do("PING")
	return err == nil && string(r) == "+PONG\r\n"
}

// lockedBuffer collects a child process's output; exec writes to it from its
// own goroutine while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rawClient is a minimal RESP client: it sends commands as multibulk arrays
// (or any bytes) and returns each reply as the exact bytes the server sent,
// so replies from two servers can be compared byte for byte.
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(addr string) (*rawClient, error) {
	conn, err := net.DialTimeout("tcp", addr, replyTimeout)
	if err != nil {
		return nil, err
	}
	return &rawClient{conn: conn, r: bufio.NewReaderSize(conn, 64<<10)}, nil
}

// mustDial connects to tg and closes the connection at cleanup.
func mustDial(t testing.TB, tg *target) *rawClient {
	t.Helper()
	c, err := dialRaw(tg.addr)
	if err != nil {
		t.Fatalf("dial %s: %v", tg.name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (c *rawClient) Close() error { return c.conn.Close() }

// Do sends one command and reads its reply.
func (c *rawClient) Do(args ...string) ([]byte, error) {
	if err := c.Write(encodeCommand(args...)); err != nil {
		return nil, err
	}
	return c.ReadReply()
}

// Write sends raw bytes.
func (c *rawClient) Write(b []byte) error {
	c.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	_, err := c.conn.Write(b)
	return err
}

// ReadReply reads exactly one complete reply, including any RESP3 attribute
// that precedes it, and returns its bytes.
func (c *rawClient) ReadReply() ([]byte, error) {
	c.conn.SetReadDeadline(time.Now().Add(replyTimeout))
	var out []byte
	err := readValue(c.r, &out, 0)
	return out, err
}

// errProtocol marks bytes that are not a well-formed RESP2/RESP3 reply.
var errProtocol = errors.New("malformed reply")

// maxDepth bounds nesting so a broken server cannot make the reader recurse
// without end.
const maxDepth = 64

// maxBulk is the largest bulk the reader accepts (Redis's default
// proto-max-bulk-len), so a bad length cannot make it allocate without bound.
const maxBulk = 512 << 20

// readValue appends one RESP value from r to out.
func readValue(r *bufio.Reader, out *[]byte, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nesting deeper than %d", errProtocol, maxDepth)
	}
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("%w: header line longer than %d bytes", errProtocol, r.Size())
		}
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return fmt.Errorf("%w: bad line %q", errProtocol, line)
	}
	*out = append(*out, line...)
	kind, body := line[0], string(line[1:len(line)-2])
	switch kind {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '!', '=':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || (n == -1 && kind != '$') {
			return fmt.Errorf("%w: bad length in %q", errProtocol, line)
		}
		if n == -1 {
			return nil
		}
		if n > maxBulk {
			return fmt.Errorf("%w: bulk of %d bytes", errProtocol, n)
		}
		start := len(*out)
		*out = append(*out, make([]byte, n+2)...)
		if _, err := io.ReadFull(r, (*out)[start:]); err != nil {
			return err
		}
		if !bytes.HasSuffix(*out, []byte("\r\n")) {
			return fmt.Errorf("%w: bulk not followed by CRLF", errProtocol)
		}
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || (n == -1 && kind != '*') {
			return fmt.Errorf("%w: bad count in %q", errProtocol, line)
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readValue(r, out, depth+1); err != nil {
				return err
			}
		}
		if kind == '|' { // an attribute precedes the reply it describes
			return readValue(r, out, depth+1)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown type byte in %q", errProtocol, line)
}

// encodeCommand encodes args as a RESP multibulk array.
func encodeCommand(args ...string) []byte {
	b := make([]byte, 0, 16+16*len(args))
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// node is a parsed reply, for the comparisons that must look inside one
// (sorting unordered replies, following SCAN cursors, comparing shapes).
type node struct {
	kind  byte   // RESP type byte
	head  string // the header line without type byte and CRLF
	str   string // payload of bulk, verbatim and blob-error values
	elems []*node
	attr  []byte // raw bytes of a preceding attribute, if any
}

// parseReply parses the bytes of one complete reply.
func parseReply(raw []byte) (*node, error) {
	r := bufio.NewReader(bytes.NewReader(raw))
	n, err := parseValue(r)
	if err != nil {
		return nil, err
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing bytes after reply", errProtocol)
	}
	return n, nil
}

func parseValue(r *bufio.Reader) (*node, error) {
	var raw []byte
	if err := readValue(r, &raw, 0); err != nil {
		return nil, err
	}
	return parseComplete(raw)
}

// parseComplete parses raw, which readValue has already checked is one
// well-formed value.
func parseComplete(raw []byte) (*node, error) {
	n, rest := parseAt(raw)
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errProtocol)
	}
	return n, nil
}

func parseAt(raw []byte) (*node, []byte) {
	i := bytes.IndexByte(raw, '\n')
	n := &node{kind: raw[0], head: string(raw[1 : i-1])}
	rest := raw[i+1:]
	switch n.kind {
	case '$', '!', '=':
		l, _ := strconv.Atoi(n.head)
		if l >= 0 {
			n.str = string(rest[:l])
			rest = rest[l+2:]
		}
	case '*', '~', '>', '%', '|':
		c, _ := strconv.Atoi(n.head)
		if n.kind == '%' || n.kind == '|' {
			c *= 2
		}
		for j := 0; j < c; j++ {
			var e *node
			e, rest = parseAt(rest)
			n.elems = append(n.elems, e)
		}
		if n.kind == '|' {
			attr := raw[:len(raw)-len(rest)]
			var v *node
			v, rest = parseAt(rest)
			v.attr = attr
			return v, rest
		}
	default:
		n.str = n.head
	}
	return n, rest
}

// encode writes n back as RESP bytes.
func (n *node) encode() []byte {
	var b []byte
	b = append(b, n.attr...)
	b = append(b, n.kind)
	switch n.kind {
	case '*', '~', '>', '%':
		c := len(n.elems)
		if n.kind == '%' {
			c /= 2
		}
		if n.kind == '*' && n.head == "-1" {
			return append(b, "-1\r\n"...)
		}
		b = strconv.AppendInt(b, int64(c), 10)
		b = append(b, "\r\n"...)
		for _, e := range n.elems {
			b = append(b, e.encode()...)
		}
		return b
	case '$', '!', '=':
		b = append(b, n.head...)
		b = append(b, "\r\n"...)
		if n.head != "-1" {
			b = append(b, n.str...)
			b = append(b, "\r\n"...)
		}
		return b
	}
	b = append(b, n.head...)
	return append(b, "\r\n"...)
}

// isAggregate reports whether n holds elements.
func (n *node) isAggregate() bool {
	switch n.kind {
	case '*', '~', '>', '%':
		return true
	}
	return false
}

// sorted returns a copy of n whose elements (map pairs for maps) are in
// byte order, for replies whose order Redis leaves unspecified.
func (n *node) sorted() *node {
	c := *n
	if !n.isAggregate() {
		return &c
	}
	if n.kind == '%' {
		type pair struct{ k, v *node }
		pairs := make([]pair, 0, len(n.elems)/2)
		for i := 0; i+1 < len(n.elems); i += 2 {
			pairs = append(pairs, pair{n.elems[i], n.elems[i+1]})
		}
		sort.Slice(pairs, func(i, j int) bool {
			return bytes.Compare(pairs[i].k.encode(), pairs[j].k.encode()) < 0
		})
		c.elems = nil
		for _, p := range pairs {
			c.elems = append(c.elems, p.k, p.v)
		}
		return &c
	}
	c.elems = append([]*node(nil), n.elems...)
	sort.Slice(c.elems, func(i, j int) bool {
		return bytes.Compare(c.elems[i].encode(), c.elems[j].encode()) < 0
	})
	return &c
}

// masked returns a copy of n in which the values of the named fields of a
// map, or of a flat field/value array, are replaced by a placeholder.
func (n *node) masked(fields []string) *node {
	c := *n
	if (n.kind != '%' && n.kind != '*') || len(n.elems)%2 != 0 {
		return &c
	}
	c.elems = append([]*node(nil), n.elems...)
	for i := 0; i < len(c.elems); i += 2 {
		for _, f := range fields {
			if c.elems[i].str == f {
				c.elems[i+1] = &node{kind: '+', head: "<masked>", str: "<masked>"}
			}
		}
	}
	return &c
}

// shape describes n's types and element counts without its values, for
// replies like TIME whose values differ between any two servers.
func (n *node) shape() string {
	var sb strings.Builder
	n.writeShape(&sb)
	return sb.String()
}

func (n *node) writeShape(sb *strings.Builder) {
	sb.WriteByte(n.kind)
	if n.isAggregate() {
		fmt.Fprintf(sb, "%d[", len(n.elems))
		for _, e := range n.elems {
			e.writeShape(sb)
		}
		sb.WriteByte(']')
	}
}

// quoteReply shows raw reply bytes readably in failure messages.
func quoteReply(b []byte) string {
	const limit = 600
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}

// describeDiff shows two replies that differ, and for long ones where they
// start to differ.
func describeDiff(want, got []byte) string {
	s := fmt.Sprintf("  redis:    %s\n  nebredis: %s", quoteReply(want), quoteReply(got))
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	if i < 200 {
		return s
	}
	from := i - 60
	return s + fmt.Sprintf("\n  first difference at byte %d:\n  redis:    ...%s\n  nebredis: ...%s",
		i, quoteReply(want[from:min(len(want), i+200)]), quoteReply(got[from:min(len(got), i+200)]))
}
