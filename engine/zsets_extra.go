package engine

// ZScan is Scan for a sorted set: it visits elements from cursor in hash
// order, about count of them, with each element's score decoded, and
// returns the cursor to continue from (0 when done). The member aliases
// the log as Scan's do.
func (c *Coll) ZScan(cursor uint64, count int, fn func(member []byte, score float64)) uint64 {
	return c.Scan(cursor, count, func(member, value []byte) {
		fn(member, decodeScore(value))
	})
}
