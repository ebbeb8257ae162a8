package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Sizes of what the memory and durability suites load: keys, hash fields,
// set and sorted-set members are 16 bytes, string and hash values 32 bytes.
// Every one is distinct, numbered 0..n-1 and zero-padded to its size.
const (
	elementsPerCommand   = 100  // members one HSET/SADD/ZADD carries
	elementsPerRoundTrip = 1000 // keys or members sent per pipeline round trip
)

// keyName is string key i: "key:" and 12 digits, 16 bytes.
func keyName(i int) string { return fmt.Sprintf("key:%012d", i) }

// memberName is collection member or hash field i, 16 bytes.
func memberName(i int) string { return fmt.Sprintf("mem:%012d", i) }

// valueOf is the 32-byte value of key or field i.
func valueOf(i int) string { return fmt.Sprintf("val:%028d", i) }

// loadStrings SETs keys 0..n-1, elementsPerRoundTrip commands per pipeline
// round trip. An error reply comes back as an error for which
// isErrorReply is true.
func loadStrings(ctx context.Context, c *redis.Client, n int) error {
	for i := 0; i < n; i += elementsPerRoundTrip {
		p := c.Pipeline()
		for j := i; j < min(i+elementsPerRoundTrip, n); j++ {
			p.Set(ctx, keyName(j), valueOf(j), 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("SET keys %d..: %w", i, err)
		}
	}
	return nil
}

// collection is one kind of collection the memory suite fills: the command
// that adds elements, how one element's arguments read, and the command
// that counts them.
type collection struct {
	noun         string // what the elements are, for the row's name: "hash fields (HSET)"
	key          string
	addCommand   string // HSET, SADD, ZADD
	countCommand string // HLEN, SCARD, ZCARD
	elementArgs  func(i int) []any
}

var collections = []collection{
	{noun: "hash fields (HSET)", key: "hash", addCommand: "HSET", countCommand: "HLEN",
		elementArgs: func(i int) []any { return []any{memberName(i), valueOf(i)} }},
	{noun: "set members (SADD)", key: "set", addCommand: "SADD", countCommand: "SCARD",
		elementArgs: func(i int) []any { return []any{memberName(i)} }},
	{noun: "sorted set members (ZADD)", key: "zset", addCommand: "ZADD", countCommand: "ZCARD",
		elementArgs: func(i int) []any { return []any{strconv.Itoa(i), memberName(i)} }},
}

// load adds elements 0..n-1 to one key, elementsPerCommand per command and
// elementsPerRoundTrip elements per pipeline round trip.
func (coll collection) load(ctx context.Context, c *redis.Client, n int) error {
	for i := 0; i < n; i += elementsPerRoundTrip {
		p := c.Pipeline()
		for j := i; j < min(i+elementsPerRoundTrip, n); j += elementsPerCommand {
			args := []any{coll.addCommand, coll.key}
			for k := j; k < min(j+elementsPerCommand, n); k++ {
				args = append(args, coll.elementArgs(k)...)
			}
			p.Do(ctx, args...)
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("%s elements %d..: %w", coll.addCommand, i, err)
		}
	}
	return nil
}

// count is the number of elements the server holds in the collection.
func (coll collection) count(ctx context.Context, c *redis.Client) (int64, error) {
	return c.Do(ctx, coll.countCommand, coll.key).Int64()
}
