// Package testenv lets tests that need Debian's redis-server, redis-cli,
// redis-benchmark or python3-redis find them, skipping with a message on a
// bare machine and failing in CI, where .ci/run sets NEBREDIS_REQUIRE_TOOLS=1.
package testenv

import (
	"os"
	"os/exec"
	"testing"
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
