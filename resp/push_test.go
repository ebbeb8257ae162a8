package resp

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// readFrame reads one reply made of arrays, bulks and integers and
// returns it flattened: "[message ch payload]".
func readFrame(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '*', '>':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", fmt.Errorf("bad header %q", line)
		}
		parts := make([]string, n)
		for i := range parts {
			if parts[i], err = readFrame(r); err != nil {
				return "", err
			}
		}
		return "[" + strings.Join(parts, " ") + "]", nil
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("bad bulk %q", line)
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		if string(b[n:]) != "\r\n" {
			return "", fmt.Errorf("bulk %q not followed by CRLF", b)
		}
		return string(b[:n]), nil
	case ':', '+':
		return line[1:], nil
	}
	return "", fmt.Errorf("unexpected %q", line)
}

// TestPushedFramesStayWhole: publishers on other goroutines push messages
// to a subscriber while it pipelines PINGs (whose replies go through the
// connection's own buffer and direct writes). Every frame must arrive
// whole, each publisher's messages in order, and every PING answered.
func TestPushedFramesStayWhole(t *testing.T) {
	ts := startServer(t, Options{}, nil, nil)
	c := ts.dial(t)
	r := bufio.NewReader(c)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write([]byte("SUBSCRIBE ch\r\n")); err != nil {
		t.Fatal(err)
	}
	if f, err := readFrame(r); err != nil || f != "[subscribe ch 1]" {
		t.Fatalf("SUBSCRIBE: %q %v", f, err)
	}
	const publishers, perPublisher, pings = 4, 2000, 2000
	var wg sync.WaitGroup
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := strings.Repeat("x", 100*p) // different sizes
			for i := 0; i < perPublisher; i++ {
				ts.h.Publish([]byte("ch"), []byte(fmt.Sprintf("%d:%d:%s", p, i, payload)))
			}
		}()
	}
	go func() {
		for i := 0; i < pings; i += 100 {
			c.Write([]byte(strings.Repeat("PING\r\n", 100)))
		}
	}()
	next := make([]int, publishers)
	pongs := 0
	for n := 0; n < publishers*perPublisher+pings; n++ {
		f, err := readFrame(r)
		if err != nil {
			t.Fatalf("after %d frames: %v", n, err)
		}
		if f == "[pong ]" {
			pongs++
			continue
		}
		var p, i int
		if _, err := fmt.Sscanf(f, "[message ch %d:%d:", &p, &i); err != nil || p < 0 || p >= publishers {
			t.Fatalf("frame %d: %q", n, f)
		}
		if i != next[p] {
			t.Fatalf("publisher %d: message %d arrived, expected %d", p, i, next[p])
		}
		next[p]++
	}
	wg.Wait()
	if pongs != pings {
		t.Errorf("%d PING replies, want %d", pongs, pings)
	}
}

// TestSubscriberIsNotIdle: as in Redis, the idle timeout does not close a
// client that is subscribed, only one that is not.
func TestSubscriberIsNotIdle(t *testing.T) {
	ts := startServer(t, Options{Timeout: 200 * time.Millisecond}, nil, nil)
	sub, idle := ts.dial(t), ts.dial(t)
	if got := roundTrip(t, sub, "SUBSCRIBE ch\r\n", 31); got != "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE: %q", got)
	}
	roundTrip(t, idle, "PING\r\n", 7)
	time.Sleep(600 * time.Millisecond)
	if got := roundTrip(t, sub, "PING\r\n", 20); got != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
		t.Errorf("subscriber after the timeout: %q", got)
	}
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err == nil {
		t.Errorf("idle client still open (read %d bytes)", n)
	}
}
