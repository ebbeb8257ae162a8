// Command keymem measures what a server spends per key: it loads -keys
// string keys (-keysize bytes each, -valsize-byte values) through pipelined
// SETs and reads INFO memory before and after, reporting used_memory and
// used_memory_rss growth per key. It speaks only RESP, so it measures
// redis-server and nebredis alike.
//
// With no -addr it starts the -server binary (persistence off) on a free
// loopback port, so each number is one command away:
//
//	go run ./bench/keymem                                  # redis-server
//	go build -o /tmp/nebredis ./cmd/nebredis && go run ./bench/keymem -server /tmp/nebredis
//	go run ./bench/keymem -addr 127.0.0.1:6380             # any running server
package main
