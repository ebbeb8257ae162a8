// Command fanout measures Pub/Sub fan-out: one publisher sends -messages
// PUBLISHes of -size bytes on one channel, pipelined -pipeline deep, to
// -subs subscribers, and the rate is messages delivered (messages x
// subscribers) per second, from the first PUBLISH written to the last
// message read by the slowest subscriber. It runs nebredis and
// redis-server in turns (-rounds, the order flipping every round) on free
// loopback ports with persistence off and the pubsub output buffer limit
// lifted, so the number measures delivery, not disconnection.
//
// The clients are raw RESP over TCP and as cheap as they can be: every
// message has the same size, so a subscriber only counts bytes (it checks
// the first message byte for byte), and the publisher checks that every
// PUBLISH reached every subscriber.
//
//	go run ./bench/fanout                          # builds ./cmd/nebredis
//	go run ./bench/fanout -subs 100 -messages 200000 -rounds 5
//	go run ./bench/fanout -nebredis /tmp/nebredis -redis /usr/bin/redis-server
package main
