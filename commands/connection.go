package commands

// RegisterConnection adds the connection commands.
func RegisterConnection(t *Table) {
	t.Add(&Command{Name: "ping", Arity: -1, Flags: FlagFast, Group: "connection",
		Handler: func(c *Ctx) {
			if len(c.Args) > 1 {
				c.W.WriteBulk(c.Args[1])
				return
			}
			c.W.WriteSimple("PONG")
		}})
	t.Add(&Command{Name: "quit", Arity: -1, Flags: FlagFast | FlagNoAuth, Group: "connection",
		Handler: func(c *Ctx) { c.W.WriteSimple("OK"); c.Action = Close }})
}
