package commands

// RegisterHashes adds the hashes commands.
func RegisterHashes(t *Table) {}
