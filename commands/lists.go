package commands

// RegisterLists adds the lists commands.
func RegisterLists(t *Table) {}
