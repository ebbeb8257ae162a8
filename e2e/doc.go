// Package e2e holds nebredis's end-to-end tests: whole-server tests that talk
// to it over loopback TCP the way real clients do. It has no non-test code.
//
// The tests are, in order of strength:
//
//   - Differential tests (diff_test.go): the same command stream goes to a
//     real redis-server 7 and to an in-process nebredis, and the replies are
//     compared byte for byte. Scenarios live in testdata/*.txt, one command
//     per line with redis-cli quoting; see diff_test.go for the directives
//     (!sort, !scan, !type, !near, !conn, !config ...). A randomized variant
//     replays with -seed.
//   - Real clients (clients_test.go): go-redis v9 over RESP2 and RESP3,
//     redis-py, redis-cli (commands, --pipe, a piped interactive session)
//     and redis-benchmark.
//   - Malformed input (malformed_test.go): truncated, oversized and garbage
//     frames must get an error or a closed connection, never a crash, and the
//     server must keep answering.
//
// Tests that need Debian's redis-server, redis-cli, redis-benchmark or
// python3-redis find them through internal/testenv, so they skip on a bare
// machine and fail in CI.
//
// harness_test.go starts both servers and provides rawClient, a minimal RESP
// client that returns each reply as the exact bytes the server sent.
// Building with -tags e2estub replaces nebredis by a second redis-server, which
// checks the harness and the scripts themselves: everything must pass then.
//
// Useful flags: -show logs every scripted command with both replies; -seed
// replays a randomized test; -ops sets the length of TestRandomDiff.
package e2e
