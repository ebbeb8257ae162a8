//go:build race

package ranktree

const raceEnabled = true
