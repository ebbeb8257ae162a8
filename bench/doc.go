// Command bench measures nebredis against Debian's redis-server in one run
// and reports how they compare: a Markdown table on stdout and in
// bench/RESULTS.md, and a bar chart of the nebredis/redis ratios in
// bench/results.png.
//
//	go run ./bench                               # every suite, full size (minutes)
//	go run ./bench -quick                        # every suite, tiny sizes (seconds)
//	go run ./bench -suite throughput,memory      # some suites
//
// It builds ./cmd/nebredis into a temporary directory, then starts each
// server itself on a free loopback port with the same redis.conf
// directives (both take them as flags), its files in a directory of its
// own, and kills every server it started before it returns.
//
// # Suites
//
// A suite is one file implementing [suite] (a name, and Run(ctx, env)
// returning rows), listed once in main.go's suites:
//
//   - throughput: redis-benchmark's default tests (the list is read from
//     the installed redis-benchmark, run once without -t), each at
//     pipeline depths 1 and 16, 50 clients, persistence off. A pilot run
//     sizes each test's -n to about a second of the faster server's work,
//     so slow tests (LRANGE_600) do not take a hundred times as long as
//     fast ones (pipelined GET), which would then be too short to measure.
//   - memory: 1M string keys (16-byte keys, 32-byte values), then one hash,
//     one set and one sorted set of 1M elements each, every data set loaded
//     into a fresh server; RSS (/proc/<pid>/status VmRSS) and INFO
//     used_memory growth per key or element.
//   - durability: SET throughput with appendonly yes and appendfsync always,
//     then everysec; the time a server takes to come back with 1M keys
//     after SHUTDOWN and a restart in the same directory.
//
// # Fairness and noise
//
// The servers share the machine with each other and with redis-benchmark,
// which takes a good part of the CPU on a small machine, and the machine is
// shared with other work. So the two servers are measured in turns, one
// test at a time, the order flipping every round, and a row shows the
// median with the min and max over rounds; a row whose spread
// ((max-min)/median) exceeds -noisy for either server is marked noisy.
// Only one server is under load at a time; the other sits idle.
//
// # Unsupported commands
//
// Before a redis-benchmark test runs against a server, COMMAND INFO asks
// whether the server knows the commands the test sends; a test it does not
// know, or one that redis-benchmark stops with an error reply, is reported
// as "unsupported" for that server, and the run goes on. The memory suite
// reads the same from the error reply to its first load command. As
// nebredis gains commands those rows fill in without a change here.
//
// A server that promises persistence but comes back from a restart with
// fewer keys than it had is reported as "not durable", with the key count
// it came back with, rather than with a time; one that runs the
// appendonly SET test without writing anything to its directory has its
// numbers marked so, since it paid nothing for durability.
package main
