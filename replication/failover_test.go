package replication

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestChooseReplica(t *testing.T) {
	cases := []struct {
		name  string
		cands []Candidate
		want  int
		rank  []int
	}{
		{name: "none", cands: nil, want: -1},
		{name: "lowest priority wins over offset", cands: []Candidate{
			{RunID: "a", Offset: 900, Priority: 100}, {RunID: "b", Offset: 10, Priority: 50}}, want: 1, rank: []int{1, 0}},
		{name: "priority 0 never", cands: []Candidate{
			{RunID: "a", Offset: 900, Priority: 0}, {RunID: "b", Offset: 10, Priority: 100}}, want: 1, rank: []int{1}},
		{name: "only priority 0", cands: []Candidate{{RunID: "a", Priority: 0}}, want: -1},
		{name: "greatest offset", cands: []Candidate{
			{RunID: "a", Offset: 5, Priority: 100}, {RunID: "b", Offset: 7, Priority: 100}, {RunID: "c", Offset: 6, Priority: 100}},
			want: 1, rank: []int{1, 2, 0}},
		{name: "smallest run ID", cands: []Candidate{
			{RunID: "bbb", Offset: 7, Priority: 1}, {RunID: "AAB", Offset: 7, Priority: 1}, {RunID: "aaa", Offset: 7, Priority: 1}},
			want: 2, rank: []int{2, 1, 0}},
		{name: "unknown run ID loses", cands: []Candidate{
			{RunID: "", Offset: 7, Priority: 1}, {RunID: "zzz", Offset: 7, Priority: 1}}, want: 1, rank: []int{1, 0}},
		{name: "unusable skipped", cands: []Candidate{
			{RunID: "a", Offset: 100, Priority: 1, Unusable: true}, {RunID: "b", Offset: 1, Priority: 1}}, want: 1, rank: []int{1}},
		{name: "announcement does not matter", cands: []Candidate{
			{RunID: "a", Offset: 100, Priority: 1, Announced: false}, {RunID: "b", Offset: 1, Priority: 1, Announced: true}}, want: 0, rank: []int{0, 1}},
		{name: "full ties keep input order", cands: []Candidate{
			{Offset: 3, Priority: 1}, {Offset: 3, Priority: 1}}, want: 0, rank: []int{0, 1}},
		{name: "prefix sorts first", cands: []Candidate{
			{RunID: "abc", Priority: 1}, {RunID: "ab", Priority: 1}}, want: 1, rank: []int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, ChooseReplica(c.cands))
			assert.Equal(t, c.rank, RankReplicas(c.cands))
		})
	}
}
