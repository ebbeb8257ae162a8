package e2e

import (
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestBlockingZsets checks BZPOPMIN, BZPOPMAX and BZMPOP against both
// servers: clients served in the order they blocked when ZADD adds
// members, a list pushed to a waited key leaving zset waiters blocked,
// and a blocked client that disconnects taking nothing.
func TestBlockingZsets(t *testing.T) {
	pair := startPair(t)
	for _, tg := range []*target{pair.redis, pair.neb} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/RESP%d", tg.name, proto), func(t *testing.T) {
				pair.flush(t)
				bt := newBlockTest(t, tg, proto)
				do := func(args ...any) func(*redis.Conn) (any, error) {
					return func(c *redis.Conn) (any, error) { return c.Do(bt.ctx, args...).Result() }
				}
				a := bt.block(t, do("BZPOPMIN", "z", 5))
				b := bt.block(t, do("BZPOPMAX", "z", 5))
				c := bt.block(t, do("BZMPOP", 5, 1, "z", "MIN", "COUNT", 2))
				bt.check(t, "ZADD", bt.do(t, "ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d"), int64(4))
				want := func(proto int, key, member string, score float64) any {
					if proto == 3 {
						return []any{key, member, score}
					}
					return []any{key, member, fmt.Sprint(score)}
				}
				bt.check(t, "first waiter", a.result(t).val, want(proto, "z", "a", 1))
				bt.check(t, "second waiter", b.result(t).val, want(proto, "z", "d", 4))
				if proto == 3 {
					bt.check(t, "third waiter", c.result(t).val, []any{"z", []any{[]any{"b", 2.0}, []any{"c", 3.0}}})
				} else {
					bt.check(t, "third waiter", c.result(t).val, []any{"z", []any{[]any{"b", "2"}, []any{"c", "3"}}})
				}

				// A list at the waited key does not serve a zset waiter.
				d := bt.block(t, do("BZPOPMIN", "k", 5))
				bt.do(t, "RPUSH", "k", "x")
				bt.do(t, "DEL", "k")
				bt.do(t, "ZADD", "k", 7, "m")
				bt.check(t, "after the list", d.result(t).val, want(proto, "k", "m", 7))
			})
		}
	}
}
