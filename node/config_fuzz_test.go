package node

import (
	"strings"
	"testing"
)

// FuzzLoadConfig feeds arbitrary configuration text (and the same text to
// every include) to the parser: it may refuse it, never panic, and a
// configuration it accepts answers CONFIG GET for every directive.
func FuzzLoadConfig(f *testing.F) {
	f.Add("port 7000\nbind 127.0.0.1 -::1\nsave \"\"\n")
	f.Add("replicaof 127.0.0.1 6379\nmasterauth \"a b\"\nclient-output-buffer-limit replica 256mb 64mb 60\n")
	f.Add("include self.conf\n")
	f.Add("user alice on >pw ~* +@all\nrename-command FLUSHALL \"\"\n")
	f.Add("save 3600 1 300 100\nmaxmemory 1gb\nnotify-keyspace-events KEA\nlist-max-listpack-size -2\n")
	f.Add("dir '/tmp\\x00'\nloglevel \"verbose\nsentinel monitor x\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg := DefaultConfig()
		err := cfg.LoadString(text, func(string) (string, error) { return text, nil })
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, name := range cfg.Match("*") {
			if _, ok := cfg.Get(name); !ok && !strings.Contains(name, ".") {
				t.Fatalf("CONFIG GET %s: no value after a successful load", name)
			}
		}
	})
}

// A file that includes itself is refused, not loaded forever.
func TestConfigIncludeLoop(t *testing.T) {
	cfg := DefaultConfig()
	err := cfg.LoadString("include self.conf\n", func(string) (string, error) { return "include self.conf\n", nil })
	if err == nil || !strings.Contains(err.Error(), "Too many nested includes") {
		t.Fatalf("got %v", err)
	}
}
