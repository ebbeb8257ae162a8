// Package testenv lets tests that need Debian's redis-server, redis-cli,
// redis-benchmark or python3-redis find them, skipping with a message on a
// bare machine and failing in CI, where .ci/run sets NEBREDIS_REQUIRE_TOOLS=1.
package testenv

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RequireEnv is the variable that turns a missing tool from a skip into a failure.
const RequireEnv = "NEBREDIS_REQUIRE_TOOLS"

// LookPath returns the path of a binary the test needs, or skips (fails
// under NEBREDIS_REQUIRE_TOOLS=1) when it is not installed.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed (apt-get install redis-server redis-tools python3-redis)")
	}
	return p
}

// Missing skips or, in CI, fails the test because something it needs is absent.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s, and %s=1 requires it", why, RequireEnv)
	}
	t.Skip(why)
}

// RedisServer starts Debian's redis-server on a free loopback port for the
// length of the test, with snapshots and the AOF off and its files in a
// temporary dir, and returns its port once it accepts connections. extra
// arguments are passed on (later ones override earlier ones, as in Redis).
func RedisServer(t testing.TB, extra ...string) int {
	t.Helper()
	bin := LookPath(t, "redis-server")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--daemonize", "no", "--dir", t.TempDir(), "--logfile", ""}, extra...)
	cmd := exec.Command(bin, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
