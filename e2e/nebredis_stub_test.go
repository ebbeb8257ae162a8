//go:build e2estub

package e2e

import "testing"

// startNebredis stands in a second redis-server while resp/ does not exist,
// to check the harness itself (go test -tags e2estub).
func startNebredis(t testing.TB, conf ...directive) *target {
	tg := startRedis(t, conf...)
	tg.name = "nebredis(stub)"
	return tg
}
