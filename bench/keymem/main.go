package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("addr", "", "server to measure; empty starts a redis-server on a free loopback port")
	serverBin := flag.String("server", "redis-server", "server binary started when -addr is empty: redis-server, or a built nebredis")
	keys := flag.Int("keys", 1_000_000, "keys to load")
	keySize := flag.Int("keysize", 16, "key length in bytes")
	valSize := flag.Int("valsize", 32, "value length in bytes")
	batch := flag.Int("pipeline", 1000, "SETs per pipeline round trip")
	settle := flag.Duration("settle", 2*time.Second, "wait after loading before reading INFO, for RSS to settle")
	flag.Parse()
	if *keySize < 8 || *keys < 1 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "keymem: need -keysize >= 8, -keys >= 1, -pipeline >= 1")
		os.Exit(2)
	}
	if err := run(*addr, *serverBin, *keys, *keySize, *valSize, *batch, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "keymem:", err)
		os.Exit(1)
	}
}

func run(addr, serverBin string, keys, keySize, valSize, batch int, settle time.Duration) error {
	ctx := context.Background()
	if addr == "" {
		var stop func()
		var err error
		if addr, stop, err = startServer(serverBin); err != nil {
			return err
		}
		defer stop()
	}
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer c.Close()
	if err := waitReady(ctx, c); err != nil {
		return err
	}
	if err := c.FlushAll(ctx).Err(); err != nil {
		return err
	}
	server, err := c.Info(ctx, "server").Result()
	if err != nil {
		return err
	}
	time.Sleep(settle)
	before, err := memoryInfo(ctx, c)
	if err != nil {
		return err
	}

	start := time.Now()
	val := strings.Repeat("v", valSize)
	key := make([]byte, keySize)
	for i := 0; i < keys; i += batch {
		p := c.Pipeline()
		for j := i; j < min(i+batch, keys); j++ {
			p.Set(ctx, string(makeKey(key, j)), val, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	load := time.Since(start)
	n, err := c.DBSize(ctx).Result()
	if err != nil {
		return err
	}
	if n != int64(keys) {
		return fmt.Errorf("DBSIZE is %d after loading %d keys", n, keys)
	}
	time.Sleep(settle)
	after, err := memoryInfo(ctx, c)
	if err != nil {
		return err
	}

	fmt.Printf("server: %s, mem_allocator %s, at %s\n", serverVersion(server), allocator(ctx, c), addr)
	fmt.Printf("loaded %d keys (%d-byte keys, %d-byte values) in %v\n", keys, keySize, valSize, load.Round(time.Millisecond))
	fmt.Printf("%-16s %14s %14s %10s\n", "field", "before", "after", "B/key")
	for _, f := range []string{"used_memory", "used_memory_rss", "used_memory_dataset"} {
		b, okb := before[f]
		a, oka := after[f]
		if !okb || !oka {
			continue
		}
		fmt.Printf("%-16s %14d %14d %10.1f\n", f, b, a, float64(a-b)/float64(keys))
	}
	return nil
}

// makeKey writes key number i as zero-padded digits filling dst.
func makeKey(dst []byte, i int) []byte {
	for p := len(dst) - 1; p >= 0; p-- {
		dst[p] = byte('0' + i%10)
		i /= 10
	}
	return dst
}

// memoryInfo returns the integer fields of INFO memory.
func memoryInfo(ctx context.Context, c *redis.Client) (map[string]int64, error) {
	s, err := c.Info(ctx, "memory").Result()
	if err != nil {
		return nil, err
	}
	m := make(map[string]int64)
	for _, line := range strings.Split(s, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			m[k] = n
		}
	}
	if _, ok := m["used_memory"]; !ok {
		return nil, errors.New("INFO memory has no used_memory field")
	}
	return m, nil
}

// allocator is INFO memory's mem_allocator, which tells redis-server
// (jemalloc) from nebredis (Go plus segments).
func allocator(ctx context.Context, c *redis.Client) string {
	s, err := c.Info(ctx, "memory").Result()
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(line, "mem_allocator:"); ok {
			return v
		}
	}
	return "?"
}

func serverVersion(info string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return "redis_version " + v
		}
	}
	return "unknown version"
}

// startServer runs redis-server or nebredis (both take redis.conf
// directives as flags) with persistence off, on a free loopback port, in a
// temporary directory.
func startServer(bin string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "keymem")
	if err != nil {
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
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), stop, nil
}

func waitReady(ctx context.Context, c *redis.Client) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
