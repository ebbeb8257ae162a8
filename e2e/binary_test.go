package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/internal/testenv"
)

// TestBinaryDropIn starts the real cmd/nebredis program with exactly the
// command line the other tests give redis-server, talks to it with
// redis-cli, and stops it with SHUTDOWN.
func TestBinaryDropIn(t *testing.T) {
	cli := testenv.LookPath(t, "redis-cli")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH; cannot build cmd/nebredis")
	}
	bin := filepath.Join(t.TempDir(), "nebredis")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/nebredis/nebredis/cmd/nebredis").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(t)
	cmd := exec.Command(bin, redisServerArgs(port, t.TempDir(), []directive{{"requirepass", "s3cret"}})...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	if !waitPing("127.0.0.1:"+port, exited, "s3cret") {
		t.Fatalf("nebredis did not start with redis-server's command line; its output:\n%s", out.String())
	}
	// The same redis-cli invocations against redis-server print the same.
	redis := startRedis(t, directive{"requirepass", "s3cret"})
	auth := []string{"--no-auth-warning", "-a", "s3cret"}
	for _, args := range [][]string{
		{"PING"},
		append(auth, "SET", "a", "b"),
		append(auth, "GET", "a"),
		append(auth, "CONFIG", "GET", "requirepass"),
		append(auth, "DBSIZE"),
	} {
		want, werr := runCLI(t, cli, nil, append([]string{"-p", redis.port()}, args...)...)
		got, gerr := runCLI(t, cli, nil, append([]string{"-p", port}, args...)...)
		if werr != nil || gerr != nil || got != want {
			t.Errorf("redis-cli %s\n  redis-server: %q %v\n  nebredis:     %q %v", strings.Join(args, " "), want, werr, got, gerr)
		}
	}
	runCLI(t, cli, nil, "-p", port, "--no-auth-warning", "-a", "s3cret", "SHUTDOWN")
	select {
	case <-exited:
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("nebredis exited with status %d after SHUTDOWN; output:\n%s", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("nebredis still running 10s after SHUTDOWN; output:\n%s", out.String())
	}
}
