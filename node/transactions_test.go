package node_test

import (
	"testing"
)

// TestWatchOtherConnectionsCompat breaks (and does not break) WATCHes of
// one connection with writes of another, on both servers.
func TestWatchOtherConnectionsCompat(t *testing.T) {
	pair := startPair(t)
	a, b := dialPair(t, pair), dialPair(t, pair)
	cases := []struct {
		name  string
		setup [][]string // on b, before a watches
		watch []string   // keys a watches
		other [][]string // on b, between WATCH and EXEC
	}{
		{"write to the key", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SET", "k", "2"}}},
		{"same value", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SET", "k", "1"}}},
		{"other key", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SET", "k2", "2"}}},
		{"create a missing key", nil, []string{"k"}, [][]string{{"SET", "k", "2"}}},
		{"delete", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"DEL", "k"}}},
		{"delete missing", nil, []string{"k"}, [][]string{{"DEL", "k"}}},
		{"failed write", [][]string{{"SET", "k", "x"}}, []string{"k"}, [][]string{{"INCR", "k"}}},
		{"expire", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"EXPIRE", "k", "100"}}},
		{"persist without ttl", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"PERSIST", "k"}}},
		{"rename away", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"RENAME", "k", "k3"}}},
		{"rename onto", [][]string{{"SET", "k3", "1"}}, []string{"k"}, [][]string{{"RENAME", "k3", "k"}}},
		{"other database", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SELECT", "1"}, {"SET", "k", "2"}, {"SELECT", "0"}}},
		{"flushdb", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"FLUSHDB"}}},
		{"flushdb missing key", [][]string{{"SET", "z", "1"}}, []string{"k"}, [][]string{{"FLUSHDB"}}},
		{"flushdb other database", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SELECT", "1"}, {"FLUSHDB"}, {"SELECT", "0"}}},
		{"flushall", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"FLUSHALL"}}},
		{"swapdb from other", [][]string{{"SELECT", "1"}, {"SET", "k", "1"}, {"SELECT", "0"}}, []string{"k"}, [][]string{{"SWAPDB", "0", "1"}}},
		{"swapdb both missing", nil, []string{"k"}, [][]string{{"SWAPDB", "0", "1"}}},
		{"swapdb unrelated", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"SWAPDB", "1", "2"}}},
		{"move", [][]string{{"SET", "k", "1"}}, []string{"k"}, [][]string{{"MOVE", "k", "1"}}},
		{"copy onto", [][]string{{"SET", "s", "1"}}, []string{"k"}, [][]string{{"COPY", "s", "k"}}},
		{"several keys", [][]string{{"SET", "k", "1"}}, []string{"a", "k", "z"}, [][]string{{"SET", "z", "2"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doAll(t, b, []string{"FLUSHALL"})
			for _, s := range tc.setup {
				doAll(t, b, s)
			}
			doAll(t, a, append([]string{"WATCH"}, tc.watch...))
			for _, s := range tc.other {
				doAll(t, b, s)
			}
			doAll(t, a, []string{"MULTI"}, []string{"GET", "k"}, []string{"EXEC"})
		})
	}
}
