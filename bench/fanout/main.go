package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type settings struct {
	subs, messages, size, pipeline, rounds int
}

func main() {
	var s settings
	flag.IntVar(&s.subs, "subs", 100, "subscribers")
	flag.IntVar(&s.messages, "messages", 100_000, "messages published per run")
	flag.IntVar(&s.size, "size", 32, "message payload bytes")
	flag.IntVar(&s.pipeline, "pipeline", 64, "PUBLISH commands in flight")
	flag.IntVar(&s.rounds, "rounds", 3, "runs per server, alternating")
	nebBin := flag.String("nebredis", "", "nebredis binary; empty builds ./cmd/nebredis")
	redisBin := flag.String("redis", "redis-server", "redis-server binary")
	flag.Parse()
	if s.subs < 1 || s.messages < 1 || s.pipeline < 1 || s.rounds < 1 || s.size < 0 {
		fmt.Fprintln(os.Stderr, "fanout: -subs, -messages, -pipeline and -rounds must be positive")
		os.Exit(2)
	}
	if err := run(s, *nebBin, *redisBin); err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
}

func run(s settings, nebBin, redisBin string) error {
	tmp, err := os.MkdirTemp("", "fanout")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if nebBin == "" {
		nebBin = filepath.Join(tmp, "nebredis-bin")
		build := exec.Command("go", "build", "-o", nebBin, "./cmd/nebredis")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building nebredis (run from the repository root, or pass -nebredis): %w", err)
		}
	}
	servers := []struct{ name, bin string }{{"nebredis", nebBin}, {"redis-server", redisBin}}
	addrs := make(map[string]string)
	for _, sv := range servers {
		addr, stop, err := startServer(sv.bin, filepath.Join(tmp, sv.name))
		if err != nil {
			return fmt.Errorf("%s: %w", sv.name, err)
		}
		defer stop()
		addrs[sv.name] = addr
	}
	fmt.Printf("fan-out: 1 publisher, %d subscribers, %d messages of %d bytes, pipeline %d, %d cores (GOMAXPROCS %d)\n",
		s.subs, s.messages, s.size, s.pipeline, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	rates := make(map[string][]float64)
	for r := 0; r < s.rounds; r++ {
		order := []int{0, 1}
		if r%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			name := servers[i].name
			d, err := fanout(addrs[name], s)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			rate := float64(s.messages) * float64(s.subs) / d.Seconds()
			rates[name] = append(rates[name], rate)
			fmt.Printf("round %d %-12s %8.3fs  %12.0f deliveries/s  %10.0f publishes/s\n",
				r+1, name, d.Seconds(), rate, float64(s.messages)/d.Seconds())
		}
	}
	fmt.Printf("\n| server | deliveries/s (median of %d) | min | max |\n|---|---|---|---|\n", s.rounds)
	for _, sv := range servers {
		v := append([]float64(nil), rates[sv.name]...)
		sort.Float64s(v)
		fmt.Printf("| %s | %.0f | %.0f | %.0f |\n", sv.name, v[len(v)/2], v[0], v[len(v)-1])
	}
	return nil
}

// fanout runs one measurement and returns the time from the first
// PUBLISH until every subscriber has read every message.
func fanout(addr string, s settings) (time.Duration, error) {
	ctl, err := dial(addr)
	if err != nil {
		return 0, err
	}
	defer ctl.Close()
	if r, err := ctl.do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0"); err != nil || r != "+OK" {
		return 0, fmt.Errorf("CONFIG SET: %q %v", r, err)
	}
	const channel = "fanout"
	payload := strings.Repeat("m", s.size)
	frame := encode("message", channel, payload) // what a RESP2 subscriber receives
	want := int64(len(frame)) * int64(s.messages)

	subs := make([]*conn, s.subs)
	for i := range subs {
		c, err := dial(addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		if err := c.write(encode("SUBSCRIBE", channel)); err != nil {
			return 0, err
		}
		if _, err := c.readReply(); err != nil {
			return 0, err
		}
		subs[i] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, s.subs+1)
	for _, c := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.consume(frame, want)
		}()
	}

	pub, err := dial(addr)
	if err != nil {
		return 0, err
	}
	defer pub.Close()
	cmd := encode("PUBLISH", channel, payload)
	reply := ":" + strconv.Itoa(s.subs)
	start := time.Now()
	batch := bytes.Repeat(cmd, s.pipeline)
	for sent := 0; sent < s.messages; {
		n := min(s.pipeline, s.messages-sent)
		if err := pub.write(batch[:n*len(cmd)]); err != nil {
			return 0, err
		}
		for i := 0; i < n; i++ {
			r, err := pub.readLine()
			if err != nil {
				return 0, err
			}
			if r != reply {
				return 0, fmt.Errorf("PUBLISH returned %q, want %q", r, reply)
			}
		}
		sent += n
	}
	wg.Wait()
	d := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return d, nil
}

type conn struct {
	nc net.Conn
	r  *bufio.Reader
}

func dial(addr string) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}, nil
}

func (c *conn) Close() error { return c.nc.Close() }

func (c *conn) write(b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, err := c.nc.Write(b)
	return err
}

func (c *conn) readLine() (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := c.r.ReadString('\n')
	return strings.TrimSuffix(line, "\r\n"), err
}

// readReply reads a simple reply or a flat array of bulks and integers
// (SUBSCRIBE's confirmation).
func (c *conn) readReply() (string, error) {
	line, err := c.readLine()
	if err != nil || line == "" || line[0] != '*' {
		return line, err
	}
	n, _ := strconv.Atoi(line[1:])
	var parts []string
	for i := 0; i < n; i++ {
		l, err := c.readLine()
		if err != nil {
			return "", err
		}
		if l[0] == '$' {
			if l, err = c.readLine(); err != nil {
				return "", err
			}
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " "), nil
}

func (c *conn) do(args ...string) (string, error) {
	if err := c.write(encode(args...)); err != nil {
		return "", err
	}
	return c.readReply()
}

// consume reads want bytes of messages, checking that the first is frame.
func (c *conn) consume(frame []byte, want int64) error {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Minute))
	first := make([]byte, len(frame))
	if _, err := io.ReadFull(c.r, first); err != nil {
		return err
	}
	if !bytes.Equal(first, frame) {
		return fmt.Errorf("first message %q, want %q", first, frame)
	}
	n, err := io.CopyN(io.Discard, c.r, want-int64(len(frame)))
	if err != nil {
		return fmt.Errorf("subscriber read %d of %d bytes: %w", n+int64(len(frame)), want, err)
	}
	return nil
}

func encode(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

// startServer runs redis-server or nebredis (both take redis.conf
// directives as flags) with persistence off on a free loopback port.
func startServer(bin, dir string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := dial(addr)
		if err == nil {
			r, err := c.do("PING")
			c.Close()
			if err == nil && r == "+PONG" {
				return addr, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, errors.New("server not ready after 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
