package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nebredis/nebredis/config"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// nebredisBinary builds the command once per test run.
func nebredisBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nebredis-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "nebredis")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// runBinary runs nebredis to completion (it must not start serving).
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(nebredisBinary(t), args...)
	cmd.Dir = t.TempDir()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("nebredis %q did not exit", args)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

func TestBadArguments(t *testing.T) {
	dir := t.TempDir()
	badConf := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(badConf, []byte("# comment\nport 7000\nfoo bar\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string // in stderr
	}{
		{[]string{"--maxmemory", "abc"}, []string{"--maxmemory", "argument must be a memory value"}},
		{[]string{"--port", "70000"}, []string{"--port", "argument must be between 0 and 65535 inclusive"}},
		{[]string{"--maxmemory-policy", "lru"}, []string{"--maxmemory-policy", "must be one of the following"}},
		{[]string{"--databases", "0"}, []string{"--databases"}},
		{[]string{"--appendonly", "maybe"}, []string{"--appendonly", "'yes' or 'no'"}},
		{[]string{"--daemonize", "yes"}, []string{"--daemonize"}},
		{[]string{"--nosuch", "1"}, []string{"nosuch"}},
		{[]string{"--port"}, []string{"port"}},
		{[]string{"--port", "7000", "extra"}, []string{`unexpected argument "extra"`}},
		{[]string{badConf}, []string{"FATAL CONFIG FILE ERROR", badConf + ", at line 3", ">>> 'foo bar'", "Bad directive or wrong number of arguments"}},
		{[]string{filepath.Join(dir, "missing.conf")}, []string{"missing.conf", "no such file"}},
	}
	for _, tc := range tests {
		_, stderr, code := runBinary(t, tc.args...)
		if code == 0 {
			t.Errorf("nebredis %q exited 0", tc.args)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("nebredis %q: stderr %q does not mention %q", tc.args, stderr, w)
			}
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	for _, arg := range []string{"--version", "-v"} {
		stdout, _, code := runBinary(t, arg)
		if code != 0 || stdout != versionLine+"\n" || !strings.Contains(stdout, "7.0.15") {
			t.Errorf("nebredis %s: exit %d, %q", arg, code, stdout)
		}
	}
	for _, arg := range []string{"--help", "-h"} {
		stdout, _, code := runBinary(t, arg)
		if code != 0 || !strings.Contains(stdout, "Usage: nebredis [/path/to/nebredis.conf] [options]") {
			t.Errorf("nebredis %s: exit %d, %q", arg, code, stdout)
		}
		for _, p := range config.Params() {
			if !strings.Contains(stdout, "--"+p.Name+" ") || !strings.Contains(stdout, p.Usage) {
				t.Errorf("nebredis %s does not document --%s", arg, p.Name)
			}
		}
	}
}

// The config file is read first and flags override it; "-" reads the
// file from standard input.
func TestBuildConfig(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "n.conf")
	if err := os.WriteFile(conf, []byte("port 7000\nmaxmemory 1mb\nsave 900 1\nsave 300 10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	parse := func(stdin string, args ...string) config.Config {
		t.Helper()
		var got config.Config
		a := newApp(strings.NewReader(stdin), io.Discard, func(cfg config.Config, _ io.Writer) error { got = cfg; return nil })
		if err := a.run(args); err != nil {
			t.Fatalf("run(%q): %v", args, err)
		}
		return got
	}
	if got := parse("", conf, "--port", "7001", "--bind", "127.0.0.1 ::1", "--requirepass", ""); got.Port != 7001 ||
		got.MaxMemory != 1<<20 || len(got.Save) != 2 || strings.Join(got.Bind, ",") != "127.0.0.1,::1" {
		t.Errorf("file + flags gave %+v", got)
	}
	if got := parse("maxmemory 2mb\n", "-", "--hz", "20"); got.MaxMemory != 2<<20 || got.Hz != 20 || got.Port != 6379 {
		t.Errorf("stdin + flags gave %+v", got)
	}
	if got, want := parse(""), config.Default(); got.Port != want.Port || got.Dir != want.Dir || got.Bind[0] != "127.0.0.1" {
		t.Errorf("no arguments gave %+v", got)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// The binary serves with a config file and an overriding flag, answers
// PING, creates its default data directory and exits on SIGTERM.
func TestServeAndSIGTERM(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nebredis.conf")
	// port 1 is privileged: the server can only start if --port wins.
	if err := os.WriteFile(conf, []byte("port 1\nmaxmemory 64mb\nloglevel verbose\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	logPath := filepath.Join(dir, "out.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(nebredisBinary(t), conf, "--port", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill() // no-op once it has exited
	showLog := func() string { b, _ := os.ReadFile(logPath); return string(b) }

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	var nc net.Conn
	for deadline := time.Now().Add(20 * time.Second); ; {
		nc, err = net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("nebredis exited early (%v):\n%s", err, showLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nebredis does not accept connections on %s:\n%s", addr, showLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || line != "+PONG\r\n" {
		t.Fatalf("PING: %q, %v", line, err)
	}
	nc.Close()
	if fi, err := os.Stat(filepath.Join(dir, "nebredis-data")); err != nil || !fi.IsDir() {
		t.Errorf("default data directory not created: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("nebredis exited with %v after SIGTERM:\n%s", err, showLog())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("nebredis still running 15s after SIGTERM:\n%s", showLog())
	}
	out := showLog()
	for _, want := range []string{"pid=" + strconv.Itoa(cmd.Process.Pid), "port=" + strconv.Itoa(port), "Received SIGTERM scheduling shutdown...", "bye bye"} {
		if !strings.Contains(out, want) {
			t.Errorf("log does not mention %q:\n%s", want, out)
		}
	}
}
