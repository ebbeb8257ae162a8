package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// serverKind names one of the two servers compared.
type serverKind string

const (
	redisKind    serverKind = "redis"
	nebredisKind serverKind = "nebredis"
)

// bothKinds is the order of the first round; later rounds flip it.
var bothKinds = [2]serverKind{redisKind, nebredisKind}

// roundOrder is the order the servers run in round r (from 0): flipping it
// every round keeps either from always running on a machine the other has
// just warmed (or heated).
func roundOrder(r int) [2]serverKind {
	if r%2 == 1 {
		return [2]serverKind{bothKinds[1], bothKinds[0]}
	}
	return bothKinds
}

// noPersistence are the directives of the throughput and memory suites:
// neither server writes snapshots or an append-only file.
var noPersistence = []string{"--save", "", "--appendonly", "no"}

// server is one running redis-server or nebredis process.
type server struct {
	kind    serverKind
	addr    string // 127.0.0.1:port
	port    int
	dir     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has been waited for
	client  *redis.Client
}

// startServer runs a server of kind on a free loopback port with its files
// in dir, persistence directives given by the caller, and waits until it
// answers PING. Both servers take redis.conf directives as flags, so the
// same directives configure either.
func (e *env) startServer(ctx context.Context, kind serverKind, dir string, directives ...string) (*server, error) {
	s, err := e.spawnServer(kind, dir, directives...)
	if err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// spawnServer starts the process and returns without waiting for it to
// accept connections.
func (e *env) spawnServer(kind serverKind, dir string, directives ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, string(kind)+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--daemonize", "no", "--logfile", ""}, directives...)
	cmd := exec.Command(e.binary(kind), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = serverProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", kind, err)
	}
	s := &server{
		kind:    kind,
		port:    port,
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		dir:     dir,
		logPath: logPath,
		cmd:     cmd,
		exited:  make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	s.client = redis.NewClient(&redis.Options{
		Addr:            s.addr,
		Protocol:        2,
		DialTimeout:     2 * time.Second,
		ReadTimeout:     2 * time.Minute, // a pipeline of big collection commands, or an AOF fsync
		MaxRetries:      -1,              // a retried write would load twice
		PoolSize:        4,
		DisableIdentity: true,
	})
	e.servers = append(e.servers, s)
	return s, nil
}

// freePort asks the kernel for a loopback port nobody listens on. Another
// process could take it before the server binds it; on a test machine
// that is rare enough.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls PING until it answers, the process exits or timeout
// passes (a server loading its data answers LOADING meanwhile).
func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := s.client.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		if !s.running() {
			return fmt.Errorf("%s exited at start-up: %s", s.kind, s.logTail())
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s on %s did not answer PING within %v: %v; log: %s", s.kind, s.addr, timeout, err, s.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// stop kills the process if it still runs and waits for it.
func (s *server) stop() {
	_ = s.client.Close()
	if s.running() {
		_ = s.cmd.Process.Kill()
	}
	<-s.exited
}

// shutdown sends SHUTDOWN, as an operator would, and waits for the process
// to exit; it kills it if it has not exited within timeout.
func (s *server) shutdown(ctx context.Context, timeout time.Duration) error {
	// The reply is the connection closing, an error by design.
	_ = s.client.Do(ctx, "SHUTDOWN").Err()
	_ = s.client.Close()
	select {
	case <-s.exited:
		return nil
	case <-time.After(timeout):
		s.stop()
		return fmt.Errorf("%s did not exit within %v of SHUTDOWN", s.kind, timeout)
	case <-ctx.Done():
		s.stop()
		return ctx.Err()
	}
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	b = bytes.TrimSpace(b)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// rss is the process's resident set size in bytes, VmRSS in
// /proc/<pid>/status: what the machine really gives the server, whatever
// the server says it uses.
func (s *server) rss() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmRSS %q: %w", v, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// dataBytes is the size of the files in the server's directory other than
// the log harness gave it: what it has written to persist its data.
func (s *server) dataBytes() (int64, error) {
	var total int64
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == s.logPath {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	return total, err
}

// infoField reads one integer field of an INFO section.
func (s *server) infoField(ctx context.Context, section, field string) (int64, error) {
	text, err := s.client.Info(ctx, section).Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(text, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO %s has no %s", section, field)
}

// knowsCommands reports whether COMMAND INFO describes every command in
// names: it answers nil for a command the server does not have.
func (s *server) knowsCommands(ctx context.Context, names ...string) (bool, error) {
	args := []any{"COMMAND", "INFO"}
	for _, n := range names {
		args = append(args, n)
	}
	infos, err := s.client.Do(ctx, args...).Slice()
	if err != nil {
		return false, err
	}
	if len(infos) != len(names) {
		return false, fmt.Errorf("COMMAND INFO of %d commands answered %d entries", len(names), len(infos))
	}
	for _, info := range infos {
		if info == nil {
			return false, nil
		}
	}
	return true, nil
}

// isErrorReply tells a server's error reply (the command was refused) from
// a failure to talk to the server at all.
func isErrorReply(err error) bool {
	var reply redis.Error
	return errors.As(err, &reply)
}
