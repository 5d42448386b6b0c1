package node_test

import (
	"path/filepath"
	"strings"
	"testing"

	"replab/internal/redistest"
)

// TestStreamNodeLimitScenarios runs the stream scenarios that depend on the
// node size limits against a real redis-server and replab both started with
// those limits. The limit comes from the file name:
// testdata/compat-streams/node-max-entries-4.txt runs with
// --stream-node-max-entries 4.
func TestStreamNodeLimitScenarios(t *testing.T) {
	redistest.RedisServerPath(t)
	files, err := filepath.Glob(filepath.Join("testdata", "compat-streams", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		i := strings.LastIndexByte(name, '-')
		directive, value := "--stream-"+name[:i], name[i+1:]
		t.Run(name, func(t *testing.T) {
			pair := startPair(t, directive, value)
			for _, sc := range loadScenarios(t, filepath.Join("..", "compat-streams", filepath.Base(f))) {
				for _, proto := range []int{2, 3} {
					t.Run(sc.name+"/resp"+string(rune('0'+proto)), func(t *testing.T) {
						runScenario(t, pair, sc, proto)
					})
				}
			}
		})
	}
}
