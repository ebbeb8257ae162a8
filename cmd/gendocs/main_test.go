package main

import (
	"os"
	"strings"
	"testing"
)

// The README's generated blocks match the code. When this fails, run
//
//	go run ./cmd/gendocs README.md
func TestREADMEIsCurrent(t *testing.T) {
	const path = "../../README.md"
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := rewrite(string(old), blocks())
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if updated != string(old) {
		t.Errorf("README.md's generated blocks are stale; run: go run ./cmd/gendocs README.md")
	}
}

func TestRewrite(t *testing.T) {
	doc := "intro\n<!-- a:begin -->\nold\n<!-- a:end -->\nmiddle\n<!-- b:begin -->\n<!-- b:end -->\nend\n"
	got, err := rewrite(doc, map[string]string{"a": "new a\n", "b": "new b\n"})
	want := "intro\n<!-- a:begin -->\nnew a\n<!-- a:end -->\nmiddle\n<!-- b:begin -->\nnew b\n<!-- b:end -->\nend\n"
	if err != nil || got != want {
		t.Errorf("rewrite = %q, %v; want %q", got, err, want)
	}
	if _, err := rewrite("no markers", map[string]string{"a": ""}); err == nil || !strings.Contains(err.Error(), "a:begin") {
		t.Errorf("rewrite without markers: %v", err)
	}
}

// .ci/run runs the test command the README gives, character for character.
func TestCIRunsREADMETestCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var cmd string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "go test ") {
			cmd, _, _ = strings.Cut(line, "#")
			cmd = strings.TrimSpace(cmd)
			break
		}
	}
	if cmd == "" {
		t.Fatal("README.md has no line starting with \"go test \"")
	}
	for _, line := range strings.Split(string(ci), "\n") {
		if strings.TrimSpace(line) == cmd {
			return
		}
	}
	t.Errorf(".ci/run does not run the README's test command %q", cmd)
}
