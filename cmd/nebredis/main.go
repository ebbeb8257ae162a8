package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, serve)
	if err := app.run(args); err != nil {
		fmt.Fprintf(stderr, "nebredis: %v\n", err)
		return 1
	}
	return 0
}
