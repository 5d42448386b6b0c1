package replication

import "slices"

// Candidate is a replica considered for promotion, as a Sentinel sees it
// from the replica's INFO.
type Candidate struct {
	// RunID is the replica's run_id; "" when unknown (it then sorts after
	// every known run ID).
	RunID string
	// Offset is slave_repl_offset.
	Offset int64
	// Priority is slave_priority (replica-priority); 0 means never promote.
	Priority int
	// Announced is replica_announced. Sentinel only uses it to hide the
	// replica from SENTINEL REPLICAS; it does not affect the choice.
	Announced bool
	// Unusable is the caller's verdict that Sentinel would skip the replica
	// before comparing: subjectively or objectively down, disconnected, not
	// replying to pings for 5 ping periods, INFO too old, or master link down
	// for longer than allowed.
	Unusable bool
}

// ChooseReplica picks the replica Redis Sentinel would promote
// (sentinelSelectSlave): among usable candidates with a non-zero priority,
// the lowest priority, then the greatest offset, then the lexicographically
// smallest run ID (compared case-insensitively; an unknown run ID loses).
// It returns the index of the choice in cands, or -1 when none qualifies.
// Candidates equal in all three keep their input order.
func ChooseReplica(cands []Candidate) int {
	best := -1
	for i := range cands {
		c := &cands[i]
		if c.Unusable || c.Priority == 0 {
			continue
		}
		if best < 0 || compareCandidates(c, &cands[best]) < 0 {
			best = i
		}
	}
	return best
}

// RankReplicas returns the indexes of the usable candidates with a non-zero
// priority, best first, in the order ChooseReplica uses.
func RankReplicas(cands []Candidate) []int {
	var idx []int
	for i, c := range cands {
		if !c.Unusable && c.Priority != 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareCandidates(&cands[a], &cands[b]) })
	return idx
}

func compareCandidates(a, b *Candidate) int {
	switch {
	case a.Priority != b.Priority:
		if a.Priority < b.Priority {
			return -1
		}
		return 1
	case a.Offset > b.Offset:
		return -1
	case a.Offset < b.Offset:
		return 1
	}
	switch {
	case a.RunID == "" && b.RunID == "":
		return 0
	case a.RunID == "":
		return 1
	case b.RunID == "":
		return -1
	}
	return asciiCompareFold(a.RunID, b.RunID)
}

// asciiCompareFold orders like C's strcasecmp in the C locale.
func asciiCompareFold(a, b string) int {
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lower(a[i]), lower(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
