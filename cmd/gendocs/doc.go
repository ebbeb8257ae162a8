// Command gendocs regenerates the README's generated blocks from the code
// that defines them: the flag table from config.Params and the command
// table from the commands package's table.
//
//	go run ./cmd/gendocs README.md          rewrite the blocks in place
//	go run ./cmd/gendocs -check README.md   exit 1 if they are stale
//
// A block is the text between "<!-- NAME:begin -->" and "<!-- NAME:end -->"
// lines; everything outside the blocks is left alone.
package main
